"""Any local Hugging Face transformers causal LM as a prompt model, in batches.

The model folder is one written by ``save_pretrained`` (config.json, weights, tokenizer
files). A tokenizer with a chat template gets the chat through it (generation prompt added);
one without (a base model) gets the chat as plain text (``prompts.render_plain``). Prompts
are left-padded into one ``generate`` call per batch (``batch_size_hint`` caps it: a larger
batch is sorted by prompt length and cut into chunks of that size, to save padding; out of GPU
memory, the rest goes in halves and later calls start there).
Decoding is greedy at temperature 0, else plain sampling seeded by ``seed`` per chunk. It
runs on CUDA in bf16 when a GPU is present, else on the CPU in float32 (its output layer
transposed there: ``transpose_cpu_head``, 1.3-1.8x the rows a minute).

A row stops at its EOS token or once its text holds the end of the reply: the line break
that closes its ``Label:``/``Answer:`` line, a new ``Context:``/``User:`` turn, or (plain
text only) a blank line; the reply is cut there (``cut_reply``). With ``loop_tokens`` set, a
row also stops once it is caught in a loop, its last ``loop_tokens`` (or more) tokens one
stretch repeated (``loop_cut``), and its reply keeps the first copy: a small base model
otherwise repeats a sentence to ``max_new_tokens`` and holds its whole batch there. With
``stop_unkeyed``, a row also ends at the line break that closes its first line without a key
after its ``Claim:``/``Question:`` line (``unkeyed_line_end``): the parser reads no further
there (that line is the label's or answer's text when no key gives one), and a small base model
otherwise writes on, unkeyed, to ``max_new_tokens``.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Backend, Completion
from littlehuman.generation.parsing import FIELDS
from littlehuman.generation.prompts import COT_FIELDS, render_plain
from littlehuman.machine import in_chunks_halving_on_oom, usable_cores, warn_if_slow_bf16

if TYPE_CHECKING:
    from littlehuman.config import Profile

# Where a reply ends: a new turn or context (``Context:`` starting the reply or a line, or
# following ``|``, as the parser reads it: "according to the context: ..." inside a claim is
# text), the line break that closes the "Label: ..." / "Answer: ..." line, or (plain text,
# where no end-of-turn token comes) a blank line.
_TURN = r"(?:\n|\|)[ \t*_#>-]*context\s*:|\n\s*(?:user|system|assistant)\s*:"
#: a reply that opens with a new turn (a context, or the user's or system's turn) has none
_LEADING_TURN = re.compile(r"[\s*_#>-]*(?:context|user|system)\s*:", re.IGNORECASE)
# the key starts a line or follows "||", as the parser reads keys: "the band's record label:
# Sony" inside a claim had ended the reply there, and its parse kept "The band's record"
_CLOSED = r"(?:^|(?<=\|\|))[ \t*_#>-]*(?:label|answer)[*_]*\s*:[^\n]*\S[^\n]*(\n)"
_BLANK = r"\n[ \t]*\n"
_STOPS = {
    True: re.compile(f"{_TURN}|{_BLANK}|{_CLOSED}", re.IGNORECASE | re.MULTILINE),
    False: re.compile(f"{_TURN}|{_CLOSED}", re.IGNORECASE | re.MULTILINE),
}
# the reply's first field (the parser's, where it starts reading) on a line of its own, and a
# line that starts with any key of a reply, chain-of-thought ones included
_HEADS = "|".join(sorted({fields[0] for fields in FIELDS.values()}))
_KEYS = "|".join(sorted({key for fields in COT_FIELDS.values() for key in fields}))
_HEAD_LINE = re.compile(rf"^[ \t*_#>-]*(?:{_HEADS})[*_]*\s*:[^\n]*\n", re.IGNORECASE | re.MULTILINE)
_KEYED_LINE = re.compile(rf"[ \t*_#>-]*(?:{_KEYS})[*_]*\s*:", re.IGNORECASE)
_DTYPES = {"bfloat16": "bfloat16", "bf16": "bfloat16", "float16": "float16",
           "fp16": "float16", "half": "float16", "float32": "float32", "fp32": "float32"}


def unkeyed_line_end(text: str) -> int | None:
    """Where the first complete line after the ``Claim:``/``Question:`` line that starts with
    no key ends (its line break), else None.

    The parser reads that line (the first after the field) as the label's or answer's text
    when no ``Label:``/``Answer:`` key follows, and nothing after it: a key written further
    down is the one thing lost (2 of 500 of Gemma's FEVER replies, both with the label asked
    for, 2026-12-05)."""
    head = _HEAD_LINE.search(text)
    if head is None:
        return None
    start = head.end()
    while (end := text.find("\n", start)) != -1:
        line = text[start:end]
        if line.strip() and not _KEYED_LINE.match(line):
            return end
        start = end + 1
    return None


def _stop_at(text: str, blank_line: bool = True, unkeyed: bool = False) -> int | None:
    """The index where the reply in ``text`` ends, or None while it is unfinished;
    ``unkeyed`` also ends it at :func:`unkeyed_line_end`."""
    if _LEADING_TURN.match(text):
        return 0
    m = _STOPS[blank_line].search(text, len(text) - len(text.lstrip()))
    end = None if m is None else m.start(1) if m.group(1) else m.start()
    if unkeyed and (line_end := unkeyed_line_end(text)) is not None:
        end = line_end if end is None else min(end, line_end)
    return end


def reply_ends(text: str, blank_line: bool = True) -> bool:
    """Whether ``text`` holds the end of its reply (:func:`cut_reply` has something to cut)."""
    return _stop_at(text, blank_line) is not None


def whole_at_limit(text: str) -> bool:
    """Whether a reply that ran to the token limit is whole all the same: it holds its end
    (:func:`reply_ends`), or a complete line without a key follows its claim or question
    (:func:`unkeyed_line_end`) and no line with a key comes after that line, so the parser,
    which reads that line in place of the label or answer, reads nothing the limit cut."""
    if reply_ends(text):
        return True
    end = unkeyed_line_end(text)
    return end is not None and not any(_KEYED_LINE.match(line)
                                       for line in text[end:].split("\n"))


def cut_reply(text: str, blank_line: bool = True, unkeyed: bool = False) -> str:
    """The reply up to its end (see ``_stop_at``), stripped."""
    end = _stop_at(text, blank_line, unkeyed)
    return (text if end is None else text[:end]).strip()


def loop_cut(ids: list[int], loop_tokens: int) -> int | None:
    """How many of the tokens ``ids`` to keep when they end in a loop, else None.

    A loop: the last ``max(2 * p, loop_tokens)`` tokens repeat one stretch of ``p`` tokens
    (at least two copies; a one-token stretch repeated ``loop_tokens`` times). What is kept
    ends with its first copy. Checked after every new token, so the loop is cut as soon as
    it qualifies."""
    n = len(ids)
    if loop_tokens < 2 or n < loop_tokens:
        return None
    last = ids[-1]
    for p in range(1, n // 2 + 1):
        if ids[n - 1 - p] != last:  # cheap: a loop of period p repeats the last token p back
            continue
        span = max(2 * p, loop_tokens)
        if ids[n - span + p:] == ids[n - span: n - p]:
            return n - span + p
    return None


def loop_param(loop_tokens: int) -> dict[str, int]:
    """The ``params`` entry of a set ``loop_tokens`` (none when off: identities from before)."""
    if int(loop_tokens) < 0 or int(loop_tokens) == 1:
        raise LittleHumanError(f"--gen-loop-tokens must be 0 (off) or at least 2, got {loop_tokens}")
    return {"loop_tokens": int(loop_tokens)} if loop_tokens else {}


def stop_param(stop_unkeyed: bool) -> dict[str, bool]:
    """The ``params`` entry of ``stop_unkeyed`` (none when off: identities from before)."""
    return {"stop_unkeyed": True} if stop_unkeyed else {}


def check_dtype(dtype: str | None) -> str | None:
    """A profile's ``gen_dtype`` as a backend's: None for "auto" (or None), else the
    canonical torch name ("float32", "bfloat16", "float16")."""
    if dtype is None or str(dtype).lower() == "auto":
        return None
    if str(dtype).lower() not in _DTYPES:
        raise LittleHumanError(f"unknown dtype {dtype!r}: use auto or one of {', '.join(_DTYPES)}")
    return _DTYPES[str(dtype).lower()]


def check_model_dir(model_dir: str | os.PathLike) -> Path:
    """``model_dir`` as a Path, if it holds a saved model's config.json."""
    path = Path(model_dir).expanduser()
    if not (path / "config.json").is_file():
        raise LittleHumanError(
            f"no Hugging Face model in {path} (no config.json): pass --gen-model-dir a folder "
            "written by save_pretrained (config.json, weights and tokenizer files)"
        )
    return path


# the files of a model folder that change its replies: config, weights, tokenizer, template
_MODEL_SUFFIXES = (".json", ".jinja", ".model", ".txt", ".tiktoken", ".safetensors", ".bin")
_NOT_MODEL = {"trainer_state.json", "training_args.bin"}  # a Trainer checkpoint's own files
_WHOLE_BYTES = 64 << 20  # a file up to this size is hashed whole
_SAMPLES, _BLOCK = 256, 4096  # a larger one: this many blocks, evenly spaced


def transpose_cpu_head(model: Any) -> bool:
    """Compute ``model``'s output layer as ``W @ x.T`` instead of ``x @ W.T`` (True when it
    did). A CPU decoding a few rows multiplies a handful of hidden states by the whole
    vocabulary (Gemma 3: 262,144 x 640), a shape for which MKL's float32 GEMM is about 3x
    slower in ``nn.Linear``'s orientation than in this one: 1.3-1.8x the rows a minute in
    float32 on a 2-core AVX2 CPU, the same replies (``bench/gemma_cpu.py --head``). The same
    numbers up to float rounding; ``del head.forward`` undoes it."""
    import torch

    head = model.get_output_embeddings()
    if type(head) is not torch.nn.Linear or head.bias is not None:
        return False

    def forward(x: Any) -> Any:
        flat = x.reshape(-1, x.shape[-1])
        return (head.weight @ flat.T).T.reshape(*x.shape[:-1], head.out_features)

    head.forward = forward
    return True


def _file_digest(path: Path) -> bytes:
    """sha256 of a file's size and bytes (a large file: of ``_SAMPLES`` blocks of it, which a
    fine-tune, changing every tensor it touches, changes too)."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as fh:
        if size <= _WHOLE_BYTES:
            digest.update(fh.read())
        else:
            for i in range(_SAMPLES):
                fh.seek((size - _BLOCK) * i // (_SAMPLES - 1))
                digest.update(fh.read(_BLOCK))
    return digest.digest()


def model_name(model_dir: Path) -> str:
    """``<folder name>-<12 hex>``: names the model, not the machine. The digest covers the
    folder's config, weights, tokenizer and chat template (two trainings saved under the same
    folder name with the same config answer differently)."""
    digest = hashlib.sha256((model_dir / "config.json").read_bytes())
    for path in sorted(model_dir.iterdir()):
        if (path.is_file() and path.suffix in _MODEL_SUFFIXES and path.name != "config.json"
                and path.name not in _NOT_MODEL and not path.name.startswith(".")):
            digest.update(path.name.encode() + b"\0" + _file_digest(path))
    return f"{model_dir.resolve().name}-{digest.hexdigest()[:12]}"


def _load_tokenizer(path: Path) -> Any:
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(path))
    except (OSError, ValueError) as exc:
        raise LittleHumanError(
            f"cannot load the tokenizer in {path} ({type(exc).__name__}): save it there with "
            "tokenizer.save_pretrained(model_dir)"
        ) from exc
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token or tok.unk_token
    if tok.pad_token is None:
        raise LittleHumanError(
            f"the tokenizer in {path} has no pad, eos or unk token: set tokenizer.pad_token "
            "and save it again"
        )
    return tok


class HFBackend(Backend):
    """Batched few-shot generation with a local transformers model (see the module doc).

    ``model`` is ``<folder name>-<digest of its files>`` (``model_name``) and ``params`` hold
    temperature, max_new_tokens, seed and ``chat_template`` (whether the chat template renders the
    prompt); ``chat_template=None`` uses the template when the tokenizer has one.
    ``device`` and ``dtype`` default to CUDA/bf16 when available, else CPU/float32 (a dtype
    given by name enters ``params``: it changes replies);
    ``threads`` sets torch's global thread count (default: the cores this process may use).
    ``loop_tokens`` (0: off) ends a reply caught in a loop at its first copy (``loop_cut``),
    ``stop_unkeyed`` at its first line without a key after the field (``unkeyed_line_end``);
    set, each enters ``params``, since it changes replies.
    ``last_usage`` sums the token counts of the last ``complete`` call.
    """

    name = "hf"
    local = True

    @classmethod
    def from_profile(cls, profile: "Profile") -> "HFBackend":
        """The model in ``profile.gen_model_dir`` with the profile's temperature,
        max_new_tokens and data seed."""
        if not profile.gen_model_dir:
            raise LittleHumanError("--generator hf needs --gen-model-dir DIR: a local "
                                   "transformers model folder (save_pretrained layout)")
        return cls(model_dir=str(Path(profile.gen_model_dir).expanduser().resolve()),
                   temperature=profile.temperature, max_new_tokens=profile.max_new_tokens,
                   seed=profile.data_seed, dtype=check_dtype(profile.gen_dtype),
                   loop_tokens=profile.gen_loop_tokens, stop_unkeyed=profile.gen_stop_unkeyed)

    def __init__(
        self,
        model_dir: str | os.PathLike,
        temperature: float = 0.0,
        max_new_tokens: int = 120,
        seed: int = 0,
        device: str | None = None,
        dtype: Any = None,
        threads: int | None = None,
        batch_size_hint: int | None = None,
        chat_template: bool | None = None,
        loop_tokens: int = 0,
        stop_unkeyed: bool = False,
    ) -> None:
        path = check_model_dir(model_dir)
        if isinstance(dtype, str):
            dtype = check_dtype(dtype)
        self._setup(path, device, dtype, threads, batch_size_hint)
        if chat_template is None:
            self._tokenizer = _load_tokenizer(path)
            chat_template = bool(self._tokenizer.chat_template)
        self.use_chat_template = bool(chat_template)
        self.model = model_name(path)
        self.params = {
            "temperature": float(temperature),
            "max_new_tokens": int(max_new_tokens),
            "seed": int(seed),
            "chat_template": self.use_chat_template,
            **({"dtype": dtype} if isinstance(dtype, str) else {}),
            **loop_param(loop_tokens),
            **stop_param(stop_unkeyed),
        }

    def _setup(self, model_dir: Path | None, device: str | None, dtype: Any,
               threads: int | None, batch_size_hint: int | None) -> None:
        """The settings that do not change the replies (shared with presets)."""
        if batch_size_hint is not None and int(batch_size_hint) < 1:
            raise LittleHumanError(f"batch_size_hint must be at least 1, got {batch_size_hint}")
        self.model_dir = model_dir
        self.device = device
        self.dtype = dtype
        self.threads = threads
        self.batch_size_hint = int(batch_size_hint) if batch_size_hint else None
        self.use_chat_template = False
        self._model: Any = None
        self._tokenizer: Any = None
        self.last_usage: dict[str, int] = {}

    def resolve_model_dir(self) -> Path:
        """The folder ``load`` reads (a preset may build it on first use)."""
        return check_model_dir(self.model_dir)

    def load(self) -> None:
        """Load the tokenizer and model; ``complete`` calls it when needed."""
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM

        torch.set_num_threads(self.threads or usable_cores())
        path = self.resolve_model_dir()
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = check_dtype(self.dtype) if isinstance(self.dtype, str) else self.dtype
        dtype = dtype or ("bfloat16" if device.startswith("cuda") else "float32")
        if isinstance(dtype, str):
            dtype = getattr(torch, dtype)
        if dtype == torch.bfloat16 and device == "cpu":
            warn_if_slow_bf16(f"the {self.name} generator", "--gen-dtype float32")
        if self._tokenizer is None:
            self._tokenizer = _load_tokenizer(path)
        try:
            model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype)
        except (OSError, ValueError) as exc:
            raise LittleHumanError(
                f"cannot load a causal LM from {path} ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}): save one there with "
                "model.save_pretrained(model_dir)"
            ) from exc
        model.generation_config = _special_tokens_only(model.generation_config)
        if device == "cpu" and dtype == torch.float32:  # bfloat16's CPU kernels: unmeasured
            transpose_cpu_head(model)
        self._model = model.to(device).eval()

    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt text the model continues for one chat."""
        if not self.use_chat_template:
            return render_plain(messages)
        from jinja2 import TemplateError

        try:
            return self._tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True)
        except TemplateError:  # a template without a system role: fold it into the first turn
            if len(messages) < 2 or messages[0]["role"] != "system":
                raise
            first = {"role": messages[1]["role"],
                     "content": messages[0]["content"] + "\n\n" + messages[1]["content"]}
            return self._tokenizer.apply_chat_template(
                [first, *messages[2:]], tokenize=False, add_generation_prompt=True)

    def _eos_ids(self) -> set[int]:
        eos = self._model.generation_config.eos_token_id
        if eos is None:
            eos = self._tokenizer.eos_token_id
        if eos is None:
            return set()
        return {int(e) for e in (eos if isinstance(eos, (list, tuple)) else [eos])}

    def complete(self, batch: list[list[dict[str, str]]]) -> list[Completion]:
        """One reply per chat of ``batch``, in order. Generated in chunks of the size that last
        fitted (shortest prompts together when chunked), halving on out-of-memory; sets
        ``last_usage`` (prompt, completion and new tokens of the batch)."""
        self.load()
        if not batch:
            return []
        tok = self._tokenizer
        # a chat template writes its own special tokens (BOS...); plain text gets the usual ones
        ids = tok([self.render(m) for m in batch],
                  add_special_tokens=not self.use_chat_template)["input_ids"]
        order = list(range(len(batch)))
        size = self.batch_size_hint or len(batch)
        if size < len(batch):
            order.sort(key=lambda i: len(ids[i]))

        def remember(fits: int) -> None:
            self.batch_size_hint = fits  # later calls start there

        replies, _ = in_chunks_halving_on_oom(
            order, size, lambda chunk: self._generate([ids[i] for i in chunk]),
            key=lambda i: len(ids[i]), on_halve=remember,
            halved=lambda failed, size: (f"the {self.name} generator: out of GPU memory at {failed} "
                                         f"prompts at once: continuing with {size}"),
            too_big=f"the {self.name} generator: one prompt does not fit in GPU memory: pass a "
                    "smaller --gen-max-new-tokens or fewer few-shot examples, or use a smaller model")
        out: list[Completion | None] = [None] * len(batch)
        for i, reply in zip(order, replies):
            out[i] = reply
        self.last_usage = {
            "prompt_tokens": sum(c.prompt_tokens for c in out),
            "completion_tokens": sum(c.completion_tokens for c in out),
        }
        self.last_usage["new_tokens"] = self.last_usage["completion_tokens"]
        return out  # type: ignore[return-value]

    def _generate(self, rows: list[list[int]]) -> list[Completion]:
        """One left-padded ``generate`` call for token-id rows."""
        import torch

        tok, model = self._tokenizer, self._model
        n_prompt = max(map(len, rows))
        input_ids = torch.full((len(rows), n_prompt), tok.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), n_prompt), dtype=torch.long)
        for i, row in enumerate(rows):  # left padding: every prompt ends at the last column
            input_ids[i, n_prompt - len(row):] = torch.tensor(row, dtype=torch.long)
            mask[i, n_prompt - len(row):] = 1
        blank_line = not self.use_chat_template
        eos = self._eos_ids()
        unkeyed = bool(self.params.get("stop_unkeyed"))
        stop = _StopAtReplyEnd(tok, n_prompt, blank_line, eos,
                               self.params.get("loop_tokens", 0), unkeyed)
        temperature = self.params["temperature"]
        sampling: dict[str, Any] = {"do_sample": False}
        if temperature > 0:
            torch.manual_seed(self.params["seed"])
            sampling = {"do_sample": True, "temperature": temperature, "top_k": 0, "top_p": 1.0}
        with torch.inference_mode():
            generated = model.generate(
                input_ids=input_ids.to(model.device),
                attention_mask=mask.to(model.device),
                max_new_tokens=self.params["max_new_tokens"],
                stopping_criteria=[stop],
                pad_token_id=tok.pad_token_id,
                **({"eos_token_id": sorted(eos)} if eos else {}),
                **sampling,
            )
        replies = []
        for i, new in enumerate(generated[:, n_prompt:].tolist()):
            ends = [j + 1 for j, t in enumerate(new) if t in eos][:1]
            if i in stop.ended:
                ends.append(stop.ended[i])
            n_new = min(ends, default=len(new))
            text = tok.decode(new[:min(n_new, stop.kept.get(i, n_new))], skip_special_tokens=True)
            cut = not ends and _stop_at(text, blank_line, unkeyed) is None  # ran to the limit
            replies.append(Completion(cut_reply(text, blank_line, unkeyed), len(rows[i]), n_new,
                                      truncated=cut))
        return replies


def _special_tokens_only(folder_config: Any) -> Any:
    """A generation config with only the model folder's special tokens (its EOS ids...).

    ``generate`` merges the model's generation config into the arguments it is given
    (transformers 5 fills every field left unset from it): a folder's repetition penalty,
    n-gram ban, minimum length or top-k would change the replies, though neither the request
    nor its cache key names them. Decoding is what the request says and nothing else."""
    from transformers import GenerationConfig

    return GenerationConfig(**{name: getattr(folder_config, name, None) for name in
                               ("bos_token_id", "eos_token_id", "pad_token_id")})


class _StopAtReplyEnd:
    """A stopping criterion: per row, done once its new text holds the end of the reply (with
    ``unkeyed``, its first line without a key after the field: ``unkeyed_line_end``), it has
    ended with an EOS token in ``eos``, or (``loop_tokens`` > 0) it loops (``loop_cut``).

    ``ended`` maps a row to the number of new tokens it had when it first did; ``kept``, a
    row that looped to the number of them its reply keeps."""

    def __init__(self, tokenizer: Any, n_prompt: int, blank_line: bool = True,
                 eos: set[int] = frozenset(), loop_tokens: int = 0, unkeyed: bool = False) -> None:
        self.tokenizer = tokenizer
        self.unkeyed = unkeyed
        self.n_prompt = n_prompt
        self.blank_line = blank_line
        self.eos = eos
        self.loop_tokens = loop_tokens
        self.ended: dict[int, int] = {}
        self.kept: dict[int, int] = {}

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        n_new = input_ids.shape[1] - self.n_prompt
        open_rows = [i for i in range(input_ids.shape[0]) if i not in self.ended]
        news = input_ids[open_rows, self.n_prompt:].tolist()  # one copy from the device
        texts = self.tokenizer.batch_decode(news, skip_special_tokens=True)
        for i, new, text in zip(open_rows, news, texts):
            if (new and new[-1] in self.eos) or _stop_at(text, self.blank_line, self.unkeyed) is not None:
                self.ended[i] = n_new  # after an EOS comes padding: not read again
            elif self.loop_tokens and (keep := loop_cut(new, self.loop_tokens)) is not None:
                self.ended[i], self.kept[i] = n_new, keep
        done = [i in self.ended for i in range(input_ids.shape[0])]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)
