"""The encoder learner's QA answer spans, free of torch: which training rows it can label
(:func:`find_answer_span`), the token F1 it selects epochs on, and the line it stops with when
none of a run's rows is usable (:func:`no_usable_rows`), which the command line says before any
twin is generated (:func:`qa_rows_problem`) rather than after (importing torch costs seconds)."""
from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from littlehuman.learners.base import as_texts

SPAN_BREAK = "|"  # a predicted span never crosses one (QAConv: the end of each turn)
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token F1 over lower-cased word tokens (1.0 when both are empty)."""
    pred, ref = _words(prediction), _words(gold)
    if not pred or not ref:
        return float(pred == ref)
    overlap = sum((Counter(pred) & Counter(ref)).values())
    if overlap == 0:
        return 0.0
    p, r = overlap / len(pred), overlap / len(ref)
    return 2 * p * r / (p + r)


def find_answer_span(
    context: str, answer: str, slack: int = 5, min_f1: float = 0.5, start: int = 0
) -> tuple[int, int, bool] | None:
    """The character span ``(start, end, fuzzy)`` of ``answer`` in ``context`` from character
    ``start`` on (a tail-cut context's first kept one: a word cut there is not a word), or None.

    First the first case-insensitive verbatim occurrence (preferring one on word boundaries)
    that crosses no :data:`SPAN_BREAK`, with ``fuzzy=False``: a label across one (a QAConv
    answer quoting two turns) teaches a span no prediction can give. Otherwise the span of
    whole context words, at most ``len(answer words) + slack`` long and within one :data:`SPAN_BREAK`-delimited piece (no
    predicted span crosses one), with the highest token F1 against the answer (ties: the
    earliest, then the shortest), with ``fuzzy=True`` if that F1 is at least ``min_f1``.
    """
    answer = answer.strip()
    if not answer:
        return None
    pattern = re.escape(answer)
    match = (re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE).search(context, start)
             or re.compile(pattern, re.IGNORECASE).search(context, start))
    if match and SPAN_BREAK not in match.group():
        return match.start(), match.end(), False
    target = Counter(_words(answer))
    n_target = sum(target.values())
    words = [w for w in _WORD.finditer(context) if w.start() >= start]
    best_f1, best = 0.0, None
    for i in range(len(words)):
        seen: Counter[str] = Counter()
        overlap = 0
        for j in range(i, min(i + n_target + slack, len(words))):
            if j > i and SPAN_BREAK in context[words[j - 1].end():words[j].start()]:
                break
            w = words[j].group().lower()
            overlap += seen[w] < target[w]
            seen[w] += 1
            if overlap:
                f1 = 2 * overlap / (j - i + 1 + n_target)
                if f1 > best_f1 + 1e-12:
                    best_f1, best = f1, (words[i].start(), words[j].end())
    if best is None or best_f1 < min_f1:
        return None
    return best[0], best[1], True


def no_usable_rows(rows: int) -> str:
    """The encoder's line when none of a run's ``rows`` training rows has an answer span it
    can label."""
    return (f"encoder learner: none of the {rows} training rows is usable (QA answers must "
            "occur in, or closely match, the context within max_length)")


def qa_rows_problem(rows: pd.DataFrame, size: int | None = None) -> str | None:
    """The encoder's own line (:func:`no_usable_rows`, for a run of ``size`` rows, default
    ``len(rows)``) when none of the QA ``rows`` has an answer span in its context
    (:func:`find_answer_span`, the encoder's rule, before it cuts the context at max_length;
    stops at the first usable row), else None: a run trained on them alone would stop there,
    after the twins were generated (and, by an API, paid for)."""
    if any(find_answer_span(context, answer) is not None
           for context, answer in zip(as_texts(rows["context"]), as_texts(rows["answer"]))):
        return None
    return no_usable_rows(len(rows) if size is None else size)
