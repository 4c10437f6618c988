"""Tests of littlehuman.generation: prompts, parsing, cache, backends, generate_synthetic.

All rows here are invented fixtures in the unified format (no dataset text).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time

import pandas as pd
import pytest

from littlehuman import config
from littlehuman.errors import LittleHumanError
from littlehuman.generation import (
    Backend,
    ExtractiveBackend,
    GenerationCache,
    PromptSpec,
    backend_from_profile,
    build_messages,
    clean_context,
    draw_examples,
    format_answer,
    generate_synthetic,
    load_or_generate,
    make_backend,
    parse_reply,
    render_plain,
    request_key,
    synthetic_path,
    system_prompt,
)
from littlehuman.generation.backends.base import Completion
from littlehuman.generation.parsing import finished

# Invented fixtures: FV rows (3 share a context) and QA rows, in the unified format.
FV_CONTEXTS = [
    "The Orrin Bridge was opened in 1931 by Mayor Delia Fenn.\nIt spans the Kell River.",
    "Marta Volk wrote the novel Grey Harbour in 2004. It sold 40,000 copies in Norland.",
    "The Pellow Museum is in Halden. It has 12 galleries and was founded by Ansel Brody.",
    "Lake Tiva freezes every winter. The town of Brennick lies on its northern shore.",
]


def fv_rows(n: int = 12, unique: bool = False) -> pd.DataFrame:
    """``n`` FV rows cycling over FV_CONTEXTS (``unique``: one context per row)."""
    rows = []
    for i in range(n):
        ctx = i % len(FV_CONTEXTS)
        context = FV_CONTEXTS[ctx] + (f" Entry {i} is invented." if unique else "")
        rows.append({"row_id": f"fv{i:02d}", "dataset": "toyfv", "split": "train",
                     "context_id": f"u{i}" if unique else f"c{ctx}", "context": context,
                     "claim": f"Invented claim number {i}.", "label": i % 2, "meta": ""})
    return pd.DataFrame(rows)


def qa_rows(n: int = 6) -> pd.DataFrame:
    rows = []
    for i in range(n):
        ctx = i % len(FV_CONTEXTS)
        rows.append({"row_id": f"qa{i}", "dataset": "toyqa", "split": "train",
                     "context_id": f"c{ctx}", "context": FV_CONTEXTS[ctx],
                     "question": f"Invented question {i}?", "answer": f"answer {i}", "meta": ""})
    return pd.DataFrame(rows)


class ScriptedBackend(Backend):
    """Answers each request with ``reply(messages)`` and counts the requests it receives."""

    name = "scripted"
    model = "test"

    def __init__(self, reply) -> None:
        self.params = {"v": 1}
        self.reply = reply
        self.requests = 0
        self.batches: list[int] = []

    def complete(self, batch):
        self.requests += len(batch)
        self.batches.append(len(batch))
        return [self.reply(m) for m in batch]


def fv_echo(messages) -> str:
    """A well-formed FV reply with the label the system prompt asks for."""
    untrue = "Untrue" in messages[0]["content"]
    return f"Claim: made up claim.||\nLabel: {'Untrue' if untrue else 'True'}"


# ---------------------------------------------------------------- prompts

def test_system_prompts_are_the_protocol_strings():
    assert system_prompt("qa") == (
        "Given the context, come up with a question and answer pair. Answer in the format below:")
    assert system_prompt("fv", 1) == (
        "Given the context, come up with a True claim. Answer in the format below:")
    assert system_prompt("fv", 0) == (
        "Given the context, come up with a Untrue (either False or just not supported) claim. "
        "Answer in the format below:")
    neutral = system_prompt("fv", None)
    assert "True" in neutral and "Untrue" in neutral and neutral.endswith("Answer in the format below:")
    with pytest.raises(LittleHumanError):
        system_prompt("nli")


def test_format_answer_exact():
    assert format_answer({"claim": "C.", "label": 1}, "fv") == "Claim: C.||\nLabel: True"
    assert format_answer({"claim": "C.", "label": 0}, "fv") == "Claim: C.||\nLabel: Untrue"
    assert format_answer({"question": "Q?", "answer": "A"}, "qa") == "Question: Q?||\nAnswer: A"


def test_clean_context_removes_urls_and_cuts_at_3000_words():
    text = "See https://example.org/a?b=1 and www.example.com now.\nSecond line."
    assert clean_context(text) == "See and now.\nSecond line."
    long = " ".join(f"w{i}" for i in range(3500))
    cut = clean_context(long)
    assert len(cut.split()) == 3000 and cut.split()[-1] == "w2999"


def test_a_context_without_spaces_is_cut_by_characters():
    """The cut counts words, so a text written without spaces (Chinese, a run-on string) was
    one word and reached the generator whole, 10 MB of it in a walkthrough."""
    from littlehuman.generation.prompts import MAX_CHARS_PER_WORD

    text = "字" * 1_000_000
    assert clean_context(text, 120) == "字" * (120 * MAX_CHARS_PER_WORD)
    tail = clean_context("a" * 5_000 + "b" * 100, 10, keep="tail")
    assert tail == "a" * (10 * MAX_CHARS_PER_WORD - 100) + "b" * 100
    words = " ".join(["antidisestablishment"] * 50)  # 20 characters a word: the cap cuts it
    assert len(clean_context(words, 40)) == 40 * MAX_CHARS_PER_WORD
    # the cap counts the text as sent: columns of spaces or tabs, collapsed, cut no word
    for pad in (" " * 30, "\t" * 20):
        laid_out = pad.join(f"w{i}" for i in range(100))
        assert clean_context(laid_out, 120).split() == [f"w{i}" for i in range(100)]


@pytest.mark.parametrize("name", ["fever", "scifact", "wanli", "ropes", "fairytaleqa"])
def test_the_character_cap_cuts_none_of_the_papers_contexts(name, shared_data, home):
    """Prompts (and so cached replies and twins) of the paper's datasets stay what they were:
    at the cpu profile's 120 words and PROTOCOL's 3,000, either end kept, the word cut alone
    decides every context."""
    from littlehuman import data
    from littlehuman.generation import prompts

    contexts = data.load(name, shared_data)["context"].drop_duplicates()
    for words in (120, prompts.MAX_CONTEXT_WORDS):
        for keep in ("head", "tail"):
            longest = max(len(prompts.clean_context(c, words, keep)) for c in contexts)
            assert longest < words * prompts.MAX_CHARS_PER_WORD * 0.75, (words, keep, longest)


def test_draw_examples_never_the_row_and_label_conditioned():
    pool = fv_rows(40)
    for _, row in pool.iterrows():
        ex = draw_examples(pool, row, k=3, seed=0, label_conditioned=True)
        assert len(ex) == 3
        assert row["row_id"] not in set(ex["row_id"])
        assert set(ex["label"]) == {row["label"]}
        assert row["context_id"] not in set(ex["context_id"])  # enough others: avoid its context
    row = pool.iloc[0]
    mixed = [draw_examples(pool, row, k=3, seed=s, label_conditioned=False)["label"] for s in range(20)]
    assert set(pd.concat(mixed)) == {0, 1}


def test_draw_examples_deterministic_and_seeded():
    pool = fv_rows(40)
    row = pool.iloc[5]
    a = draw_examples(pool, row, k=3, seed=7)["row_id"].tolist()
    assert a == draw_examples(pool, row, k=3, seed=7)["row_id"].tolist()
    draws = {tuple(draw_examples(pool, row, k=3, seed=s)["row_id"]) for s in range(10)}
    assert len(draws) > 1


def test_draw_examples_small_pool():
    pool = fv_rows(4)  # labels 0,1,0,1 with 4 different contexts
    ex = draw_examples(pool, pool.iloc[0], k=3, seed=0, label_conditioned=True)
    assert ex["row_id"].tolist() == ["fv02"]


def test_build_messages_and_render_plain():
    pool = fv_rows(20)
    row = pool.iloc[3]
    ex = draw_examples(pool, row, k=3, seed=0)
    msgs = build_messages(row, ex, "fv")
    assert [m["role"] for m in msgs] == ["system"] + ["user", "assistant"] * 3 + ["user"]
    assert msgs[0]["content"] == system_prompt("fv", int(row["label"]))
    assert msgs[-1]["content"] == "Context: " + row["context"]
    assert msgs[2]["content"] == format_answer(ex.iloc[0], "fv")
    assert build_messages(row, ex, "fv", label_conditioned=False)[0]["content"] == system_prompt("fv")
    text = render_plain(msgs)
    assert text.startswith("System: " + msgs[0]["content"])
    assert text.endswith("User: Context: " + row["context"] + "\nAssistant:")
    assert text.count("\nAssistant: Claim: ") == 3


def reference_chat(row, pool, spec: PromptSpec, attempt: int) -> list[dict[str, str]]:
    """A request as the library built it before ExamplePool (masks over the whole pool,
    ``pool.iloc``, ``iterrows()``): the reference the indexed path must match exactly."""
    import numpy as np

    from littlehuman.data.schema import stable_seed
    from littlehuman.generation.prompts import remove_urls

    seed = spec.seed if attempt == 0 else stable_seed(spec.seed, "reask", attempt)
    mask = (pool["row_id"] != row["row_id"]).to_numpy(dtype=bool)
    if spec.conditioned and "label" in pool.columns:
        mask = mask & (pool["label"] == int(row["label"])).to_numpy(dtype=bool)
    other_context = mask & (pool["context_id"] != row["context_id"]).to_numpy(dtype=bool)
    candidates = np.flatnonzero(other_context if other_context.sum() >= spec.k else mask)
    rng = np.random.default_rng(stable_seed(row["dataset"], row["row_id"], seed))
    examples = pool.iloc[rng.choice(candidates, size=min(spec.k, len(candidates)), replace=False)]
    label = int(row["label"]) if spec.conditioned else None
    chat = [{"role": "system", "content": system_prompt(spec.task, label)}]
    for _, ex in examples.iterrows():
        chat += [{"role": "user", "content": "Context: " + clean_context(
                     ex["context"], spec.context_words, spec.context_side)},
                 {"role": "assistant", "content": remove_urls(format_answer(ex, spec.task))}]
    return chat + [{"role": "user", "content": "Context: " + clean_context(
        row["context"], spec.context_words, spec.context_side)}]


def edge_pools() -> dict[str, pd.DataFrame]:
    """Pools where a draw's corner cases show: several contexts and labels, fewer candidates
    than k, one shared context, a label absent, a missing context id."""
    many = fv_rows(20)
    many.loc[7, "context_id"] = None
    return {"several": many, "tiny": fv_rows(3), "one context": fv_rows(8).assign(context_id="c"),
            "label 0 absent": fv_rows(9).assign(label=1),
            "own context most": fv_rows(10).assign(context_id=list("aaaaaaabcd"))}


@pytest.mark.parametrize("name", list(edge_pools()))
def test_indexed_requests_are_the_masked_draws_of_before(name):
    """One ExamplePool serves every request of a pool (its first lookup compares every row,
    later ones use the rows grouped once): each chat is the reference's, draw for draw and
    byte for byte, for every row, a row outside the pool, k 1-5, both conditionings and the
    first ask and a re-ask. Cached replies are keyed by these messages."""
    from littlehuman.generation.prompts import ExamplePool

    pool = edge_pools()[name]
    outside = pool.iloc[:1].assign(row_id="new", context_id="c1")
    rows = pd.concat([pool, outside]).to_dict("records")
    for k in (1, 3, 5):
        for conditioned in (True, False):
            spec = PromptSpec("fv", k=k, seed=3, label_conditioned=conditioned,
                              context_words=6, context_side="tail")
            index = ExamplePool(pool)
            for attempt in (0, 2):  # (requests below: attempt 1)
                for i, row in enumerate(rows):
                    want = reference_chat(row, pool, spec, attempt)
                    assert spec.messages(row, index, attempt) == want, (k, conditioned, row)
                    if i % 4 == 0:  # a frame's way (one request: compared, not indexed)
                        assert spec.messages(row, pool, attempt) == want
                        assert spec.examples(row, index, attempt).equals(
                            spec.examples(row, pool, attempt))
            assert spec.requests(pool, pool, 1) == [reference_chat(r, pool, spec, 1)
                                                    for r in pool.to_dict("records")]


def test_one_example_index_per_pool_for_every_request(monkeypatch):
    """generate_synthetic (first asks and re-asks) and PromptSpec.requests index the pool
    once, and group its row ids, context ids and labels once each, not per request."""
    from littlehuman.generation import prompts

    built, grouped = [], []
    init, group = prompts.ExamplePool.__init__, prompts._Rows._group
    monkeypatch.setattr(prompts.ExamplePool, "__init__",
                        lambda self, frame: built.append(len(frame)) or init(self, frame))
    monkeypatch.setattr(prompts._Rows, "_group", lambda self: grouped.append(1) or group(self))
    rows = fv_rows(12)
    assert len(PromptSpec("fv").requests(rows, rows)) == 12
    assert built == [12] and len(grouped) == 3
    built.clear(), grouped.clear()
    asked = []

    def reply(messages):  # the first six replies unusable: their rows are asked again
        asked.append(messages)
        return "utter nonsense" if len(asked) <= 6 else fv_echo(messages)

    syn, stats = generate_synthetic(rows, rows, ScriptedBackend(reply), PromptSpec("fv"),
                                    progress=False)
    assert stats["reasked"] >= 6 and len(syn) == 12
    assert built == [12] and len(grouped) == 3


# ---------------------------------------------------------------- parsing

BRIDGE = "The bridge opened in 1931."
RED = {"claim": "It is red.", "label": 0}


@pytest.mark.parametrize("reply, expected", [
    (f"Claim: {BRIDGE}||\nLabel: True", {"claim": BRIDGE, "label": 1}),
    (f"claim :  {BRIDGE} \n LABEL: untrue", {"claim": BRIDGE, "label": 0}),
    ("Claim: It is red.|| Label: False. Because the text says so.", RED),
    ("Claim: It is red.||\nLabel: Untrue (either False or just not supported)\n\n"
     "Context: more text\nClaim: other||\nLabel: True", RED),
    ("Claim: It is red.\nUser: Context: x", {**RED, "label": None}),
    ("Claim: It is red.||\nLabel: maybe", {**RED, "label": None}),
])
def test_parse_fv(reply, expected):
    assert parse_reply(reply, "fv") == expected


FENN = {"question": "Who opened it?", "answer": "Delia Fenn"}


@pytest.mark.parametrize("reply, expected", [
    ("Question: Who opened it?||\nAnswer: Delia Fenn", FENN),
    ("question: Who opened\nit?||\nanswer:   Delia Fenn\nQuestion: another?", FENN),
    ("QUESTION: Who? ANSWER: Fenn", {"question": "Who?", "answer": "Fenn"}),
    ("Question: Who opened it?\nAnswer: Delia Fenn\n\nContext: ...", FENN),
])
def test_parse_qa(reply, expected):
    assert parse_reply(reply, "qa") == expected


@pytest.mark.parametrize("reply, task", [
    ("", "fv"), (None, "qa"), ("I am sorry, I cannot do that.", "fv"), ("lorem ipsum", "qa"),
    ("Question: Who opened it?", "qa"), ("Answer: x", "qa"), ("Claim: ||\nLabel: True", "fv"),
])
def test_parse_garbage_is_none(reply, task):
    assert parse_reply(reply, task) is None


# Refusals that reach the few-shot keys: a model asked for an Untrue claim may refuse inside
# the format, or name the key in its refusal; none is a twin (invented text).
@pytest.mark.parametrize("reply, task", [
    ("Claim: I'm sorry, but I can't help with that.||\nLabel: Untrue", "fv"),
    ("I'm sorry, but I can't create an untrue claim: it could spread misinformation.", "fv"),
    ("Sorry, I cannot generate an Untrue claim: doing so would mislead.\nLabel: Untrue", "fv"),
    ("**Claim:** As an AI language model, I cannot produce a false claim.||\nLabel: Untrue",
     "fv"),
    ("Claim: I cannot assist with creating misleading claims.||\nLabel: Untrue", "fv"),
    ("Question: I'm sorry, but I can't come up with a question here.||\nAnswer: N/A", "qa"),
])
def test_parse_a_refusal_in_the_format_is_none(reply, task):
    assert parse_reply(reply, task) is None


@pytest.mark.parametrize("claim", [  # first-person claims (WANLI-like) are not refusals
    "I cannot remember where I parked the car.", "I can't make it to the party tonight.",
    "I'm sorry for your loss, said the nurse.", "I can't help it if the bridge is closed.",
])
def test_parse_keeps_first_person_claims(claim):
    assert parse_reply(f"Claim: {claim}||\nLabel: True", "fv") == {"claim": claim, "label": 1}


# Messy replies of the kind chat models give (invented text).
@pytest.mark.parametrize("reply, task, expected", [
    # markdown bold around the keys
    (f"**Claim:** {BRIDGE}||\n**Label:** Untrue", "fv", {"claim": BRIDGE, "label": 0}),
    (f"**Claim**: {BRIDGE}\n**Label**: True", "fv", {"claim": BRIDGE, "label": 1}),
    (f"**Claim:** {BRIDGE} **Label:** True", "fv", {"claim": BRIDGE, "label": 1}),
    ("**Question:** Who opened it?||\n**Answer:** Delia Fenn", "qa", FENN),
    ("**Question**: Who opened it?\n**Answer**: Delia Fenn", "qa", FENN),
    # a preamble that itself ends in the key word and a colon
    (f"Sure! Here is an Untrue claim:\n\nClaim: {BRIDGE}||\nLabel: Untrue", "fv",
     {"claim": BRIDGE, "label": 0}),
    ("Here is a question: \nQuestion: Who opened it?||\nAnswer: Delia Fenn", "qa", FENN),
])
def test_parse_markdown_keys_and_preamble(reply, task, expected):
    assert parse_reply(reply, task) == expected


@pytest.mark.parametrize("reply, task, expected", [
    # "context:" inside the claim or question is text, not a new turn (which starts a line)
    ("Claim: According to the context: the bridge opened in 1931.||\nLabel: True", "fv",
     {"claim": "According to the context: the bridge opened in 1931.", "label": 1}),
    ("Question: In the context: who opened it?||\nAnswer: Delia Fenn", "qa",
     {"question": "In the context: who opened it?", "answer": "Delia Fenn"}),
    ("Claim: It is red.||\nLabel: Untrue||Context: more text", "fv", RED),
    ("Claim: It is red.||\nLabel: Untrue\n**Context:** more text\nClaim: x||\nLabel: True", "fv", RED),
])
def test_parse_context_inside_a_field_is_not_a_run_on(reply, task, expected):
    assert parse_reply(reply, task) == expected


@pytest.mark.parametrize("label, expected", [
    ("The claim is false.", 0), ("This claim is not supported by the context", 0),
    ("It is true", 1), ("**Untrue**", 0), ("false", 0), ("TRUE.", 1), ("maybe", None),
    # whole words only: "notably", "nothing", "truly" name no label
    ("Notably, the claim is true.", 1), ("Nothing suggests it; untrue", 0), ("truly", None),
])
def test_parse_label_in_a_sentence(label, expected):
    # a label the reply states must not be left to the fallback (the label asked for)
    assert parse_reply(f"Claim: {BRIDGE}||\nLabel: {label}", "fv") == {"claim": BRIDGE, "label": expected}


def test_parse_label_sentence_needs_the_label_key():
    # without "Label:", the next line is run-on text (a small model continuing the context),
    # not a label: its words ("not", "true") must not be read as one
    reply = f"Claim: {BRIDGE}\nThe river is not true blue in 1931."
    assert parse_reply(reply, "fv") == {"claim": BRIDGE, "label": None}
    assert parse_reply(f"Claim: {BRIDGE}\nFalse", "fv") == {"claim": BRIDGE, "label": 0}


# Replies a reviewer's own server sent (session 30), each read wrongly by parser 3.
@pytest.mark.parametrize("reply, task", [
    ("Claim: I'm sorry, but I can't do that.||\nLabel: Untrue", "fv"),
    ("Claim: I'm not able to generate claims about real people.||\nLabel: True", "fv"),
    ("Claim: I must decline to write that.||\nLabel: True", "fv"),
    ("Question: Who opened the bridge?||\nAnswer: I'm sorry, I cannot answer that.", "qa"),
    ("Claim: [Your claim here]||\nLabel: True", "fv"), ("Claim: <claim>||\nLabel: True", "fv"),
    ("Claim: ...||\nLabel: True", "fv"), ("Question: [question]||\nAnswer: [answer]", "qa"),
    ("Claim: \u200b\u200b||\nLabel: True", "fv"),
])
def test_parse_refusals_and_placeholders_are_none(reply, task):
    assert parse_reply(reply, task) is None


@pytest.mark.parametrize("reply, task, expected", [
    # no first key: the line the second key closes, not the preamble
    (f"Sure! Here is a true claim.\n\n{BRIDGE}\nLabel: True", "fv", {"claim": BRIDGE, "label": 1}),
    ("Sure! Here's a question and answer pair:\n\nWho opened it?\nAnswer: Delia Fenn", "qa", FENN),
    # numbered and full-width keys
    (f"Here are two claims:\nClaim 1: {BRIDGE}\nLabel: True\nClaim 2: x\nLabel: Untrue", "fv",
     {"claim": BRIDGE, "label": 1}),
    (f"Claim\uff1a {BRIDGE}||\nLabel\uff1a Untrue", "fv", {"claim": BRIDGE, "label": 0}),
    # the second key's word inside the first field
    ("Claim: The band's record label: Sony signed them.||\nLabel: True", "fv",
     {"claim": "The band's record label: Sony signed them.", "label": 1}),
    ("Question: What is the answer: yes or no?||\nAnswer: yes", "qa",
     {"question": "What is the answer: yes or no?", "answer": "yes"}),
    # invisible characters and curly quotes
    (f"Claim: \u201c\u200b{BRIDGE}\u201d||\nLabel: True", "fv", {"claim": BRIDGE, "label": 1}),
    ("Question: Who opened it?||\nAnswer: \u200bDelia Fenn\u200b", "qa", FENN),
    # the datasets' own label words (PROTOCOL; a reviewer: they read as no label)
    (f"Claim: {BRIDGE}||\nLabel: Contradicted", "fv", {"claim": BRIDGE, "label": 0}),
    (f"Claim: {BRIDGE}||\nLabel: Neutral", "fv", {"claim": BRIDGE, "label": 0}),
    (f"Claim: {BRIDGE}||\nLabel: NEI", "fv", {"claim": BRIDGE, "label": 0}),
    (f"Claim: {BRIDGE}||\nLabel: Entailment", "fv", {"claim": BRIDGE, "label": 1}),
    # a negated label word
    (f"Claim: {BRIDGE}||\nLabel: The claim is not false.", "fv", {"claim": BRIDGE, "label": 1}),
    (f"Claim: {BRIDGE}||\nLabel: not true", "fv", {"claim": BRIDGE, "label": 0}),
    # JSON, fenced, with a trailing comma
    (f'```json\n{{"Claim": "{BRIDGE}", "label": "Untrue",}}\n```', "fv", {"claim": BRIDGE, "label": 0}),
    ('{"question": "Who opened it?", "answer": "Delia Fenn"}', "qa", FENN),
])
def test_parse_what_parser_3_misread(reply, task, expected):
    assert parse_reply(reply, task) == expected


@pytest.mark.parametrize("reply, expected", [
    # the first pair's label closes the claim's line, an unkeyed second pair follows: parser 4
    # read the second pair's label and kept "Label: True" inside the claim
    (f"Claim: {BRIDGE} Label: True\nThe bridge is made of cheese.\nLabel: Untrue",
     {"claim": BRIDGE, "label": 1}),
    (f"Claim: {BRIDGE} **Label:** not true\nAnother claim.\nLabel: True",
     {"claim": BRIDGE, "label": 0}),
    # a claim's own "label:" is not its label, whatever follows it on the line
    ("Claim: Their label: True Records signed them.\nLabel: Untrue",
     {"claim": "Their label: True Records signed them.", "label": 0}),
    ("Claim: Their label: True Records\nLabel: Untrue",
     {"claim": "Their label: True Records", "label": 0}),
])
def test_parse_a_label_closing_the_claims_line_before_a_second_pair(reply, expected):
    assert parse_reply(reply, "fv") == expected


@pytest.mark.parametrize("reply, task, whole", [
    ("Claim: The film was first released in the", "fv", False),
    (f"Claim: {BRIDGE}||\nLabel: Tr", "fv", False),
    (f"Claim: {BRIDGE}||\nLabel: True", "fv", True),
    ("Question: Who opened the bridge?||\nAnswer: Mayor Del", "qa", False),
    ("Question: Who opened it?||\nAnswer: Delia Fenn\n\nExplanation: the text says", "qa", True),
    ("Question: Who opened it?||\nAnswer: Delia Fenn||", "qa", True),
])
def test_finished_tells_a_reply_the_token_limit_cut(reply, task, whole):
    assert finished(reply, task) is whole


def test_a_reply_cut_by_the_limit_or_copying_an_example_is_asked_again(tmp_path):
    """A truncated reply whose field the limit cut, and a reply repeating a few-shot example's
    claim, are unusable: each row is asked again, the cache keeps the flag, a replay agrees."""
    rows = fv_rows(6, unique=True)
    seen: list[int] = []

    def reply(messages):
        seen.append(len(seen))
        n = len(seen)
        if n == 1:  # cut inside the claim
            return Completion("Claim: The bridge was opened in", 10, 8, truncated=True)
        if n == 2:  # the first example's claim, word for word
            return messages[2]["content"]
        if n == 3:  # cut, but after the label word: whole
            return Completion("Claim: A long claim.||\nLabel: True", 10, 8, truncated=True)
        return fv_echo(messages)

    cache = GenerationCache(tmp_path / "gen.jsonl")
    syn, stats = generate_synthetic(rows.iloc[:3], rows, ScriptedBackend(reply), PromptSpec("fv"),
                                    cache=cache, batch_size=1, progress=False)
    assert stats["generated"] == 3 and stats["reasked"] == 2
    assert stats["cut_short"] == 1 and stats["copied_examples"] == 1
    assert "A long claim." in set(syn["claim"])
    assert not set(syn["claim"]) & set(rows["claim"])  # no human claim passed as a twin
    records = [json.loads(line)["record"] for line in cache.path.read_text().splitlines()]
    assert sum(bool(r.get("truncated")) for r in records) == 2
    again, stats2 = generate_synthetic(rows.iloc[:3], rows, ScriptedBackend(pytest.fail),
                                       PromptSpec("fv"), cache=GenerationCache(cache.path),
                                       progress=False)
    pd.testing.assert_frame_equal(syn, again)
    assert stats2["cut_short"] == 1 and stats2["copied_examples"] == 1
    from littlehuman.generation import generate as gen

    billed = gen.bill(rows.iloc[:3], rows, ScriptedBackend(pytest.fail), PromptSpec("fv"),
                      GenerationCache(cache.path))
    assert (billed["unusable_replies"], billed["cut_short"], billed["copied_examples"]) == (2, 1, 1)


# ---------------------------------------------------------------- cache

def test_request_key_is_canonical():
    msgs = [{"role": "user", "content": "hi"}]
    key = request_key("b", "m", msgs, {"t": 1, "n": 2})
    assert key == request_key("b", "m", msgs, {"n": 2, "t": 1})
    assert request_key("b", "m", msgs, {"t": 1}) != request_key("b", "m", msgs, {"t": 0})
    assert len(request_key("b", "m", msgs, {})) == 64


def test_cache_round_trip_and_counters(tmp_path):
    path = tmp_path / "c" / "gen.jsonl"
    cache = GenerationCache(path)
    assert cache.get("a") is None and cache.misses == 1
    cache.put("a", {"reply": "x"})
    cache.put("b", {"reply": "y"})
    again = GenerationCache(path)
    assert len(again) == 2 and again.get("a") == {"reply": "x"} and again.get("b") == {"reply": "y"}
    assert again.hits == 2 and again.misses == 0
    assert path.read_text().count("\n") == 2


def test_cache_torn_last_line_is_ignored_and_cut(tmp_path):
    path = tmp_path / "gen.jsonl"
    cache = GenerationCache(path)
    cache.put("a", {"reply": "x"})
    with open(path, "a") as fh:
        fh.write('{"key": "b", "record": {"rep')  # a crash mid-write
    torn = GenerationCache(path)
    assert len(torn) == 1 and torn.get("b") is None
    torn.put("c", {"reply": "z"})
    lines = path.read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["a", "c"]
    assert len(GenerationCache(path)) == 2


def test_cache_puts_survive_a_kill_without_an_fsync_each(tmp_path, monkeypatch):
    """An fsync per reply (7-10 ms on a loaded 2-core machine) kept answered replies waiting
    to be stored, and a kill -9 lost up to 14 of 16 the server had sent (a reviewer). A put
    now writes its line to the OS (which keeps it past a kill) and fsyncs at most once per
    SYNC_INTERVAL_S; sync() fsyncs the rest."""
    import os
    import subprocess
    import sys

    from littlehuman.generation import cache as cache_module

    synced = []
    real = os.fsync
    monkeypatch.setattr(cache_module.os, "fsync", lambda fd: synced.append(fd) or real(fd))
    cache = GenerationCache(tmp_path / "gen.jsonl")
    for i in range(20):
        cache.put(f"k{i}", {"reply": f"r{i}"})
    assert len(synced) == 1  # the first put; the other 19 came within SYNC_INTERVAL_S
    cache.sync()
    assert len(synced) == 2
    cache.sync()
    assert len(synced) == 2  # nothing new to sync
    # a process killed (SIGKILL) right after its puts: every line is there
    script = (f"import os, signal\nfrom littlehuman.generation import GenerationCache\n"
              f"c = GenerationCache({str(tmp_path / 'killed.jsonl')!r})\n"
              "for i in range(50):\n    c.put(f'k{i}', {'reply': 'x' * 500})\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == -9, done.stderr
    assert len(GenerationCache(tmp_path / "killed.jsonl")) == 50


def test_cache_corrupt_middle_line_is_an_error(tmp_path):
    path = tmp_path / "gen.jsonl"
    path.write_text('{"key": "a", "record": {}}\nnot json\n{"key": "b", "record": {}}\n')
    with pytest.raises(LittleHumanError, match="line 2"):
        GenerationCache(path)


# ---------------------------------------------------------------- generate

def test_generate_synthetic_rows_and_stats():
    rows = fv_rows(12, unique=True)
    backend = ScriptedBackend(fv_echo)
    syn, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv"), batch_size=5,
                                    progress=False)
    gid = PromptSpec("fv").generator_id(backend)
    assert backend.batches == [5, 5, 2]
    assert stats["requested"] == stats["generated"] == stats["calls"] == 12
    assert stats["unparseable"] == stats["label_mismatch"] == stats["cache_hits"] == 0
    assert syn["row_id"].tolist() == [f"syn:{gid}:{r}" for r in rows["row_id"]]
    assert syn["source_row_id"].tolist() == rows["row_id"].tolist()
    assert syn["label"].tolist() == rows["label"].tolist()
    assert (syn["context"] == rows["context"]).all() and (syn["context_id"] == rows["context_id"]).all()
    assert set(syn["split"]) == {"train"} and set(syn["dataset"]) == {"toyfv"}
    assert list(syn.columns) == ["row_id", "dataset", "split", "context_id", "context", "claim",
                                 "label", "meta", "source_row_id", "attempt", "requested_label",
                                 "label_stated"]
    assert syn["requested_label"].tolist() == rows["label"].tolist()
    assert syn["label_stated"].all()  # every scripted reply states its label


def test_a_twin_whose_reply_states_no_label_says_so():
    """A reply without a label took the one asked for, silently: page 01's "label differs from
    the one asked: 0" held by construction for FEVER's 55-63 such twins (a reviewer)."""
    from littlehuman.generation.generate import _twin

    row = {"label": 0}
    said, differs = _twin("Claim: The mill is old.", row, "fv", conditioned=True)
    assert said["label"] == 0 and said["label_stated"] is False and not differs
    said, differs = _twin("Claim: The mill is old.\nLabel: True", row, "fv", conditioned=True)
    assert said["label"] == 1 and said["label_stated"] is True and differs


def test_generate_synthetic_rerun_with_cache_makes_zero_calls(tmp_path):
    rows = fv_rows(10, unique=True)
    cache_path = tmp_path / "gen.jsonl"
    first = ScriptedBackend(fv_echo)
    syn1, stats1 = generate_synthetic(rows, rows, first, PromptSpec("fv"),
                                      cache=GenerationCache(cache_path), batch_size=4,
                                      progress=False)
    assert first.requests == 10 and stats1["calls"] == 10
    second = ScriptedBackend(lambda m: pytest.fail("backend called on a cached request"))
    syn2, stats2 = generate_synthetic(rows, rows, second, PromptSpec("fv"),
                                      cache=GenerationCache(cache_path), batch_size=4,
                                      progress=False)
    assert second.requests == 0 and stats2["calls"] == 0 and stats2["cache_hits"] == 10
    pd.testing.assert_frame_equal(syn1, syn2)


def test_a_generation_fsyncs_its_last_replies_at_its_end(tmp_path, monkeypatch):
    """A put fsyncs at most once a second: the replies put since are fsynced when the
    generation ends (a reviewer: removing that call passed every test)."""
    import os

    from littlehuman.generation import cache as cache_module

    synced = []
    real = os.fsync
    monkeypatch.setattr(cache_module.os, "fsync", lambda fd: synced.append(fd) or real(fd))
    cache = GenerationCache(tmp_path / "gen.jsonl")
    rows = fv_rows(6, unique=True)
    generate_synthetic(rows, rows, ScriptedBackend(fv_echo), PromptSpec("fv"), cache=cache,
                       batch_size=2, progress=False)
    assert len(synced) == 2 and not cache._unsynced  # the first put's, then the end's


def test_generate_synthetic_fallback_mismatch_and_unparseable():
    rows = fv_rows(6)
    replies = {0: "Claim: no label given here.", 1: "Claim: flipped label.||\nLabel: Untrue",
               2: "utter nonsense"}

    def reply(messages):
        # the row's own context is the last user turn; rows 0..3 have distinct contexts
        ctx = messages[-1]["content"].removeprefix("Context: ")
        i = [clean_context(c) for c in FV_CONTEXTS].index(ctx)
        return replies.get(i, fv_echo(messages))

    syn, stats = generate_synthetic(rows.iloc[:4], rows, ScriptedBackend(reply), PromptSpec("fv"),
                                    progress=False)
    assert stats["unparseable"] == 1 and stats["generated"] == 3
    assert stats["label_mismatch"] == 1  # fv01 asked for True, got Untrue
    by_src = dict(zip(syn["source_row_id"], syn["label"]))
    assert by_src["fv00"] == 0  # no label in the reply: the requested label (0)
    assert "fv02" not in by_src  # unparseable: dropped
    assert by_src["fv01"] == 0  # the parsed label wins over the requested one


def test_progress_bar_shows_the_first_total_once_then_each_reask(capsys):
    """The bar's total is every request queued at once (not counted up row by row, which
    writes one line per row into a log), then grows by each re-ask as it is made."""
    rows = fv_rows(12, unique=True)
    first_context = rows["context"].iloc[0]
    sent: list[str] = []

    def reply(messages):  # the first request of row 0's context is unusable once
        ctx = messages[-1]["content"]
        sent.append(ctx)
        if first_context in ctx and sent.count(ctx) == 1:
            return "utter nonsense"
        return fv_echo(messages)

    generate_synthetic(rows, rows, ScriptedBackend(reply), PromptSpec("fv"), batch_size=4,
                       progress=True)
    totals = [int(t) for t in re.findall(r"\d+/(\d+) \[", capsys.readouterr().err)]
    assert totals and totals[0] == 12, totals
    assert set(totals) == {12, 13}, totals  # the re-ask shows as it is queued


def test_identical_requests_share_one_call():
    """Two rows whose requests are identical (here k=0: same context and label) cost one call."""
    rows = pd.concat([fv_rows(1)] * 2).assign(row_id=["a", "b"])
    backend = ScriptedBackend(fv_echo)
    syn, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv", k=0), progress=False)
    assert backend.requests == 1 and stats["calls"] == 1
    assert syn["source_row_id"].tolist() == ["a", "b"]


def test_generate_synthetic_unconditioned_drops_replies_without_label():
    rows = fv_rows(4)
    backend = ScriptedBackend(lambda m: "Claim: no label.")
    syn, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv", label_conditioned=False),
                                    progress=False)
    assert len(syn) == 0 and stats["unparseable"] == 4


def test_generator_id_depends_on_setup():
    b = ExtractiveBackend()
    base = PromptSpec("fv").generator_id(b)
    assert base == PromptSpec("fv").generator_id(ExtractiveBackend()) and base.startswith("extr")
    others = {PromptSpec("fv", label_conditioned=False).generator_id(b),
              PromptSpec("fv", k=2).generator_id(b), PromptSpec("fv", seed=1).generator_id(b),
              PromptSpec("fv").generator_id(ExtractiveBackend(seed=1))}
    assert base not in others and len(others) == 4


def test_load_or_generate_writes_and_extends(home):
    rows = fv_rows(12, unique=True)
    backend = ScriptedBackend(fv_echo)
    first, stats = load_or_generate(rows.iloc[:8], rows, backend, PromptSpec("fv"), progress=False)
    path = synthetic_path("toyfv", PromptSpec("fv").generator_id(backend))
    assert path.is_file() and str(path).startswith(str(home))
    assert len(first) == 8 and stats["calls"] == 8 and backend.requests == 8
    again, stats = load_or_generate(rows.iloc[:8], rows, backend, PromptSpec("fv"), progress=False)
    assert stats["calls"] == 0 and stats["from_file"] == 8 and backend.requests == 8
    pd.testing.assert_frame_equal(first, again)
    more, stats = load_or_generate(rows.iloc[::-1], rows, backend, PromptSpec("fv"), progress=False)
    assert stats["from_file"] == 8 and stats["calls"] == 4 and backend.requests == 12
    assert more["source_row_id"].tolist() == rows["row_id"].tolist()[::-1]
    assert len(pd.read_parquet(path)) == 12


def test_stored_twins_are_checked_once_against_a_new_parser(home, capsys):
    """Twins stored by an older parser are replayed from the cached replies (nothing sent):
    when none reads differently the file is stamped and never checked again; when some do,
    one line says how many and how to rebuild, and the stored twins (and runs) are kept."""
    from littlehuman.generation import generate as gen

    rows = fv_rows(12, unique=True)
    backend = ScriptedBackend(lambda m: f"**Claim:** bold claim.||\n**Label:** "
                                        f"{'Untrue' if 'Untrue' in m[0]['content'] else 'True'}")
    first, _ = load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=False)
    path = synthetic_path("toyfv", PromptSpec("fv").generator_id(backend))
    assert set(first["claim"]) == {"bold claim."}
    assert json.loads(gen.parsed_path(path).read_text())["parser"] == gen.PARSER_VERSION
    load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=True)
    assert capsys.readouterr().err == ""  # stamped: no line (the check returns at the stamp)
    # what an older parser stored: the bold marks kept in three claims, no stamp
    old = pd.read_parquet(path)
    old.loc[:2, "claim"] = "** bold claim."
    old.to_parquet(path, index=False)
    gen.parsed_path(path).unlink()
    kept, stats = load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=True)
    err = capsys.readouterr().err
    assert "3 of 12 stored twins read differently with this version's parser" in err
    assert str(path) in err and stats["calls"] == 0 and backend.requests == 12
    assert (kept["claim"] == "** bold claim.").sum() == 3  # kept, as the runs on them are
    assert not gen.parsed_path(path).exists()
    # rebuilt as the line says: deleted, then read from the cache, nothing sent
    path.unlink()
    rebuilt, stats = load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=False)
    assert set(rebuilt["claim"]) == {"bold claim."} and backend.requests == 12
    # a cleared cache cannot be replayed: not counted as a difference, and no line
    old.to_parquet(path, index=False)
    (home / "data" / "generation" / "toyfv.jsonl").unlink()
    load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=True)
    assert "read differently" not in capsys.readouterr().err and backend.requests == 12


def test_stored_copies_of_an_example_are_found_by_the_check(home, capsys, monkeypatch):
    """A reviewer: twins an older parser kept that parser 4 refuses (a copy of an example)
    were replayed to an ask never made, counted as uncheckable, and the file was stamped: the
    cpu profile's 8 FEVER copies would never have been reported."""
    from littlehuman.generation import generate as gen

    rows = fv_rows(6, unique=True)

    def reply(messages):  # rows of the first context copy their first example's claim
        own = messages[-1]["content"]
        return messages[2]["content"] if FV_CONTEXTS[0].split(".")[0] in own else fv_echo(messages)

    # curly quotes and compatibility forms copy too (a reviewer: "Bob\u2019s" passed)
    example = [{"role": "assistant", "content": "Claim: Bob's dog won the 2nd prize.||"}]
    for mine in ("Bob\u2019s dog won the 2nd prize.", "Bob's dog won the 2\u207f\u1d48 prize!"):
        assert gen._copied({"claim": mine, "label": 1}, example, "fv")
    backend = ScriptedBackend(reply)
    copied = gen._copied
    monkeypatch.setattr(gen, "_copied", lambda *args: False)  # what parser 3 kept
    stored, _ = load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=False)
    assert stored["claim"].isin(rows["claim"]).sum() == 2  # fv00 and fv04 (one context)
    path = synthetic_path("toyfv", PromptSpec("fv").generator_id(backend))
    gen.parsed_path(path).unlink()
    monkeypatch.setattr(gen, "_copied", copied)
    asked = backend.requests
    load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=True)
    assert "2 of 6 stored twins read differently" in capsys.readouterr().err
    assert not gen.parsed_path(path).exists() and backend.requests == asked  # nothing sent


# ---------------------------------------------------------------- extractive backend

def test_extractive_fv_end_to_end_honours_labels():
    rows = fv_rows(16)
    backend = make_backend("extractive")
    syn, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv"), progress=False)
    assert stats["unparseable"] == 0 and stats["label_mismatch"] == 0
    assert syn["label"].tolist() == rows["label"].tolist()
    for claim, label, ctx in zip(syn["claim"], syn["label"], syn["context"]):
        in_context = claim in ctx
        assert in_context if label == 1 else not in_context, (claim, label)
    again, _ = generate_synthetic(rows, rows, ExtractiveBackend(), PromptSpec("fv"), progress=False)
    pd.testing.assert_frame_equal(syn, again)


def test_extractive_fv_unconditioned_picks_labels():
    rows = fv_rows(16)
    syn, stats = generate_synthetic(rows, rows, ExtractiveBackend(),
                                    PromptSpec("fv", label_conditioned=False), progress=False)
    assert stats["unparseable"] == 0 and len(syn) == 16 and set(syn["label"]) == {0, 1}


def test_extractive_qa_end_to_end():
    rows = qa_rows(6)
    syn, stats = generate_synthetic(rows, rows, ExtractiveBackend(), PromptSpec("qa"),
                                    progress=False)
    assert stats["unparseable"] == 0 and len(syn) == 6
    for q, a, ctx in zip(syn["question"], syn["answer"], syn["context"]):
        assert q.endswith("?") and a and a in ctx and a not in q


@pytest.mark.parametrize("sentence, negated", [
    ("You can't tell me what to do.", "You can tell me what to do."),  # was "can not't"
    ("She doesn\u2019t like the rain.", "She does like the rain."),
    ("Won't you stay for tea?", "Will you stay for tea?"),
    ("He is not at home today.", "He is at home today."),
    ("They can swim across the lake.", "They can not swim across the lake."),
    ("I cannot swim at all.", "It is not the case that I cannot swim at all."),
    ("I ain't done yet.", "I am done yet."),
])
def test_the_rule_based_generator_flips_a_negation_into_english(sentence, negated):
    """A helper's walk read "You can not't tell me..." in WANLI's smoke twins."""
    from littlehuman.generation.backends import extractive

    assert extractive._negate(sentence) == negated


def test_the_rule_based_generator_does_not_end_a_sentence_at_a_title():
    """A helper's walk saw a twin cut at "Dr." in WANLI's smoke twins."""
    from littlehuman.generation.backends import extractive

    assert extractive._sentences("Dr. Lee met Mr. Smith near St. Mary's church. Then they "
                                 "walked home together.") == [
        "Dr. Lee met Mr. Smith near St. Mary's church.", "Then they walked home together."]


def test_make_backend_unknown_name():
    with pytest.raises(LittleHumanError, match="extractive"):
        make_backend("gpt-99")


# ---------------------------------------------------------------- gemma (real model)

@pytest.mark.slow
def test_gemma_generates_two_rows():
    """Loads Gemma 3 270M (first run: dequantise + cache under data/models, ~90 s on 2 cores)."""
    from littlehuman.generation import GemmaBackend

    rows = fv_rows(8)
    backend = GemmaBackend(max_new_tokens=40)
    start = time.perf_counter()
    syn, stats = generate_synthetic(rows.iloc[:2], rows, backend, PromptSpec("fv"), batch_size=2,
                                    progress=False)
    print(f"gemma: 2 rows incl. load in {time.perf_counter() - start:.1f} s, stats {stats}")
    assert stats["calls"] == 2 and backend.last_usage["new_tokens"] > 0
    assert stats["generated"] + stats["unparseable"] == 2
    assert all(isinstance(c, str) and c for c in syn["claim"])


def test_context_words_cuts_prompt_and_names_a_new_generator():
    from littlehuman.generation import ExtractiveBackend
    from littlehuman.generation.prompts import build_messages

    row = {"dataset": "d", "row_id": "r", "context": " ".join(f"w{i}" for i in range(500)),
           "claim": "c", "label": 1}
    msgs = build_messages(row, pd.DataFrame([]), "fv", context_words=120)
    assert msgs[-1]["content"].split()[-1] == "w119"
    b = ExtractiveBackend()
    assert PromptSpec("fv").generator_id(b) != PromptSpec("fv", context_words=120).generator_id(b)
    assert PromptSpec("fv").generator_id(b) == PromptSpec("fv", context_words=3000).generator_id(b)


def test_a_ropes_prompt_cut_keeps_the_situation_at_the_end():
    """The cpu profile cuts prompt contexts to 120 words; ROPES's context is background then
    situation (median 151 words), and its questions ask about the situation: cut at the start,
    32% of the prompts lost where the situation began (a reader of the reports, 2026-12-05).
    A cut ROPES context keeps its end, as the learner does (KEEP_CONTEXT_TAIL)."""
    from littlehuman import config
    from littlehuman.generation import ExtractiveBackend

    long = " ".join(f"w{i}" for i in range(500))
    tail = clean_context(long, 120, keep="tail")
    assert tail.split()[0] == "w380" and tail.split()[-1] == "w499" and len(tail.split()) == 120
    cpu, paper = config.profile("cpu"), config.profile("paper")
    ropes = PromptSpec.from_profile(cpu, "qa", "ropes")
    assert ropes.context_side == "tail" and PromptSpec.from_profile(cpu, "qa", "fairytaleqa").context_side == "head"
    from littlehuman.generation.prompts import build_messages

    row = {"dataset": "ropes", "row_id": "r", "context": long, "question": "q", "answer": "a"}
    msgs = build_messages(row, pd.DataFrame([]), "qa", context_words=ropes.context_words,
                          context_side=ropes.context_side)
    assert msgs[-1]["content"].split()[-1] == "w499"
    b = ExtractiveBackend()
    head = PromptSpec("qa", context_words=120)
    assert ropes.generator_id(b) != head.generator_id(b)  # new twins for the new prompts
    # at the PROTOCOL's 3000 words nothing of ROPES is cut: the paper profile's id stays
    assert PromptSpec.from_profile(paper, "qa", "ropes").generator_id(b) == \
        PromptSpec.from_profile(paper, "qa", "fairytaleqa").generator_id(b)


# ---------------------------------------------------------------- PromptSpec, backend_from_profile
# The ids and requests below were computed with the code before PromptSpec (the module
# function generator_id, build_requests and pipeline.Experiment.backend): existing caches,
# synthetic files and run keys depend on them, so they must never change.


def request_digest(requests: list[list[dict[str, str]]]) -> str:
    return hashlib.sha256(json.dumps(requests).encode()).hexdigest()[:16]


@pytest.fixture
def api_env(monkeypatch):
    """A fake key (API backends read one when built) and no OPENAI_BASE_URL (it names the host)."""
    monkeypatch.setenv("OPENAI_API_KEY", "placeholder-credential")
    monkeypatch.setenv("MY_KEY", "placeholder-credential-2")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_prompt_spec_keeps_the_generator_ids_and_requests_of_before(api_env):
    e = ExtractiveBackend()
    o = make_backend("openai", base_url="http://127.0.0.1:8000/v1")
    # the rules' version is in the extractive ids: rules-v2 (2026-12-06) renamed
    # extractive-0567084e12, -dd737f1238 and -0768e3fc94, whose twins differ
    assert PromptSpec("fv").generator_id(e) == "extractive-4e4b825302"
    assert PromptSpec("qa").generator_id(e) == "extractive-4e4b825302"  # the task is not in it
    assert PromptSpec("fv", reask=0).generator_id(e) == "extractive-4e4b825302"  # nor reask
    assert PromptSpec("fv", k=2, seed=7, label_conditioned=False).generator_id(e) == \
        "extractive-6ac010ac4d"
    assert PromptSpec("fv", context_words=120).generator_id(e) == "extractive-d37b4400ac"
    # a server's port enters its id since 2026-12-05 (two servers on one host had shared
    # replies): "openai-245474907f" before
    assert PromptSpec("fv", k=5, seed=1, label_conditioned=False).generator_id(o) == \
        "openai-33a3712a86"
    fv, qa = fv_rows(12), qa_rows(6)
    assert request_digest(PromptSpec("fv").requests(fv.iloc[:5], fv)) == "b97ceb3baf0a45f6"
    unconditioned = PromptSpec("fv", seed=7, k=2, label_conditioned=False)
    assert request_digest(unconditioned.requests(fv.iloc[:5], fv, attempt=1)) == "6cdf0d486755b34e"
    assert request_digest(PromptSpec("qa", context_words=5).requests(qa, qa)) == "890bc8359acc1804"


def test_prompt_spec_is_frozen_hashable_and_checks_its_task():
    a, b = PromptSpec("fv", k=2), PromptSpec("fv", k=2)
    assert a == b and hash(a) == hash(b) and len({a, b, PromptSpec("fv")}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.k = 3  # type: ignore[misc]
    assert PromptSpec("qa").cot is None and PromptSpec("qa").cot_frame is None
    assert PromptSpec("fv").conditioned and not PromptSpec("qa").conditioned
    assert not PromptSpec("fv", label_conditioned=False).conditioned
    with pytest.raises(LittleHumanError, match="unknown task"):
        PromptSpec("nli")  # type: ignore[arg-type]


def test_the_cpu_profiles_gemma_is_bfloat16_cuts_loops_and_has_its_own_id():
    backend = backend_from_profile(config.profile("cpu"))
    assert backend.params["dtype"] == "bfloat16" and backend.params["loop_tokens"] == 16
    assert backend.params["stop_unkeyed"] is True
    # gemma-976d524175 before loops were cut (2026-12-04), gemma-a3e6bc1858 before replies
    # stopped at their first unkeyed line (2026-12-05): their twins are not reused
    assert PromptSpec.from_profile(config.profile("cpu"), "fv", "toyfv").generator_id(backend) \
        == "gemma-7b8f158de6"
    before = backend_from_profile(config.profile("cpu", gen_stop_unkeyed=False))
    assert PromptSpec.from_profile(config.profile("cpu"), "fv", "toyfv").generator_id(before) \
        == "gemma-a3e6bc1858"


# generator ids of Experiment(...).generator_id for each profile and generator, before the move
# (the extractive rules' version since: rules-v2 renamed extractive-7ad40f63d6 and -d66fe76c49)
PROFILE_IDS = {
    ("smoke", "extractive"): "extractive-93b6944250", ("smoke", "gemma"): "gemma-a53c1bd9f1",
    ("smoke", "openai"): "openai-f9cb0da695", ("smoke", "openai-batch"): "openai-batch-089abf141d",
    ("cpu", "extractive"): "extractive-23bde135b9", ("cpu", "gemma"): "gemma-c0cdbb6832",
    ("cpu", "openai"): "openai-4d0d05431b", ("cpu", "openai-batch"): "openai-batch-4f6236d0ad",
    ("paper", "extractive"): "extractive-93b6944250", ("paper", "gemma"): "gemma-e6598abc24",
    ("paper", "openai"): "openai-65c423c904", ("paper", "openai-batch"): "openai-batch-f9dad5558b",
}


@pytest.mark.parametrize("name, generator", list(PROFILE_IDS))
def test_backend_from_profile_builds_the_generator_of_before(api_env, name, generator):
    # gen_dtype "auto", gen_loop_tokens 0 and gen_stop_unkeyed off are the settings before
    # they existed (the cpu profile now sets bfloat16; every profile cuts loops at 16 tokens
    # and stops at the first unkeyed line)
    prof = config.profile(name, generator=generator, gen_dtype="auto", gen_loop_tokens=0,
                          gen_stop_unkeyed=False)
    backend = backend_from_profile(prof)
    assert backend.name == generator and backend.local == (generator in ("extractive", "gemma"))
    assert PromptSpec.from_profile(prof, "fv", "toyfv").generator_id(backend) == \
        PROFILE_IDS[name, generator]


def test_backend_from_profile_passes_every_setting(api_env):
    over = dict(gen_model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1", api_key_env="MY_KEY",
                concurrency=4, rpm=100, tpm=5000, endpoint="completions", request_timeout=7.0,
                batch_poll_s=2.0, temperature=0.7, max_new_tokens=64, data_seed=5,
                gen_loop_tokens=10, gen_stop_unkeyed=False)
    ids = {"openai": "openai-8fbd0c5074", "openai-batch": "openai-batch-62b2cb267a",  # port 9
           "gemma": "gemma-2faac5d408", "extractive": "extractive-96a5e730ad"}
    built = {}
    for generator, gen_id in ids.items():
        chat_only = {"endpoint": "chat"} if generator == "openai-batch" else {}
        prof = config.profile("paper", generator=generator, **{**over, **chat_only})
        built[generator] = backend_from_profile(prof)
        assert PromptSpec.from_profile(prof, "fv", "toyfv").generator_id(built[generator]) == gen_id
    chat, batch = built["openai"], built["openai-batch"]
    assert (chat.model, chat.base_url, chat.api_key_env, chat.concurrency, chat.rpm, chat.tpm,
            chat.endpoint, chat.timeout_s) == ("gpt-4o-mini", "http://127.0.0.1:9/v1", "MY_KEY",
                                               4, 100, 5000, "completions", 7.0)
    assert chat.params == {"temperature": 0.7, "max_new_tokens": 64, "host": "127.0.0.1:9",
                           "endpoint": "completions"}
    assert (batch.model, batch.api_key_env, batch.poll_s, batch.timeout_s) == (
        "gpt-4o-mini", "MY_KEY", 2.0, 60.0)
    assert batch.params == {"temperature": 0.7, "max_new_tokens": 64, "host": "127.0.0.1:9"}
    assert built["gemma"].params == {"temperature": 0.7, "max_new_tokens": 64, "seed": 5,
                                     "loop_tokens": 10}
    assert built["extractive"].params == {"seed": 5}
    # 0 leaves rpm, tpm and the request timeout unset (60 s for api.openai.com)
    plain = backend_from_profile(config.profile("paper", generator="openai"))
    assert (plain.model, plain.concurrency, plain.rpm, plain.tpm, plain.timeout_s) == (
        "gpt-3.5-turbo", 16, None, None, 60.0)
    assert not plain.local and not batch.local and batch.batch_pricing


def test_backend_from_profile_unknown_generator_is_make_backends_error():
    prof = dataclasses.replace(config.profile("smoke"), generator="gpt-99")  # past validation
    with pytest.raises(LittleHumanError, match="unknown generation backend 'gpt-99'"):
        backend_from_profile(prof)


def test_label_conditioning_names_no_other_qa_generator():
    """QA prompts ask for no label: `--label-conditioned false` renamed byte-identical ROPES
    twins (and their runs), a reviewer found; it is now refused for QA, and the id kept."""
    backend = ExtractiveBackend()
    assert PromptSpec("qa", label_conditioned=False).generator_id(backend) == \
        PromptSpec("qa").generator_id(backend)
    assert PromptSpec("fv", label_conditioned=False).generator_id(backend) != \
        PromptSpec("fv").generator_id(backend)


def test_a_qa_copy_repeats_the_examples_question_and_answer():
    """ROPES asks generic questions ("Which city has more pollution?") of many contexts: one
    repeated with an answer from the new context is a twin; the example's answer too, a copy."""
    from littlehuman.generation.generate import _copied

    shown = [{"role": "user", "content": "Context: x"},
             {"role": "assistant", "content": "Question: Which city has more pollution?||\nAnswer: Ayr"}]
    assert _copied({"question": "Which city has more pollution?", "answer": "Ayr."}, shown, "qa")
    assert not _copied({"question": "Which city has more pollution?", "answer": "Brill"}, shown, "qa")
    assert parse_reply("Question: How many were left?||\nAnswer: none", "qa") == {
        "question": "How many were left?", "answer": "none"}  # an answer, not a placeholder


@pytest.mark.parametrize("claim", [
    # a reviewer's sweep of parser 4 (session 30): first-person sentences and titles that its
    # wider refusal pattern had dropped, each costing its row three paid asks
    "I must decline the invitation.", "I have to refuse the offer.", "I won't give up.",
    "I won't do that again.", "Sorry, I can't stay long.", "I can't give you any money.",
    "Unfortunately, I can't make it to the party.", "I regret that I cannot attend.",
    "I Won't Give Up is a song by Jason Mraz.", "I Can't Do This Alone is a song.",
])
def test_parse_keeps_first_person_sentences_that_name_no_task(claim):
    assert parse_reply(f"Claim: {claim}||\nLabel: True", "fv") == {"claim": claim, "label": 1}


@pytest.mark.parametrize("reply, task, expected", [
    # a second pair's key is not this pair's
    ("Claim: The tower is in Paris. Label: True\nClaim: The tower is in Rome.\nLabel: Untrue",
     "fv", {"claim": "The tower is in Paris.", "label": 1}),
    ("Question: Who won the race? Answer: Tom\nQuestion: Who lost?\nAnswer: Jim", "qa",
     {"question": "Who won the race?", "answer": "Tom"}),
    # a keyless field over two lines, before ||
    ("The tower\nis in Paris.||\nLabel: True", "fv", {"claim": "The tower is in Paris.", "label": 1}),
    ("Claim: The tower\nis in Paris.||Label: True", "fv",
     {"claim": "The tower is in Paris.", "label": 1}),
    # a quoted title keeps its quotes; a quoted field loses them
    ("Claim: \u201cHello\u201d is a song by Adele.||\nLabel: True", "fv",
     {"claim": "\u201cHello\u201d is a song by Adele.", "label": 1}),
    ("Question: What did he say?||\nAnswer: I must decline.", "qa",
     {"question": "What did he say?", "answer": "I must decline."}),
    ("Question: Which one?||\nAnswer: [B]", "qa", {"question": "Which one?", "answer": "[B]"}),
    ('{"question": "Who?", "answer": null}', "qa", None),
    # a chat model's opening sentence on the line before a keyless field
    ("Sure! Here is a true claim.\nThe Eiffel Tower is in Paris.||\nLabel: True", "fv",
     {"claim": "The Eiffel Tower is in Paris.", "label": 1}),
    # the dataset's own coding as a label (it had fallen back to the label asked for)
    (f"Claim: {BRIDGE}||\nLabel: 0", "fv", {"claim": BRIDGE, "label": 0}),
    (f"Claim: {BRIDGE}||\nLabel: **1**", "fv", {"claim": BRIDGE, "label": 1}),
    (f"Claim: {BRIDGE}||\nLabel: 10 of them", "fv", {"claim": BRIDGE, "label": None}),
])
def test_parse_what_parser_4_first_misread(reply, task, expected):
    assert parse_reply(reply, task) == expected


def test_the_fault_line_of_a_local_generator_says_nothing_was_sent():
    """The extractive rules' twins read "48 requests, 48 sent (retries: none), 0 given up"
    (a user): a generator run here sends nothing."""
    from littlehuman.generation.generate import fault_line

    stats = {"calls": 48, "generated": 48, "missing": 0, "reasked": 0}
    local = fault_line("scifact", "extractive-x", stats, local=True)
    assert local == ("[scifact] generation extractive-x: 48 prompts answered here (a local "
                     "generator: nothing sent); 0 re-asked for unusable replies; 48 twins, "
                     "0 rows without one")
    remote = fault_line("scifact", "openai-x", {**stats, "faults": {"sent": 50,
                                                                     "retried": {"429": 2}}})
    assert "48 requests, 50 sent (retries: 429 x2), 0 given up;" in remote
