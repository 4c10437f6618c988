"""Metrics against values worked out by hand (the arithmetic is in the comments).

All strings here are invented; no dataset text.
"""
from __future__ import annotations

import math

import pytest

from littlehuman import metrics as M
from littlehuman.errors import LittleHumanError


def test_normalize():
    assert M.normalize("  Paris\n") == "paris"
    assert M.normalize(None) == ""
    assert M.normalize(float("nan")) == ""


def test_accuracy():
    # matches at positions 0 and 2 -> 2/4
    assert M.accuracy([1, 0, 1, 1], [1, 1, 1, 0]) == 0.5
    # a missing prediction counts as wrong -> 1/2
    assert M.accuracy([None, 0], [1, 0]) == 0.5


def test_exact_match_case_and_whitespace():
    assert M.exact_match("  PARIS ", "paris") == 1.0
    assert M.exact_match("paris, france", "Paris") == 0.0
    assert M.exact_match("", "") == 1.0


def test_inclusion():
    assert M.inclusion("The city of PARIS ", " paris") == 1.0  # "paris" in "the city of paris"
    assert M.inclusion("par", "paris") == 0.0
    assert M.inclusion("", "paris") == 0.0


def test_reverse_inclusion():
    assert M.reverse_inclusion(" Paris", "paris, FRANCE") == 1.0  # "paris" in "paris, france"
    assert M.reverse_inclusion("the city of paris", "paris") == 0.0
    # an empty prediction is trivially a substring, but scores 0 by our rule
    assert M.reverse_inclusion("", "paris") == 0.0
    assert M.reverse_inclusion("   ", "paris") == 0.0
    assert M.reverse_inclusion(None, "paris") == 0.0


def test_bleu_long_reference_by_hand():
    # ref  "the cat sat on the mat today" (7 tokens), hyp "the cat sat on a mat" (6 tokens)
    # 1-grams: the cat sat on a mat -> all but "a" match              -> 5/6
    # 2-grams: the cat, cat sat, sat on | on a, a mat                  -> 3/5
    # 3-grams: the cat sat, cat sat on | sat on a, on a mat            -> 2/4
    # 4-grams: the cat sat on | cat sat on a, sat on a mat             -> 1/3
    # geo mean = (5/6 * 3/5 * 2/4 * 1/3) ** (1/4) = (1/12) ** 0.25
    # BP = exp(1 - 7/6) since the hypothesis is shorter
    expected = (1 / 12) ** 0.25 * math.exp(1 - 7 / 6)  # = 0.45480...
    assert M.bleu("The cat sat on a mat", "the cat sat on the mat today") == pytest.approx(expected)
    assert expected == pytest.approx(0.454802, abs=1e-6)


def test_bleu_four_token_reference_uses_plain_bleu():
    # ref "new york city hall" has 4 tokens: ordinary BLEU; hyp "new york city" has no 4-gram,
    # so p4 is 0 and so is the score
    assert M.bleu("new york city", "new york city hall") == 0.0
    assert M.bleu("New York City Hall", "new york city hall") == pytest.approx(1.0)


def test_bleu_short_reference_authors_rule():
    # ref "new york city" (3 tokens), hyp "new york city hall" (4 tokens, BP = 1)
    # p1 = 3/4, p2 = 2/3, p3 = 1/2 -> (3/4 * 2/3 * 1/2) ** (1/3) = (1/4) ** (1/3) = 0.62996
    # (plain 4-gram BLEU would be 0: the one hypothesis 4-gram does not match)
    assert M.bleu("new york city hall", "new york city") == pytest.approx(0.25 ** (1 / 3))
    # ref "barack obama" (2 tokens), hyp "president barack obama": p1 = 2/3, p2 = 1/2 -> sqrt(1/3)
    assert M.bleu("president barack obama", "Barack Obama") == pytest.approx(math.sqrt(1 / 3))
    # 13a tokenisation splits the full stop: ref "paris" (1 token), hyp "paris ." -> p1 = 1/2
    assert M.bleu("paris.", "paris") == pytest.approx(0.5)
    # a hypothesis shorter than a short reference has no ref_len-gram: p2 = 0 -> 0
    assert M.bleu("obama", "barack obama") == 0.0
    # empty prediction: exact match against gold
    assert M.bleu("", "paris") == 0.0


def test_rouge1_is_rouge_scores_rouge_scorer():
    """rouge1 skips RougeScorer's module (it imports nltk) but must score exactly as it does:
    seeded random pairs with case, punctuation, digits, accents, repeats and no-token text."""
    import random

    from rouge_score.rouge_scorer import RougeScorer

    scorer = RougeScorer(["rouge1"])
    vocab = ["the", "The", "CAT", "cat", "sat", "on", "mat.", "mat", "3", "3rd", "über", "naïve",
             "it's", "don't", "--", "!!", "a", "A", "x-ray", "日本", "été", "  ", "?"]
    rng = random.Random(0)
    for _ in range(2000):
        pred = " ".join(rng.choices(vocab, k=rng.randint(0, 8)))
        gold = " ".join(rng.choices(vocab, k=rng.randint(1, 8)))
        p, g = M.normalize(pred), M.normalize(gold)
        want = (M._empty_rule(p, g) if not p or not g else
                scorer.score(g, p)["rouge1"].fmeasure)
        assert M.rouge1(pred, gold) == pytest.approx(want, abs=1e-12), (pred, gold)


def test_rouge1_by_hand():
    # gold "the cat sat on the mat" (6 tokens), pred "the cat on a mat" (5 tokens)
    # clipped unigram overlap: the, cat, on, mat = 4; P = 4/5, R = 4/6
    # F = 2PR / (P + R) = 2 * (4/5) * (2/3) / (4/5 + 2/3) = (16/15) / (22/15) = 8/11
    assert M.rouge1("The cat on a mat!", "the cat sat on the mat") == pytest.approx(8 / 11)
    assert M.rouge1("", "paris") == 0.0


def test_per_example_and_score_qa_without_bertscore():
    preds = ["Paris", "the city of rome", ""]
    golds = ["paris", "rome", "berlin"]
    frame = M.per_example("qa", preds, golds, bertscore=False)
    assert list(frame.columns) == [m for m in M.METRICS["qa"] if m != "bertscore_f1"]
    assert len(frame) == 3
    assert frame["exact_match"].tolist() == [1.0, 0.0, 0.0]
    assert frame["inclusion"].tolist() == [1.0, 1.0, 0.0]
    assert frame["reverse_inclusion"].tolist() == [1.0, 0.0, 0.0]
    # bleu row 2: ref "rome" (1 token), hyp 4 tokens: p1 = 1/4, BP = 1 -> 0.25
    assert frame["bleu"].tolist() == pytest.approx([1.0, 0.25, 0.0])
    # rouge1 row 2: P = 1/4, R = 1 -> F = 2 * 1/4 / (5/4) = 0.4
    assert frame["rouge1"].tolist() == pytest.approx([1.0, 0.4, 0.0])
    result = M.score("qa", preds, golds, bertscore=False)
    assert result["n"] == 3
    assert result["inclusion"] == pytest.approx(2 / 3)
    assert result["bleu"] == pytest.approx(1.25 / 3)


def test_per_example_and_score_fv():
    frame = M.per_example("fv", [1, 0, 0], [1, 1, 0])
    assert list(frame.columns) == ["accuracy"]
    assert frame["accuracy"].tolist() == [1.0, 0.0, 1.0]
    assert M.score("fv", [1, 0, 0], [1, 1, 0]) == {"accuracy": pytest.approx(2 / 3), "n": 3}


def test_bad_inputs():
    with pytest.raises(LittleHumanError, match="unknown task"):
        M.per_example("nli", [1], [1])
    with pytest.raises(LittleHumanError, match="2 predictions for 1"):
        M.score("fv", [1, 0], [1])
    with pytest.raises(LittleHumanError, match="nothing to score"):
        M.accuracy([], [])


def test_labels_cover_metrics():
    assert set(M.METRIC_LABELS) == {m for names in M.METRICS.values() for m in names}


# --- BERTScore: one model load for the module (the scorer is cached per process) -------------
PAIRS = [
    ("the capital of france", "the capital of france"),  # identical
    ("a crimson automobile", "a red car"),  # paraphrase
    ("photosynthesis in green plants", "a red car"),  # unrelated
    ("", "a red car"),  # empty prediction: exact match rule
]


@pytest.fixture(scope="module")
def bert_f1() -> list[float]:
    return M.bertscore_f1([p for p, _ in PAIRS], [g for _, g in PAIRS])


def test_bertscore_identical_is_one(bert_f1):
    assert bert_f1[0] == pytest.approx(1.0, abs=1e-4)


def test_bertscore_paraphrase_beats_unrelated(bert_f1):
    assert 0.0 < bert_f1[2] < bert_f1[1] < bert_f1[0]
    assert bert_f1[3] == 0.0


def test_bertscore_deterministic_and_batch_independent(bert_f1):
    again = M.bertscore_f1([p for p, _ in PAIRS], [g for _, g in PAIRS])
    assert again == bert_f1
    alone = M.bertscore_f1([PAIRS[1][0]], [PAIRS[1][1]])
    assert alone[0] == pytest.approx(bert_f1[1], abs=1e-5)


def test_per_example_qa_with_bertscore(bert_f1):
    frame = M.per_example("qa", [p for p, _ in PAIRS], [g for _, g in PAIRS])
    assert list(frame.columns) == M.METRICS["qa"]
    assert frame["bertscore_f1"].tolist() == pytest.approx(bert_f1, abs=1e-5)


def test_loading_the_bertscore_model_writes_no_progress_bar(capfd):
    """transformers' "Loading weights" bar had landed in the reports' first cell (a helper's
    walk: CoQA's notebooks 02 and 03)."""
    M._bert_scorer.cache_clear()
    try:
        M.bertscore_f1(["a red car"], ["a crimson automobile"])
    finally:
        captured = capfd.readouterr()
    assert "Loading weights" not in captured.err + captured.out
