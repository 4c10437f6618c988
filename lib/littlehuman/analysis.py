"""Synthetic against human rows (PROTOCOL experiment 4; paper Figures 4, 16, 17 and 18).

Three measures, each a tidy frame with one row per (source, field, row):

- :func:`lengths`: whitespace word counts of the claim (FV) or question and answer (QA), as the
  authors' ``analysis.py`` counts them (``str.split``).
- :func:`extractiveness`: the maximum sentence-level BLEU of each claim / question / answer
  against each sentence of its own row's context (Figure 17). As the authors'
  ``add_info_predfile.py``: the context sentence is the reference and the generation the
  hypothesis; both lower-cased and stripped; BLEU is :func:`littlehuman.metrics.bleu` (sacrebleu
  counts, 13a tokens, no smoothing, and the authors' rule for references of <= 3 tokens), here
  on a 0-100 scale. Ties go to the first sentence.
- :func:`positions`: where in the context the best-matching sentence lies (Figure 18), as
  ``sentence / (n_sentences - 1)``: 0 is the first sentence, 1 the last. The paper's figure
  uses the claim (FV), the question and the answer (QA).

Human rows are the sweep's train pool, synthetic rows their twins (same contexts). Sentence
splitting is :func:`split_sentences`, not the authors' ``context.split(".")``.

Nothing is silently lost: rows without text, without context sentences, or (for positions)
with an undefined position are dropped and counted in ``frame.attrs["dropped"]``
(:func:`dropped` shows them as a table). No value column ever holds NaN.

Two departures from the authors' code, both for :func:`positions` and both switchable: (1)
they put a one-sentence context at position 0 (``index / n``), which is no position at all;
we drop such rows. (2) Without smoothing, BLEU is 0 whenever no sentence shares a 4-gram with
the generation (always so for a 1-3 word answer against sentences of 4+ tokens); their
first-maximum rule then puts the row at the first sentence, which piles abstractive (often
human) rows on position 0. By default we drop rows whose maximum BLEU is 0
(``drop_zero_bleu=False`` keeps them at sentence 0, as the authors did).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from littlehuman.errors import LittleHumanError

SOURCES: tuple[str, ...] = ("human", "synthetic")
FIELDS: dict[str, list[str]] = {"fv": ["claim"], "qa": ["question", "answer"]}
DROPPED_COLUMNS = ["source", "field", "reason", "rows"]

# A sentence ends after . ! or ? (optionally followed by a closing quote or bracket) and
# whitespace, or at a "|" (QAConv's turn separator). Line breaks are NOT boundaries:
# FairyTaleQA stories are hard-wrapped mid-sentence, and FEVER's evidence lines end in " ." anyway.
_BOUNDARY = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)\]]))\s+|\s*\|\s*"
)
_WORD = re.compile(r"\w")


def split_sentences(text: object, by_line: bool = False) -> list[str]:
    """The sentences of ``text``: whitespace (line breaks too) collapsed, split at
    ``[.!?]`` (+ an optional closing quote/bracket) followed by whitespace, and at ``|``;
    ``by_line``: its lines, as they are (FEVER's context is its evidence sentences, one a
    line, which the rule cut at "U.S." and "Alan J. Pakula": 46 of 500 cpu-profile contexts,
    a reviewer found).

    Pieces without a word character are dropped; a missing or blank text gives ``[]``.
    Abbreviations ("Dr. Smith") split too: a known, accepted error of so simple a rule.
    """
    if not isinstance(text, str):
        return []
    if by_line:
        parts = (" ".join(line.split()) for line in text.splitlines())
    else:
        parts = (p.strip() for p in _BOUNDARY.split(" ".join(text.split())))
    return [p for p in parts if _WORD.search(p)]


def sentences_by_line(study: Any) -> bool:
    """Whether the study's contexts hold one sentence a line (its dataset's
    ``sentence_per_line``: FEVER's evidence); False for a user's own file."""
    return bool(getattr(getattr(study, "dataset_spec", None), "sentence_per_line", False))


def lengths(human: pd.DataFrame, synthetic: pd.DataFrame, task: str) -> pd.DataFrame:
    """Word counts: columns ``source, field, row_id, words, pair`` (:func:`_pair_ids`; empty
    texts dropped, counted)."""
    out, dropped = [], []
    for source, field, frame in _pairs(human, synthetic, task, FIELDS[_task(task)]):
        texts = frame[field]
        keep = _has_text(texts)
        _count(dropped, source, field, "empty text", int((~keep).sum()))
        for row_id, pair, text in zip(frame["row_id"][keep], _pair_ids(frame, source)[keep],
                                      texts[keep]):
            out.append((source, field, str(row_id), len(str(text).split()), pair))
    result = pd.DataFrame(out, columns=["source", "field", "row_id", "words", "pair"])
    result["words"] = result["words"].astype("int64")
    result.attrs["dropped"] = dropped
    return result


def _folded(text: object) -> str:
    """``text`` lower-cased, white space folded to single spaces, stripped."""
    return re.sub(r"\s+", " ", str(text).lower()).strip()


def copied_false_claims(rows: pd.DataFrame) -> tuple[int, int]:
    """FV: ``(claims labelled false (0) that stand word for word in their own context,
    claims labelled false)``. Lower-cased, white space folded, a final period dropped. A
    claim copied from its evidence is supported by it, so under the label false it is a
    wrong label: Gemma 3 270M's FEVER twins had 48 of 247 (the human rows none, 2026-12-05),
    which the label check (the label written against the one asked) cannot see."""
    def norm(text: object) -> str:
        return _folded(text).rstrip(".").strip()

    false = rows[rows["label"].astype(int) == 0]
    copied = sum(bool(c) and c in norm(x) for c, x in
                 zip(false["claim"].map(norm), false["context"]))
    return int(copied), len(false)


def answers_not_in_context(rows: pd.DataFrame) -> tuple[int, int]:
    """QA: ``(rows whose answer does not stand word for word in their own context, rows)``,
    lower-cased with white space folded: an extractive learner has at best an approximate span
    there (the encoder's ``find_answer_span`` takes a close one, token F1 >= 0.5, or drops
    the row; ROPES's cpu-profile twins: 248 of 500, its human rows 60)."""
    missing = sum(not (a and a in _folded(c)) for a, c in
                  zip(rows["answer"].map(_folded), rows["context"]))
    return int(missing), len(rows)


def twin_defects(real: pd.DataFrame, synthetic: pd.DataFrame) -> str:
    """What the twins that replace the human rows carry, said beside finding 1 (notebook 02
    and the index; the counts notebook 01 shows): FV, the twins labelled false whose claim
    copies their context (a wrong label, :func:`copied_false_claims`); QA, the twins without
    their answer in their context (:func:`answers_not_in_context`); each beside the human
    rows'. '' when the twins have neither."""
    own = synthetic[synthetic["source_row_id"].isin(real["row_id"])]
    if own.empty:
        return ""
    if {"claim", "label", "context"} <= set(own.columns):
        copied, false = copied_false_claims(own)
        human, human_false = copied_false_claims(real)
        if copied:
            return (f"{copied} of the {false} twins labelled false copy their context word "
                    f"for word, a supported claim under the label false: at least "
                    f"{math.floor(1000 * copied / len(own)) / 10:g}% "  # a floor: not up
                    f"of the twins carry a wrong label (the human rows: {human} of "
                    f"{human_false}), noise that every synthetic fraction inherits.")
    if {"answer", "context"} <= set(own.columns):
        missing, of = answers_not_in_context(own)
        human, human_of = answers_not_in_context(real)
        if missing:
            return (f"{missing} of the {of} twins have an answer that does not stand word "
                    f"for word in their context (the human rows: {human} of {human_of}), so an "
                    "extractive learner trains on them through an approximate span at best, "
                    "and the runs' trained-row counts say how many it kept.")
    return ""


def best_sentence(text: str, sentences: list[str]) -> tuple[int, float]:
    """The index of the first sentence with the highest BLEU of ``text`` against it, and that
    BLEU on 0-100 (``metrics.bleu``: ``text`` is the hypothesis, the sentence the reference)."""
    from littlehuman.metrics import bleu

    if not sentences:
        raise LittleHumanError("best_sentence needs at least one sentence: drop empty contexts first")
    scores = [bleu(text, s) for s in sentences]
    best = int(np.argmax(scores))  # the first maximum, as the authors' strict ">"
    return best, 100.0 * scores[best]


def extractiveness(human: pd.DataFrame, synthetic: pd.DataFrame, task: str,
                   fields: Iterable[str] | None = None, by_line: bool = False) -> pd.DataFrame:
    """Max sentence BLEU of each generation against its own context (Figure 17), its
    sentences split by :func:`split_sentences` (``by_line``: one a line, FEVER's evidence).

    Columns ``source, field, row_id, bleu`` (0-100), ``sentence`` (0-based index of the best
    sentence), ``n_sentences``, ``words`` (the text's whitespace words: under 4, BLEU-4 is 0),
    ``pair`` (:func:`_pair_ids`). Rows with an empty text or no context sentence are dropped and
    counted in ``attrs["dropped"]``.
    """
    task = _task(task)
    out, dropped = [], []
    split_cache: dict[str, list[str]] = {}
    for source, field, frame in _pairs(human, synthetic, task, list(fields or FIELDS[task])):
        n_empty = n_no_context = 0
        for row_id, pair, context, text in zip(frame["row_id"], _pair_ids(frame, source),
                                               frame["context"], frame[field]):
            if not _is_text(text):
                n_empty += 1
                continue
            key = context if isinstance(context, str) else ""
            if key not in split_cache:
                split_cache[key] = split_sentences(key, by_line)
            sentences = split_cache[key]
            if not sentences:
                n_no_context += 1
                continue
            index, score = best_sentence(str(text), sentences)
            out.append((source, field, str(row_id), score, index, len(sentences),
                        len(str(text).split()), pair))
        _count(dropped, source, field, "empty text", n_empty)
        _count(dropped, source, field, "no context sentences", n_no_context)
    result = pd.DataFrame(out, columns=["source", "field", "row_id", "bleu", "sentence",
                                        "n_sentences", "words", "pair"])
    result = result.astype({"bleu": "float64", "sentence": "int64", "n_sentences": "int64",
                            "words": "int64"})
    result.attrs["dropped"] = dropped
    return result


def positions(extractive: pd.DataFrame, fields: Iterable[str] | None = None,
              drop_zero_bleu: bool = True) -> pd.DataFrame:
    """Relative position of the best-matching sentence (Figure 18), from :func:`extractiveness`.

    Adds ``position = sentence / (n_sentences - 1)`` in [0, 1]. Keeps ``fields`` only (default:
    every field present, as in the paper's figure). Drops and counts rows whose
    context has one sentence (no position) and, with ``drop_zero_bleu``, rows whose maximum BLEU
    is 0 (no sentence shares n-grams with the text; the "best" sentence is then arbitrary).
    """
    keep = None if fields is None else list(fields)
    frame = extractive if keep is None else extractive[extractive["field"].isin(keep)]
    dropped = [d for d in extractive.attrs.get("dropped", []) if keep is None or d["field"] in keep]
    one = frame["n_sentences"] < 2
    zero = (frame["bleu"] <= 0.0) & ~one if drop_zero_bleu else pd.Series(False, index=frame.index)
    for (source, field), group in frame.groupby(["source", "field"], sort=False):
        _count(dropped, source, field, "one-sentence context", int(one[group.index].sum()))
        _count(dropped, source, field, "max BLEU 0", int(zero[group.index].sum()))
    result = frame[~(one | zero)].copy()
    result["position"] = (result["sentence"] / (result["n_sentences"] - 1)).astype("float64")
    result = result.reset_index(drop=True)
    result.attrs["dropped"] = dropped
    return result


#: the fewest rows per source for a p-value: ROPES's answer positions kept 4 human rows (the
#: rest had no sentence sharing an n-gram) and printed p = 0.002 for them
MIN_ROWS_FOR_P = 10


def summary(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Per field and source: rows, mean, median, quartiles and IQR of ``value``, a two-sided
    p-value of human against synthetic on that field (the same on both rows of a field; NA
    when a side has fewer than :data:`MIN_ROWS_FOR_P` rows) and the ``test`` that gave it:
    the Wilcoxon signed-rank test on the pairs of a human row and its own twin (column
    ``pair``: the same context, so a context's own length or wording cancels) where at least
    :data:`MIN_ROWS_FOR_P` pairs have both, else Mann-Whitney U on the two samples."""
    from scipy.stats import mannwhitneyu, wilcoxon

    out = []
    for field in dict.fromkeys(frame["field"]):
        part = frame[frame["field"] == field]
        per_source = {s: part.loc[part["source"] == s, value].to_numpy(dtype=float)
                      for s in SOURCES}
        p, test = pd.NA, f"none (under {MIN_ROWS_FOR_P} rows a side)"
        paired = _paired(part, value)
        if len(paired) >= MIN_ROWS_FOR_P:
            p = float(wilcoxon(paired["synthetic"] - paired["human"],
                               zero_method="zsplit").pvalue)
            test = f"signed-rank, {len(paired):,} pairs"
        elif all(len(v) >= MIN_ROWS_FOR_P for v in per_source.values()):
            p = float(mannwhitneyu(per_source["human"], per_source["synthetic"],
                                   alternative="two-sided").pvalue)
            test = "Mann-Whitney U"
        for source, values in per_source.items():
            stats = _describe(values)
            out.append({"field": field, "source": source, **stats, "p": p, "test": test})
    columns = ["field", "source", "rows", "mean", "median", "q25", "q75", "IQR", "p", "test"]
    return pd.DataFrame(out, columns=columns)


def _paired(part: pd.DataFrame, value: str) -> pd.DataFrame:
    """One field's ``value`` as columns human and synthetic, one row per pair with both
    (empty without a ``pair`` column)."""
    if "pair" not in part:
        return pd.DataFrame(columns=list(SOURCES))
    wide = part.drop_duplicates(["source", "pair"]).pivot(index="pair", columns="source",
                                                          values=value)
    return wide.reindex(columns=list(SOURCES)).dropna()


#: the paper's reading of each measure, per task and field: +1 synthetic higher, -1 lower,
#: 0 alike (section 4 of PROTOCOL: synthetic QA longer, claims alike; synthetic more
#: extractive; humans favour the start of the text, so their positions are the lower)
PAPER_DIRECTIONS: dict[str, dict[str, dict[str, int]]] = {
    "words": {"fv": {"claim": 0}, "qa": {"question": +1, "answer": +1}},
    "bleu": {"fv": {"claim": +1}, "qa": {"question": +1, "answer": +1}},
    "position": {"fv": {"claim": +1}, "qa": {"question": +1, "answer": +1}},
}
#: a source that kept fewer than this share of its rows for a measure (the rest dropped, e.g.
#: positions of rows sharing no 4-gram with any sentence) is not read against the paper
MIN_KEPT_SHARE = 0.5
#: at least this share of a source's texts under 4 words: unsmoothed BLEU-4 scores such a text
#: 0 whatever its overlap (it has no 4-gram), so the measure says nothing of their
#: extractiveness (ROPES's 1-3 word answers; a claim sharing no 4-gram is a real 0)
MAX_SHORT_SHARE = 0.5
_MEASURE_WORDS = {"words": ("longer", "shorter", "length"),
                  "bleu": ("more extractive", "less extractive", "extractiveness"),
                  "position": ("later in the context", "earlier in the context", "position")}


def same_decimals(*values: float, digits: int = 3) -> list[str]:
    """``values`` with as many decimals each, enough for ``digits`` significant digits of the
    smallest in size: '5.67' and '13.62', not '5.67' and '13.6' (page 05 set a 3-digit mean
    beside a 2-decimal one); whole numbers past 10**digits."""
    numbers = [float(v) if pd.notna(v) else math.nan for v in values]
    sizes = [abs(v) for v in numbers if v and math.isfinite(v)]
    smallest = min(sizes) if sizes else 1.0
    decimals = max(0, digits - 1 - math.floor(math.log10(smallest)))
    return [f"{v:.{decimals}f}" for v in numbers]


def against_paper(frame: pd.DataFrame, value: str, task: str, alpha: float = 0.05) -> list[str]:
    """One sentence per field of ``frame`` (:func:`lengths`' ``words``, :func:`extractiveness`'
    ``bleu`` or :func:`positions`' ``position``): synthetic against human by their means and
    :func:`summary`'s p (paired where it can), beside the paper's reading
    (:data:`PAPER_DIRECTIONS`):
    "as the paper", "unlike the paper", or that this sample cannot tell (p >= ``alpha``, or
    too few rows for a test)."""
    expected = PAPER_DIRECTIONS[value][_task(task)]
    up, down, noun = _MEASURE_WORDS[value]
    table = summary(frame, value).set_index(["field", "source"])
    gone = dropped(frame)  # a one-sentence context has no position to lose: not counted
    lost = gone[gone["reason"] != "one-sentence context"].groupby(["source", "field"])["rows"].sum()
    out = []
    for field in dict.fromkeys(frame["field"]):
        if field not in expected:
            continue
        h, syn = (table.loc[(field, source)] for source in ("human", "synthetic"))
        p = h["p"]
        paper = {+1: f"synthetic {up}", -1: f"synthetic {down}", 0: f"alike in {noun}"}[expected[field]]
        pairs = (_paired(frame[frame["field"] == field], value)
                 if str(h["test"]).startswith("signed-rank") else None)
        if pairs is not None and len(pairs):  # the means of what the test compared (a
            s_mean, h_mean = pairs["synthetic"].mean(), pairs["human"].mean()  # reviewer:
            over = f" over the {len(pairs):,} pairs tested"  # 30 and 84 rows beside 18 pairs)
        else:
            s_mean, h_mean, over = syn["mean"], h["mean"], ""
        means = (f"means{over} {' synthetic vs '.join(same_decimals(s_mean, h_mean))} human"
                 + (f", {s_mean / h_mean:.2g}x" if h_mean else "")  # how much, not
                 if syn["rows"] and h["rows"] else "a source without rows")  # only whether
        kept = {s: int(table.loc[(field, s), "rows"]) for s in SOURCES}
        total = {s: kept[s] + int(lost.get((s, field), 0)) for s in SOURCES}
        few = [f"{kept[s]:,} of {total[s]:,} {s}" for s in SOURCES
               if total[s] and kept[s] < MIN_KEPT_SHARE * total[s]]
        if few:
            out.append(f"{field} {noun}: measured on only {' and '.join(few)} rows (the rest "
                       f"dropped: the figure's caption counts them by reason), too few of them "
                       f"to stand for "
                       f"the {field}s, so not read against the paper ({means}; the paper: "
                       f"{paper}).")
            continue
        if value == "bleu" and "words" in frame:
            short = {s: float((frame.loc[(frame["field"] == field) & (frame["source"] == s),
                                         "words"] < 4).mean()) for s in SOURCES if kept[s]}
            if any(v >= MAX_SHORT_SHARE for v in short.values()):
                shares = " and ".join(f"{_share(short[s])} of {s}" for s in short)
                out.append(f"{field} {noun}: {shares} {field}s are under 4 words, which "
                           f"unsmoothed BLEU-4 scores 0 whatever they copy, so it cannot "
                           f"measure their extractiveness here; the paper: {paper}.")
                continue
        if pd.isna(p):
            out.append(f"{field} {noun}: too few rows to test ({means}); the paper: {paper}.")
            continue
        if p >= alpha:
            seen, agrees = f"no difference this sample can show ({_p(p)})", expected[field] == 0
        else:
            sign = +1 if s_mean > h_mean else -1  # the means of what was tested, as printed
            seen = f"synthetic {up if sign > 0 else down} ({_p(p)})"
            agrees = sign == expected[field]
        reading = ("as the paper" if agrees else "the paper's difference is not seen here"
                   if p >= alpha else "unlike the paper")
        out.append(f"{field} {noun}: {seen}, {means}: {reading} ({paper}).")
        if value == "position":
            part = frame[frame["field"] == field]
            out.append(_spread_against_paper(
                field, *(part.loc[part["source"] == s, value].to_numpy(dtype=float)
                         for s in ("human", "synthetic")), alpha))
    return out


def _spread_against_paper(field: str, human: np.ndarray, synthetic: np.ndarray,
                          alpha: float) -> str:
    """How spread out the two sources' positions are, beside the paper's "synthetic sources
    are more spread out" (page 05 read only their means, "later in the context", a user):
    their interquartile ranges, and the Brown-Forsythe test of equal spread (scipy's
    ``levene`` about the medians; the two samples, not paired: a pair's two positions say
    nothing of spread). :func:`against_paper` calls it once a field has rows enough to test."""
    from scipy.stats import levene

    iqr = {source: float(np.subtract(*np.percentile(values, [75, 25])))
           for source, values in (("human", human), ("synthetic", synthetic))}
    said = f"interquartile ranges {' synthetic vs '.join(same_decimals(iqr['synthetic'], iqr['human']))} human"
    paper = "synthetic more spread out"
    if min(len(human), len(synthetic)) < MIN_ROWS_FOR_P:
        return f"{field} position spread: too few rows to test ({said}); the paper: {paper}."
    with np.errstate(all="ignore"):
        p = float(levene(human, synthetic, center="median").pvalue)
    if not math.isfinite(p):  # neither source varies about its median: alike
        p = 1.0
    if p >= alpha:
        return (f"{field} position spread: no difference this sample can show "
                f"(Brown-Forsythe, {_p(p)}), {said}: the paper's difference is not seen "
                f"here ({paper}).")
    wider = (np.abs(synthetic - np.median(synthetic)).mean()
             > np.abs(human - np.median(human)).mean())  # the test's own statistic's sides
    return (f"{field} position spread: synthetic {'more' if wider else 'less'} spread out "
            f"(Brown-Forsythe, {_p(p)}), {said}: "
            f"{'as the paper' if wider else 'unlike the paper'} ({paper}).")


def dropped(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows an analysis frame dropped: ``source, field, reason, rows`` (empty if none)."""
    return pd.DataFrame(frame.attrs.get("dropped", []), columns=DROPPED_COLUMNS)


def counts(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Rows kept per (source, field), zero for a source with none (for captions)."""
    fields = list(dict.fromkeys(frame["field"]))
    sizes = frame.groupby(["source", "field"]).size()
    return {(s, f): int(sizes.get((s, f), 0)) for f in fields for s in SOURCES}


# ---- helpers ------------------------------------------------------------------------------
def _share(x: float) -> str:
    """'78%'; never '100%' or '0%' unless it is all or none ('over 99%', 'under 1%')."""
    if 0.99 < x < 1:
        return "over 99%"
    if 0 < x < 0.01:
        return "under 1%"
    return f"{x:.0%}"


def _p(p: float) -> str:
    """'p = 0.14', 'p < 0.001' (not 'p = 0', which a test at 5,000 rows underflows to)."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _task(task: str) -> str:
    if task not in FIELDS:
        raise LittleHumanError(f"unknown task {task!r}: use 'fv' or 'qa'")
    return task


def _pairs(human: pd.DataFrame, synthetic: pd.DataFrame, task: str, fields: list[str]):
    """(source, field, frame) for each source and field, after checking the columns."""
    for source, frame in zip(SOURCES, (human, synthetic)):
        missing = [c for c in ["row_id", "context", *fields] if c not in frame.columns]
        if missing:
            raise LittleHumanError(f"{source} rows lack column(s) {missing} for a {task.upper()} "
                                   "analysis: pass unified rows of that task")
        for field in fields:
            yield source, field, frame


def _pair_ids(frame: pd.DataFrame, source: str) -> pd.Series:
    """What pairs a human row with its twin: the human row's id, and a twin's
    ``source_row_id`` (its own id where it has none)."""
    column = "source_row_id" if source == "synthetic" and "source_row_id" in frame else "row_id"
    return frame[column].astype(str)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _has_text(texts: pd.Series) -> pd.Series:
    return texts.map(_is_text).astype(bool)


def _count(dropped: list[dict], source: str, field: str, reason: str, n: int) -> None:
    if n:
        dropped.append({"source": source, "field": field, "reason": reason, "rows": n})


def _describe(values: np.ndarray) -> dict[str, object]:
    if not len(values):
        return {"rows": 0, "mean": pd.NA, "median": pd.NA, "q25": pd.NA, "q75": pd.NA,
                "IQR": pd.NA}
    q25, median, q75 = np.percentile(values, [25, 50, 75])
    return {"rows": len(values), "mean": float(values.mean()), "median": float(median),
            "q25": float(q25), "q75": float(q75), "IQR": float(q75 - q25)}
