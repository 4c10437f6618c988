"""Few-shot prompts for synthetic generation (PROTOCOL "Synthetic generation").

A request is a chat: the system prompt, then ``k`` pairs (user ``Context: <context>``,
assistant formatted answer) drawn from real training rows, then the user turn for the new
context. Contexts are cut to 3000 words and stripped of URLs, as in the authors' code.
:class:`PromptSpec` holds every setting of a request besides the row and the example pool;
:class:`ExamplePool` indexes a pool once for the many requests drawn from it.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from littlehuman.data.schema import Task, stable_seed
from littlehuman.errors import LittleHumanError

if TYPE_CHECKING:
    from littlehuman.config import Profile
    from littlehuman.generation.backends.base import Backend

MAX_CONTEXT_WORDS = 3000
QA_SYSTEM = (
    "Given the context, come up with a question and answer pair. Answer in the format below:"
)
FV_SYSTEM = "Given the context, come up with a {label} claim. Answer in the format below:"
FV_LABEL_PHRASES = {1: "True", 0: "Untrue (either False or just not supported)"}
# Label conditioning OFF. The authors' code left the "[LABEL]" placeholder in the prompt
# verbatim in that case; we ask for a claim of either label instead, so the model (and the
# few-shot examples, which then mix both labels) decide the label.
FV_SYSTEM_NEUTRAL = (
    "Given the context, come up with a claim that is either True or Untrue "
    "(either False or just not supported). Answer in the format below:"
)

_URL = re.compile(r"https?://\S+|www\.\S+")
_WORD = re.compile(r"\S+")
_SPACES = re.compile(r"[ \t]+")
#: characters a cut allows per word: a context whose words run longer (text written without
#: spaces, as Chinese or Japanese is, or one long string) is cut by characters instead. The
#: paper's datasets average under 9 characters a word in every cut (SciFact's 120-word one
#: the most), so none of their prompts is cut by it.
MAX_CHARS_PER_WORD = 16


def remove_urls(text: str) -> str:
    """Drop ``http(s)://...`` and ``www....`` tokens."""
    return _URL.sub("", text)


def clean_context(text: str, max_words: int = MAX_CONTEXT_WORDS, keep: str = "head") -> str:
    """URLs removed, then cut to the first ``max_words`` words (PROTOCOL: 3000; line breaks
    inside are kept), or to the last ones with ``keep="tail"`` (ROPES: its situation, where the
    answers are, ends the context), and to :data:`MAX_CHARS_PER_WORD` characters a word (text
    without spaces). The cpu profile cuts shorter: prompt length dominates a CPU model's cost."""
    text = remove_urls(str(text))
    words = list(_WORD.finditer(text))
    if len(words) > max_words:
        text = (text[words[-max_words].start():] if keep == "tail"
                else text[: words[max_words - 1].end()])
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    max_chars = max_words * MAX_CHARS_PER_WORD  # of the text as sent: spaces collapsed
    if len(text) > max_chars:
        text = (text[-max_chars:] if keep == "tail" else text[:max_chars]).strip()
    return text


def system_prompt(task: Task, label: int | None = None) -> str:
    """The system prompt; FV with ``label`` None is the neutral (unconditioned) prompt."""
    if task == "qa":
        return QA_SYSTEM
    if task != "fv":
        raise LittleHumanError(f"unknown task {task!r}: use 'fv' or 'qa'")
    if label is None:
        return FV_SYSTEM_NEUTRAL
    if int(label) not in FV_LABEL_PHRASES:
        raise LittleHumanError(f"FV label must be 0 or 1, got {label!r}")
    return FV_SYSTEM.format(label=FV_LABEL_PHRASES[int(label)])


def format_answer(row: Mapping[str, Any], task: Task) -> str:
    """``Question: <q>||\\nAnswer: <a>`` (QA) or ``Claim: <c>||\\nLabel: True|Untrue`` (FV);
    a row with an ``explanation`` (chain-of-thought examples) starts ``Explanation: <e>||\\n``."""
    explanation = str(row.get("explanation") or "").strip()
    head = f"Explanation: {explanation}||\n" if explanation else ""
    if task == "qa":
        return f"{head}Question: {row['question']}||\nAnswer: {row['answer']}"
    word = "True" if int(row["label"]) == 1 else "Untrue"
    return f"{head}Claim: {row['claim']}||\nLabel: {word}"


COT_FIELDS = {"fv": ("context", "explanation", "claim", "label"),
              "qa": ("context", "explanation", "question", "answer")}
COT_EXAMPLES = 3  # PROTOCOL: three hand-written examples per dataset


def load_cot_examples(path: str | Path, task: Task, dataset: str) -> pd.DataFrame:
    """The user's hand-written chain-of-thought examples for ``dataset`` (PROTOCOL: three).

    The file is JSON: a list of examples, or ``{"<dataset>": [...], ...}`` for several
    datasets. An example is ``{"context", "explanation", "claim", "label"}`` (FV; label
    ``True``/``Untrue`` or 1/0) or ``{"context", "explanation", "question", "answer"}`` (QA).
    Every request shows these same three examples (instead of ones drawn from the data).
    """
    fields = COT_FIELDS[task]
    hint = (f"write JSON: a list of {COT_EXAMPLES} objects with keys {', '.join(fields)} "
            f'(or {{"{dataset}": [...]}})')
    try:
        data = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
    except OSError as exc:
        raise LittleHumanError(f"cannot read chain-of-thought examples {path} "
                               f"({exc.strerror}): check --cot-examples") from None
    except ValueError as exc:
        raise LittleHumanError(
            f"chain-of-thought examples {path} are not JSON ({exc}): {hint}") from None
    if isinstance(data, dict):
        if dataset not in data:
            raise LittleHumanError(f"chain-of-thought examples {path} have none for {dataset!r} "
                                   f"(keys: {', '.join(map(str, data)) or 'none'}): {hint}")
        data = data[dataset]
    if not isinstance(data, list) or len(data) != COT_EXAMPLES:
        got = len(data) if isinstance(data, list) else type(data).__name__
        raise LittleHumanError(f"chain-of-thought examples {path} for {dataset}: expected "
                               f"{COT_EXAMPLES} examples, got {got}: {hint}")
    rows = []
    for i, ex in enumerate(data, start=1):
        missing = [f for f in fields
                   if not isinstance(ex, dict) or not str(ex.get(f, "")).strip()]
        if missing:
            raise LittleHumanError(f"chain-of-thought example {i} in {path} lacks "
                                   f"{', '.join(missing)}: {hint}")
        row: dict[str, Any] = {f: str(ex[f]).strip() for f in fields}
        if task == "fv":
            label = _cot_label(ex["label"])
            if label is None:
                raise LittleHumanError(f"chain-of-thought example {i} in {path}: label "
                                       f"{ex['label']!r} is not True/Untrue (or 1/0)")
            row["label"] = label
        rows.append({"row_id": f"cot:{i}", "context_id": f"cot:{i}", **row})
    return pd.DataFrame(rows)


def _cot_label(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    return {"true": 1, "1": 1, "untrue": 0, "false": 0, "0": 0}.get(str(value).strip().lower())


class ExamplePool:
    """An example pool indexed once for many draws (:func:`draw_examples`, the requests of
    :class:`PromptSpec`): the positions of each row id, context id and label, so that a draw
    finds its candidates in O(k + rows of the row's context) instead of comparing every row,
    and its rows as records, with every context cleaned once per setting.

    ``frame`` must not change while the index is in use (it is read once, here and lazily)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._every = np.arange(len(frame), dtype=np.intp)
        self._row_ids = _Rows(frame["row_id"])
        self._contexts = _Rows(frame["context_id"])
        self._labels = _Rows(frame["label"]) if "label" in frame.columns else None
        self._columns: list[tuple[Any, np.ndarray]] | None = None
        self._cleaned: dict[tuple[str, int, str], str] = {}

    def draw(self, row: Mapping[str, Any], k: int, seed: int,
             label_conditioned: bool) -> np.ndarray:
        """The positions :func:`draw_examples` draws, in the order drawn."""
        base = self._every
        if label_conditioned and self._labels is not None and "label" in row:
            base = self._labels.get(int(row["label"]))
        others = _without(base, self._row_ids.get(row["row_id"]))
        other_context = _without(others, self._contexts.get(row["context_id"]))
        candidates = other_context if len(other_context) >= k else others
        rng = np.random.default_rng(stable_seed(row["dataset"], row["row_id"], seed))
        return rng.choice(candidates, size=min(k, len(candidates)), replace=False)

    def records(self, positions: Iterable[int]) -> list[dict[str, Any]]:
        """The rows at ``positions`` as records, as ``DataFrame.to_dict("records")`` gives
        them (from the columns as Python objects, made once: the pool's records would take
        a hundred times longer)."""
        if self._columns is None:
            self._columns = [(c, self.frame[c].to_numpy(dtype=object))
                             for c in self.frame.columns]
        return [{c: values[i] for c, values in self._columns} for i in positions]

    def clean_context(self, text: str, max_words: int = MAX_CONTEXT_WORDS,
                      keep: str = "head") -> str:
        """:func:`clean_context`, remembered: a pool's contexts recur across requests."""
        key = (str(text), max_words, keep)  # (str: 1 and 1.0 are one key, not one text)
        if key not in self._cleaned:
            self._cleaned[key] = clean_context(key[0], max_words, keep)
        return self._cleaned[key]


class _Rows:
    """The positions (ascending) of a column's rows equal to a value: found by comparing
    every row on the first lookup (a one-off draw pays no more than that), from the rows
    grouped by value, once, on later ones. Missing values equal nothing."""

    def __init__(self, column: pd.Series) -> None:
        self._column = column
        self._looked = False
        self._code: dict[Any, int] | None = None

    def get(self, value: Any) -> np.ndarray:
        if self._code is None:
            if not self._looked:
                self._looked = True
                return np.flatnonzero((self._column == value).to_numpy(dtype=bool))
            self._group()
        try:
            code = self._code.get(value)
        except TypeError:  # unhashable: equal to no row
            code = None
        if code is None:
            return self._order[:0]
        return self._order[self._starts[code]:self._starts[code + 1]]

    def _group(self) -> None:
        codes, uniques = pd.factorize(self._column)  # a missing value's code is -1
        self._order = np.argsort(codes, kind="stable")[int((codes < 0).sum()):]
        self._starts = np.concatenate(
            ([0], np.cumsum(np.bincount(codes[codes >= 0], minlength=len(uniques)))))
        self._code = dict(zip(uniques.tolist(), range(len(uniques))))


def _without(positions: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """Sorted ``positions`` less those in sorted ``drop``."""
    if not len(drop) or not len(positions):
        return positions
    at = np.minimum(np.searchsorted(positions, drop), len(positions) - 1)
    return np.delete(positions, at[positions[at] == drop])


def draw_examples(
    pool: pd.DataFrame | ExamplePool,
    row: Mapping[str, Any],
    k: int = 3,
    seed: int = 0,
    label_conditioned: bool = True,
) -> pd.DataFrame:
    """``k`` random real rows of ``pool`` to show as examples for ``row``.

    Never ``row`` itself; rows of the same context are avoided while at least ``k`` others
    remain. FV with ``label_conditioned``: only rows with ``row``'s label. The draw is seeded
    by ``stable_seed(dataset, row_id, seed)``, so it is deterministic for a given pool order
    (``generate_synthetic`` sorts the pool by row_id). Fewer than ``k`` rows come back only
    when the pool has fewer candidates. For many draws from one pool, pass an
    :class:`ExamplePool` of it (indexed once).
    """
    index = pool if isinstance(pool, ExamplePool) else ExamplePool(pool)
    return index.frame.iloc[index.draw(row, k, seed, label_conditioned)]


def build_messages(
    row: Mapping[str, Any], examples: pd.DataFrame | Iterable[Mapping[str, Any]], task: Task,
    label_conditioned: bool = True, context_words: int = MAX_CONTEXT_WORDS,
    context_side: str = "head", clean: Callable[[str, int, str], str] = clean_context,
) -> list[dict[str, str]]:
    """The chat for one request: system, k (user, assistant) example pairs, the new user turn.

    ``examples``: a frame or records. Every context in the prompt is cut to ``context_words``
    words, keeping its ``context_side`` ("head" or "tail", :func:`clean_context`, or ``clean``:
    the same, remembered, as :meth:`ExamplePool.clean_context`)."""
    label = int(row["label"]) if task == "fv" and label_conditioned else None
    messages = [{"role": "system", "content": system_prompt(task, label)}]

    def context(text: str) -> str:
        return "Context: " + clean(text, context_words, context_side)

    if isinstance(examples, pd.DataFrame):
        examples = examples.to_dict("records")
    for ex in examples:
        messages.append({"role": "user", "content": context(ex["context"])})
        messages.append({"role": "assistant", "content": remove_urls(format_answer(ex, task))})
    messages.append({"role": "user", "content": context(row["context"])})
    return messages


def render_plain(messages: list[dict[str, str]]) -> str:
    """The chat as plain text for a base model to continue.

    One ``System:``/``User:``/``Assistant:`` turn per message, each starting a new line,
    ending with the assistant prefix ``Assistant:`` so the model writes ``Claim:`` or
    ``Question:`` next (with Gemma 3 270M this parsed better than bare ``Context:`` blocks,
    which the model often continued as more story text).
    """
    roles = {"system": "System", "user": "User", "assistant": "Assistant"}
    lines = [f"{roles[m['role']]}: {m['content']}" for m in messages]
    return "\n".join(lines) + "\nAssistant:"


#: chain-of-thought examples in hashable form: one tuple of ``(column, value)`` pairs per
#: example, columns as ``load_cot_examples`` returns them
CotExamples = tuple[tuple[tuple[str, Any], ...], ...]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def cot_tuple(frame: pd.DataFrame) -> CotExamples:
    """``frame`` (from :func:`load_cot_examples`) as :data:`CotExamples`."""
    return tuple(tuple((str(c), _plain(v)) for c, v in rec.items())
                 for rec in frame.to_dict("records"))


def sort_pool(pool: pd.DataFrame) -> pd.DataFrame:
    """The example pool in the order example draws assume (by ``row_id``, stable)."""
    return pool.sort_values("row_id", kind="stable").reset_index(drop=True)


def _rows_of(source: pd.DataFrame | ExamplePool, positions: np.ndarray | None) -> pd.DataFrame:
    """The rows of ``source`` at ``positions``, in order (None: the frame as it is)."""
    frame = source.frame if isinstance(source, ExamplePool) else source
    return frame if positions is None else frame.iloc[positions]


@dataclass(frozen=True)
class PromptSpec:
    """Everything that makes a generation request besides the row and the example pool.

    Frozen and hashable; equal settings compare equal. ``cot`` may also be given as the
    DataFrame :func:`load_cot_examples` returns (it is stored as :data:`CotExamples`).
    ``reask`` (how often an unusable reply is asked again) is not part of
    :meth:`generator_id`: a higher limit only adds twins to the same generator's file.
    """

    task: Task  # "fv" | "qa"
    k: int = 3  # few-shot examples
    seed: int = 0  # the data seed (example draws)
    label_conditioned: bool = True
    context_words: int = MAX_CONTEXT_WORDS
    cot: CotExamples | None = None  # chain-of-thought examples shown instead of drawn ones
    reask: int = 2  # re-asks of an unusable reply
    context_side: str = "head"  # what a cut context keeps: "head", or "tail" (ROPES)

    def __post_init__(self) -> None:
        if self.task not in ("fv", "qa"):
            raise LittleHumanError(f"unknown task {self.task!r}: use 'fv' or 'qa'")
        if self.context_side not in ("head", "tail"):
            raise LittleHumanError(f"unknown context_side {self.context_side!r}: use 'head' or 'tail'")
        cot = self.cot
        if isinstance(cot, pd.DataFrame):
            cot = cot_tuple(cot)
        elif cot is not None:
            cot = tuple(tuple((str(c), _plain(v)) for c, v in ex) for ex in cot)
        for name, kind in (("k", int), ("seed", int), ("label_conditioned", bool),
                           ("context_words", int), ("reask", int)):
            object.__setattr__(self, name, kind(getattr(self, name)))
        object.__setattr__(self, "cot", cot)

    @classmethod
    def from_profile(cls, profile: "Profile", task: Task, dataset: str) -> "PromptSpec":
        """The profile's prompt for ``dataset`` (``profile.cot_examples``, when set, is read
        with :func:`load_cot_examples`); a cut context keeps its end for the datasets whose
        learner keeps it (:data:`littlehuman.learners.KEEP_CONTEXT_TAIL`: ROPES's situation,
        which its questions ask about, follows the background), so that a twin asks about
        what both the generator and the learner see."""
        from littlehuman.learners import KEEP_CONTEXT_TAIL

        cot = (load_cot_examples(profile.cot_examples, task, dataset)
               if profile.cot_examples else None)
        return cls(task=task, k=profile.k_shots, seed=profile.data_seed,
                   label_conditioned=profile.label_conditioned,
                   context_words=profile.prompt_context_words, cot=cot, reask=profile.reask,
                   context_side="tail" if dataset in KEEP_CONTEXT_TAIL else "head")

    @property
    def conditioned(self) -> bool:
        """Whether requests ask for a given label (FV with ``label_conditioned`` only)."""
        return self.label_conditioned and self.task == "fv"

    @property
    def cot_frame(self) -> pd.DataFrame | None:
        """The chain-of-thought examples as :func:`load_cot_examples` returns them (a new
        frame each call), or None."""
        return None if self.cot is None else pd.DataFrame([dict(ex) for ex in self.cot])

    def generator_id(self, backend: "Backend") -> str:
        """A short id naming this prompt with ``backend``: ``<backend name>-<10 hex digits>``
        (``<backend name>-cot-<10 hex digits>`` with chain-of-thought examples). It names the
        synthetic files and run keys: the spec hashed here must never change."""
        # QA prompts ask for no label: the setting changes nothing there, and QA ids keep the
        # default's value (a reviewer: --label-conditioned false renamed identical ROPES twins)
        spec: dict[str, Any] = {"id": backend.identity(), "k": self.k, "seed": self.seed,
                                "label_conditioned": self.label_conditioned or self.task != "fv"}
        if self.context_words != MAX_CONTEXT_WORDS:  # the PROTOCOL's cut keeps the shorter spec
            spec["context_words"] = self.context_words
            if self.context_side != "head":  # (ids from before the side was chosen stay)
                spec["context_side"] = self.context_side
        if self.cot is not None:
            spec["cot"] = [{c: v for c, v in ex if c not in ("row_id", "context_id")}
                           for ex in self.cot]
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
        return f"{backend.name}{'-cot' if self.cot is not None else ''}-{digest}"

    def examples(self, row: Mapping[str, Any], pool: pd.DataFrame | ExamplePool,
                 attempt: int = 0, cot: pd.DataFrame | None = None) -> pd.DataFrame:
        """The few-shot examples of ``row``'s request number ``attempt`` (0: the first ask; a
        re-ask draws afresh, or shows the chain-of-thought examples in another order).
        ``pool`` must be in :func:`sort_pool` order (an :class:`ExamplePool` of it for many
        requests); ``cot``: ``cot_frame``, when the caller already holds it."""
        return _rows_of(*self._shown(row, pool, attempt, cot))

    def messages(self, row: Mapping[str, Any], pool: pd.DataFrame | ExamplePool,
                 attempt: int = 0, cot: pd.DataFrame | None = None) -> list[dict[str, str]]:
        """The chat of ``row``'s request number ``attempt`` (``pool`` and ``cot`` as in
        :meth:`examples`)."""
        source, positions = self._shown(row, pool, attempt, cot)
        if source is pool:  # an ExamplePool: its records, its contexts cleaned once
            examples, clean = pool.records(positions), pool.clean_context
        else:  # one request from a frame (nothing worth keeping), or chain-of-thought examples
            examples, clean = _rows_of(source, positions), clean_context
        return build_messages(row, examples, self.task, label_conditioned=self.conditioned,
                              context_words=self.context_words, context_side=self.context_side,
                              clean=clean)

    def requests(self, rows: pd.DataFrame, pool: pd.DataFrame, attempt: int = 0
                 ) -> list[list[dict[str, str]]]:
        """The chat of every row's request, in row order (no backend needed: a dry run prices
        them before anything is sent). ``attempt`` > 0: the request that re-asks a row whose
        earlier replies were unusable."""
        index, cot = ExamplePool(sort_pool(pool)), self.cot_frame
        return [self.messages(row, index, attempt, cot) for row in rows.to_dict("records")]

    def _shown(self, row: Mapping[str, Any], pool: pd.DataFrame | ExamplePool, attempt: int,
               cot: pd.DataFrame | None) -> tuple[pd.DataFrame | ExamplePool, np.ndarray | None]:
        """Where request ``attempt``'s examples come from (the chain-of-thought frame, or the
        pool indexed), and their positions there, in order (None: the frame as it is)."""
        if self.cot is not None:
            cot = self.cot_frame if cot is None else cot
            if attempt == 0:
                return cot, None
            rng = np.random.default_rng(stable_seed(row["row_id"], self.seed, "reask", attempt))
            return cot, rng.permutation(len(cot))
        index = pool if isinstance(pool, ExamplePool) else ExamplePool(pool)
        draw_seed = self.seed if attempt == 0 else stable_seed(self.seed, "reask", attempt)
        return index, index.draw(row, k=self.k, seed=draw_seed,
                                 label_conditioned=self.conditioned)
