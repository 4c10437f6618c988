"""The CPU encoder learner on invented toy rows (fixtures: no dataset text).

FV toy task: a claim that copies a context sentence is 1, a claim about something absent is 0.
QA toy task: the answer is the word after the fixed cue "The password is".
"""
from __future__ import annotations

import json
import random

import pandas as pd
import pytest
import torch

from littlehuman.errors import LittleHumanError
from littlehuman.learners import make_learner
from littlehuman.learners.encoder import EncoderLearner, find_answer_span
from littlehuman.learners.spans import token_f1

SUBJECTS = ["The baker", "A sailor", "The old clock", "My neighbour", "The red kite", "A quiet fox",
            "The teacher", "A tall tree", "The river boat", "The small robot", "A green lamp", "The violin"]
VERBS = ["painted the fence", "sang at dawn", "lost a shoe", "counted the stars", "fixed the roof",
         "baked a pie", "crossed the bridge", "slept all day", "found a coin", "read a letter"]
ABSENT = ["Volcanoes erupt under the polar ice", "Seven dragons guard the treasury",
          "The stock market closed at a record", "Penguins deliver mail in winter",
          "Quantum computers solve chess", "The senator vetoed the budget bill"]
WORDS = ["zorbat", "plimmer", "quandle", "vestrik", "mollaby", "trinket", "gauze", "fennick",
         "lopsang", "drabble", "kestrel", "wimple"]
# one thread: fast on a shared machine and the same float order on every machine
FAST = dict(batch_size=8, max_length=64, progress=False, threads=1)


def _sentences(r: random.Random, n: int = 3) -> list[str]:
    return [f"{r.choice(SUBJECTS)} {r.choice(VERBS)}." for _ in range(n)]


def fv_rows(n: int, seed: int) -> pd.DataFrame:
    r = random.Random(seed)
    rows = []
    for i in range(n):
        sents, label = _sentences(r), i % 2
        claim = r.choice(sents) if label else r.choice(ABSENT) + "."
        rows.append({"context": " ".join(sents), "claim": claim, "label": label})
    return pd.DataFrame(rows)


def qa_rows(n: int, seed: int) -> pd.DataFrame:
    r = random.Random(seed)
    rows = []
    for _ in range(n):
        word, sents = r.choice(WORDS), _sentences(r)
        sents.insert(r.randrange(4), f"The password is {word}.")
        rows.append({"context": " ".join(sents), "question": "What is the password?", "answer": word})
    return pd.DataFrame(rows)


def qa_train() -> pd.DataFrame:
    """Toy QA rows plus two rows without a span, one fuzzy row and one span past max_length."""
    extra = [
        {"context": "The baker sang at dawn.", "question": "What is the password?", "answer": "purple elephants"},
        {"context": "A sailor lost a shoe.", "question": "What is the password?", "answer": "zorbat"},
        {"context": "The password is gauze. A fox slept.", "question": "What is the password?",
         "answer": "the password was gauze"},
        {"context": "A tall tree read a letter. " * 20 + "The password is wimple.",
         "question": "What is the password?", "answer": "wimple"},
    ]
    return pd.concat([qa_rows(40, 1), pd.DataFrame(extra)], ignore_index=True)


@pytest.fixture(scope="module")
def fv_learner() -> EncoderLearner:
    train = fv_rows(64, 1)
    long_claim = {"context": "The violin slept all day.", "claim": "The violin slept all day. " * 10, "label": 1}
    train = pd.concat([train, pd.DataFrame([long_claim])], ignore_index=True)
    return EncoderLearner("fv", seed=0, epochs=3, lr=2e-4, **FAST).fit(train)


@pytest.fixture(scope="module")
def qa_learner() -> EncoderLearner:
    return EncoderLearner("qa", seed=0, epochs=2, lr=3e-4, **FAST).fit(qa_train(), valid=qa_rows(12, 3))


# ---------------------------------------------------------------- span matching
def test_span_verbatim_and_case_insensitive() -> None:
    context = "Once upon a time the King of Spades met a fox."
    start, end, fuzzy = find_answer_span(context, "king of spades")
    assert (context[start:end], fuzzy) == ("King of Spades", False)
    start, end, fuzzy = find_answer_span(context, "  a fox ")
    assert (context[start:end], fuzzy) == ("a fox", False)


def test_span_prefers_whole_words() -> None:
    context = "The concatenation had a cat in it."
    start, end, _ = find_answer_span(context, "cat")
    assert context[start:end] == "cat" and start == context.index(" cat ") + 1


def test_span_never_crosses_a_turn_break() -> None:
    """A QAConv answer quoting two turns ('yes| B: the red one') matched verbatim across the
    '|' that ends a turn: a label no prediction can give (predictions never cross one). The
    best span within one turn is taken instead."""
    context = "A: did you buy the car yes| B: the red one with a roof|"
    start, end, fuzzy = find_answer_span(context, "yes| B: the red one")
    assert fuzzy is True and "|" not in context[start:end]
    assert context[start:end] == "B: the red one"


def test_span_fuzzy_close_answer() -> None:
    context = "The girl went to the market to buy some fresh red apples for her mother."
    start, end, fuzzy = find_answer_span(context, "to buy red apples")
    assert fuzzy is True
    assert context[start:end] == "to buy some fresh red apples"
    assert token_f1(context[start:end], "to buy red apples") >= 0.5


def test_span_hopeless_is_none() -> None:
    assert find_answer_span("The girl went to the market.", "because she was very sad") is None
    assert find_answer_span("The girl went to the market.", "   ") is None


def test_token_f1() -> None:
    assert token_f1("The Red apple", "the red apple") == 1.0
    assert token_f1("", "") == 1.0 and token_f1("x", "") == 0.0
    assert token_f1("red apple", "red") == pytest.approx(2 / 3)


# ---------------------------------------------------------------- errors
def test_unknown_task_and_bad_rows() -> None:
    with pytest.raises(LittleHumanError, match="unknown task"):
        EncoderLearner("summarize")
    with pytest.raises(LittleHumanError, match="unknown task"):
        make_learner("encoder", task="nli")
    learner = EncoderLearner("fv", **FAST)
    with pytest.raises(LittleHumanError, match="not fitted"):
        learner.predict(fv_rows(2, 0))
    with pytest.raises(LittleHumanError, match="lack column"):
        learner.fit(pd.DataFrame({"context": ["a"], "claim": ["b"]}))
    with pytest.raises(LittleHumanError, match="0 or 1"):
        learner.fit(pd.DataFrame({"context": ["a"], "claim": ["b"], "label": [2]}))


# ---------------------------------------------------------------- FV
def test_fv_learns_toy_task(fv_learner: EncoderLearner) -> None:
    test = fv_rows(30, 2)
    preds = fv_learner.predict(test)
    assert all(isinstance(p, int) and p in (0, 1) for p in preds)
    accuracy = sum(p == y for p, y in zip(preds, test["label"])) / len(test)
    assert accuracy >= 0.8
    stats = fv_learner.fit_stats
    json.dumps(stats)
    assert stats["train_rows"] == 65 and stats["rows_claim_cut"] == 1
    assert stats["train_tokens"] > 0 and stats["tokens_per_s"] > 0
    assert stats["epochs_run"] == 3 and stats["valid_score"] is None


def test_threads_restored(fv_learner: EncoderLearner) -> None:
    before = torch.get_num_threads()
    fv_learner.predict(fv_rows(2, 6))
    assert torch.get_num_threads() == before


def test_fv_save_load_identical(fv_learner: EncoderLearner, tmp_path) -> None:
    test = fv_rows(12, 5)
    fv_learner.save(tmp_path / "fv")
    loaded = EncoderLearner.load(tmp_path / "fv")
    assert loaded.task == "fv" and loaded.fit_stats == json.loads(json.dumps(fv_learner.fit_stats))
    assert loaded.predict(test) == fv_learner.predict(test)
    assert loaded.predict(test.iloc[:0]) == []


# ---------------------------------------------------------------- QA
def test_qa_extracts_span(qa_learner: EncoderLearner) -> None:
    test = qa_rows(20, 2)
    preds = qa_learner.predict(test)
    assert all(isinstance(p, str) for p in preds)
    exact = sum(p.lower() == a for p, a in zip(preds, test["answer"])) / len(test)
    assert exact >= 0.8


def test_qa_fit_stats_and_selection(qa_learner: EncoderLearner) -> None:
    stats = qa_learner.fit_stats
    json.dumps(stats)
    assert stats["rows_without_span"] == 2
    assert stats["rows_fuzzy_span"] == 1
    assert stats["rows_span_truncated"] == 1
    assert stats["train_rows"] == stats["train_rows_in"] - 3
    # which rows: the two without a span (40, 41) and the one cut off (43) are out
    assert qa_learner.kept_rows == [*range(40), 42]
    assert stats["valid_metric"] == "token_f1" and len(stats["valid_scores"]) == 2
    assert stats["valid_score"] == max(stats["valid_scores"])
    assert stats["valid_scores"][stats["best_epoch"] - 1] == stats["valid_score"]


def test_best_epochs_weights_are_restored(monkeypatch) -> None:
    """The learner ends with the weights of the epoch with the best valid score, not the last
    (valid scores made up so that epoch 2 of 3 is the best)."""
    scores, seen = iter([0.3, 0.9, 0.1]), []

    def score(self, valid):
        seen.append({k: v.clone() for k, v in self._model.state_dict().items()})
        return next(scores)

    monkeypatch.setattr(EncoderLearner, "_score", score)
    learner = EncoderLearner("fv", seed=0, epochs=3, lr=1e-3, **FAST).fit(fv_rows(16, 0), fv_rows(4, 1))
    final = learner._model.state_dict()
    assert learner.fit_stats["best_epoch"] == 2 and learner.fit_stats["valid_score"] == 0.9
    assert all(torch.equal(final[k], seen[1][k]) for k in final)
    assert not all(torch.equal(final[k], seen[2][k]) for k in final)


def test_qa_long_question_predicts(qa_learner: EncoderLearner) -> None:
    row = pd.DataFrame([{"context": "The password is kestrel.", "question": "What is it? " * 60}])
    assert isinstance(qa_learner.predict(row)[0], str)


def test_same_seed_same_predictions(qa_learner: EncoderLearner) -> None:
    again = make_learner("encoder", task="qa", seed=0, epochs=2, lr=3e-4, **FAST)
    again.fit(qa_train(), valid=qa_rows(12, 3))
    test = qa_rows(20, 4)
    assert again.predict(test) == qa_learner.predict(test)
    assert again.fit_stats["train_loss"] == qa_learner.fit_stats["train_loss"]


def _span_case(context: str, start: dict[str, float], end: dict[str, float]):
    """A feature over ``context`` split into words and punctuation (every token context), with
    start/end logits given per token text (0 elsewhere)."""
    import re
    toks = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", context)]
    text = [context[a:b] for a, b in toks]
    logits = [torch.tensor([[w.get(t, 0.0) for t in text]]) for w in (start, end)]
    return [{"context": context, "offsets": toks, "ctx": list(range(len(toks)))}], *logits


def test_a_predicted_span_never_crosses_a_turn_break() -> None:
    """QAConv's turns end in "|": the best-scoring span from one turn into the next is not
    offered (the authors' scoring cut predictions at the first "|"), nor a "|" itself."""
    from littlehuman.learners.encoder import decode_spans
    context = "ann: the red door|bob: a blue car|"
    # across turns: red .. blue scores 10; within one: blue .. blue 8, red .. door 7
    feats, start, end = _span_case(context, {"red": 5.0, "blue": 3.0},
                                   {"blue": 5.0, "door": 2.0})
    assert decode_spans(feats, start, end) == ["blue"]
    feats, start, end = _span_case(context, {"|": 9.0, "red": 1.0}, {"|": 9.0, "door": 1.0})
    assert decode_spans(feats, start, end) == ["red door"]
    # without a break the same logits take the longer span
    feats, start, end = _span_case("ann: the red door and bob: a blue car",
                                   {"red": 5.0, "blue": 3.0}, {"blue": 5.0, "door": 2.0})
    assert decode_spans(feats, start, end) == ["red door and bob: a blue"]
    feats, start, end = _span_case("|||", {}, {})
    assert decode_spans(feats, start, end) == [""]


def _long_context_rows(n: int, answer_at_end: bool, seed: int = 7) -> pd.DataFrame:
    """QA rows whose context is ~120 tokens of filler with the password at one end."""
    r = random.Random(seed)
    rows = []
    for _ in range(n):
        word, filler = r.choice(WORDS), " ".join(_sentences(r, 14))
        cue = f"The password is {word}."
        context = f"{filler} {cue}" if answer_at_end else f"{cue} {filler}"
        rows.append({"context": context, "question": "What is the password?", "answer": word})
    return pd.DataFrame(rows)


def _qa_encoder(**params) -> EncoderLearner:
    """An unfitted QA learner with its tokenizer loaded (for ``_encode``)."""
    from transformers import AutoTokenizer

    from littlehuman.learners.encoder import default_model_dir

    learner = EncoderLearner("qa", **{**FAST, **params})
    learner._tokenizer = AutoTokenizer.from_pretrained(str(default_model_dir()))
    return learner


def test_context_tail_keeps_the_end_of_a_long_context() -> None:
    rows = _long_context_rows(6, answer_at_end=True)
    params = dict(FAST, epochs=1, select_on_valid=False)
    with pytest.raises(LittleHumanError, match="none of the 6 training rows"):
        make_learner("encoder", "qa", seed=0, **params).fit(rows)  # head: every span is cut
    tail = make_learner("encoder", "qa", seed=0, context_side="tail", **params).fit(rows)
    assert tail.fit_stats["train_rows"] == 6 and tail.fit_stats["rows_span_truncated"] == 0
    preds = tail.predict(rows)
    # every prediction is a span of the kept end of its context
    for pred, context in zip(preds, rows["context"]):
        assert pred in context[len(context) // 3:]
    with pytest.raises(LittleHumanError, match="context_side"):
        make_learner("encoder", "qa", context_side="middle")


def test_context_tail_counts_an_answer_in_the_cut_start_as_truncated() -> None:
    """Keeping the end of a long context, an answer found only in the cut start is a span past
    the max length (it is in the context), not a row without a span."""
    rows = pd.concat([_long_context_rows(2, answer_at_end=False),  # the cue starts the context
                      pd.DataFrame([{"context": "A sailor lost a shoe.", "question": "What is the password?",
                                     "answer": "zorbat"}])], ignore_index=True)
    feats, counts = _qa_encoder(context_side="tail")._encode(rows, training=True)
    assert feats == []
    assert counts["rows_span_truncated"] == 2 and counts["rows_without_span"] == 1


def test_bf16_and_top_layers_train_and_are_recorded(tmp_path) -> None:
    train = fv_rows(32, 1)
    learner = make_learner("encoder", "fv", seed=0, epochs=1, bf16=True, train_layers=2,
                           **FAST).fit(train)
    stats = learner.fit_stats
    assert stats["bf16"] is True and stats["frozen_layers"] == 4  # MiniLM has 6 layers
    body = learner._model.base_model
    assert not any(p.requires_grad for p in body.embeddings.parameters())
    assert not any(p.requires_grad for p in body.encoder.layer[3].parameters())
    assert all(p.requires_grad for p in body.encoder.layer[5].parameters())
    assert set(learner.predict(train)) <= {0, 1}
    learner.save(tmp_path / "m")
    again = EncoderLearner.load(tmp_path / "m")
    assert (again.bf16, again.train_layers) == (True, 2)
    assert again.predict(train) == learner.predict(train)
    with pytest.raises(LittleHumanError, match="train_layers"):
        make_learner("encoder", "fv", train_layers=-1)


def test_more_top_layers_than_the_model_has_is_one_line() -> None:
    """train_layers 99 on MiniLM's 6 layers was taken silently: trained as 6 (the embeddings
    frozen, so neither all of the model nor 0) under a run key of its own."""
    from littlehuman.learners import train_layers_problem
    from littlehuman.learners.defaults import encoder_layers

    assert encoder_layers() == 6  # the bundled MiniLM's config.json, read without torch
    assert train_layers_problem(6) is None and train_layers_problem(0) is None
    with pytest.raises(LittleHumanError, match="--train-layers 7 is more than the encoder's 6 "
                                               "layers: give 1 to 6") as err:
        make_learner("encoder", "fv", seed=0, epochs=1, train_layers=7, **FAST).fit(fv_rows(8, 1))
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- mean pooling (FV)
def test_mean_pooled_fv_learns_saves_and_loads(tmp_path) -> None:
    learner = EncoderLearner("fv", seed=0, epochs=3, lr=2e-4, pooling="mean", **FAST)
    learner.fit(fv_rows(64, 1))
    assert type(learner._model).__name__ == "MeanPooledClassifier"
    assert learner.fit_stats["pooling"] == "mean"
    test = fv_rows(30, 2)
    preds = learner.predict(test)
    assert sum(p == y for p, y in zip(preds, test["label"])) / len(test) >= 0.8
    learner.save(tmp_path / "mean")
    assert (tmp_path / "mean" / "model" / "mean_pooled_head.safetensors").is_file()
    loaded = EncoderLearner.load(tmp_path / "mean")
    assert loaded.pooling == "mean" and loaded.predict(test) == preds


def test_mean_pooling_is_for_fv_only() -> None:
    with pytest.raises(LittleHumanError, match="pooling"):
        EncoderLearner("qa", pooling="mean")
    with pytest.raises(LittleHumanError, match="pooling"):
        EncoderLearner("fv", pooling="max")


def test_windows_label_the_window_that_holds_the_answer_and_cls_elsewhere() -> None:
    """A long context read as overlapping windows: the answer past max_length is trained on in
    the window(s) that hold it, every other window of the row on [CLS]; a context longer than
    the windows allowed still drops a row whose answer is only in the cut end."""
    rows = _long_context_rows(3, answer_at_end=True)
    learner = _qa_encoder(max_windows=8)
    feats, counts = learner._encode(rows, training=True)
    assert counts["rows_span_truncated"] == 0 and counts["train_windows"] == len(feats)
    first_held = {}  # row -> the index of its first window holding the answer
    for row, answer in enumerate(rows["answer"]):
        windows = [f for f in feats if f["row"] == row]
        assert len(windows) > 1  # the 64-token budget needs several
        held = [f for f in windows if f["start_positions"] > 0]
        assert held and held[-1] is windows[-1]  # the answer ends the context
        tokens = windows[-1]["input_ids"][held[-1]["start_positions"]:held[-1]["end_positions"] + 1]
        assert learner._tokenizer.decode(tokens) == answer
        assert all(f["start_positions"] == f["end_positions"] == 0 for f in windows if f not in held)
        first_held[row] = windows.index(held[0])
    late = {row for row, k in first_held.items() if k >= 2}
    assert late  # some answer lies only past the first two windows
    feats, counts = _qa_encoder(max_windows=2)._encode(rows, training=True)
    assert counts["rows_span_truncated"] == len(late) and not late & {f["row"] for f in feats}
    assert all(len([f for f in feats if f["row"] == r]) == 2 for r in {f["row"] for f in feats})
    # one window is the cut context of before: every span past max_length is dropped
    feats, counts = _qa_encoder()._encode(rows, training=True)
    assert feats == [] and counts["rows_span_truncated"] == 3 and "train_windows" not in counts


def test_windows_predict_the_best_span_over_a_rows_windows(tmp_path) -> None:
    """Trained on answers at either end of long contexts, the windowed learner finds them
    wherever they are. Saved and loaded, it predicts the same."""
    train = pd.concat([_long_context_rows(8, answer_at_end=True),
                       _long_context_rows(8, answer_at_end=False)], ignore_index=True)
    test = pd.concat([_long_context_rows(6, answer_at_end=True, seed=8),
                      _long_context_rows(6, answer_at_end=False, seed=9)], ignore_index=True)
    learner = make_learner("encoder", "qa", seed=0, epochs=4, lr=3e-4, max_windows=4,
                           select_on_valid=False, **FAST).fit(train)
    assert learner.fit_stats["train_rows"] == 16 and learner.fit_stats["train_windows"] > 32
    preds = learner.predict(test)
    assert sum(p == a for p, a in zip(preds, test["answer"])) >= 9
    learner.save(tmp_path / "m")
    again = EncoderLearner.load(tmp_path / "m")
    assert again.max_windows == 4 and again.predict(test) == preds


def test_windows_need_qa_and_the_head_of_the_context() -> None:
    for task, params in (("fv", {"max_windows": 2}), ("qa", {"max_windows": 0}),
                         ("qa", {"max_windows": 2, "context_side": "tail"})):
        with pytest.raises(LittleHumanError, match="max_windows"):
            make_learner("encoder", task, **params)


def test_a_fuzzy_span_stays_within_one_turn_and_a_cut_word_is_no_word():
    """A reviewer: the fuzzy search trained QAConv spans across a turn's '|', which decoding
    never predicts ('big red|bob: barn'); and a tail cut inside "unforgettable" left "table"
    at the kept start, matched there before the real word at the end."""
    from littlehuman.learners.encoder import find_answer_span

    turns = "alice: we met by the big red|bob: barn yesterday, right?|"
    start, end, fuzzy = find_answer_span(turns, "big red barn")
    assert fuzzy and "|" not in turns[start:end] and turns[start:end] == "big red"
    text = "an unforgettable story ends with a table"
    cut = text.index("table")  # the kept tail starts inside "unforgettable"
    start, end, fuzzy = find_answer_span(text, "table", start=cut)
    assert (start, not fuzzy) == (len(text) - len("table"), True)
    assert find_answer_span(text, "table")[0] == len(text) - len("table")  # whole words first
    # the fuzzy search takes whole words from the cut on: not the cut word's fragment
    assert find_answer_span("an unforgettable story", "unforgettable stories")[2]
    assert find_answer_span("an unforgettable story", "unforgettable stories", start=5) is None
