"""Chain-of-thought prompts (user examples, validated) and the token bill kept in the cache.

All rows and examples are invented fixtures.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from littlehuman.errors import LittleHumanError
from littlehuman.generation import GenerationCache, PromptSpec, generate_synthetic, load_or_generate
from littlehuman.generation.backends.base import Completion, as_completion
from littlehuman.generation.generate import bill, read_bill
from littlehuman.generation.prompts import format_answer, load_cot_examples
from test_generation import ScriptedBackend, fv_rows, qa_rows, request_digest

FV_COT = [
    {"context": "The Vell tower is 40 m tall.", "explanation": "The text gives its height.",
     "claim": "The Vell tower is 40 m tall.", "label": "True"},
    {"context": "Ada Rune sang in Oslen.", "explanation": "Nothing says she danced.",
     "claim": "Ada Rune danced in Oslen.", "label": "Untrue"},
    {"context": "Kip Farm grows pears.", "explanation": "Pears are named.",
     "claim": "Kip Farm grows pears.", "label": 1},
]


def cot_file(tmp_path, data) -> str:
    path = tmp_path / "cot.json"
    path.write_text(json.dumps(data))
    return str(path)


def cot_reply(messages):
    return ("Explanation: the context names it.||\nClaim: An invented claim.||\nLabel: True")


def test_cot_examples_shape_every_prompt(tmp_path):
    cot = load_cot_examples(cot_file(tmp_path, {"toyfv": FV_COT}), "fv", "toyfv")
    assert list(cot["label"]) == [1, 0, 1]
    seen = []
    backend = ScriptedBackend(lambda m: seen.append(m) or cot_reply(m))
    rows = fv_rows(4, unique=True)
    out, stats = generate_synthetic(rows, fv_rows(12), backend, PromptSpec("fv", cot=cot),
                                    progress=False)
    assert stats["generated"] == 4 and stats["unparseable"] == 0
    assert set(out["claim"]) == {"An invented claim."}
    for messages in seen:  # system, 3 fixed example pairs, the new context
        assert len(messages) == 8
        assert messages[2]["content"].startswith("Explanation: The text gives its height.||\nClaim:")
        assert messages[3]["content"] == "Context: Ada Rune sang in Oslen."
    plain = PromptSpec("fv").generator_id(backend)
    assert PromptSpec("fv", cot=cot).generator_id(backend).startswith("scripted-cot-")
    assert PromptSpec("fv", cot=cot).generator_id(backend) != plain


def test_prompt_spec_holds_the_cot_examples_hashably(tmp_path):
    from littlehuman import config
    from littlehuman.generation import GemmaBackend, make_backend

    path = cot_file(tmp_path, {"toyfv": FV_COT})
    cot = load_cot_examples(path, "fv", "toyfv")
    spec = PromptSpec("fv", cot=cot)
    assert isinstance(spec.cot, tuple) and spec == PromptSpec("fv", cot=spec.cot)
    assert hash(spec) == hash(PromptSpec("fv", cot=load_cot_examples(path, "fv", "toyfv")))
    pd.testing.assert_frame_equal(spec.cot_frame, cot)
    prof = config.profile("cpu", cot_examples=path, k_shots=2, reask=1)
    assert PromptSpec.from_profile(prof, "fv", "toyfv") == PromptSpec(
        "fv", k=2, seed=prof.data_seed, label_conditioned=prof.label_conditioned,
        context_words=prof.prompt_context_words, cot=cot, reask=1)
    # pinned with the code before PromptSpec (generator_id(..., cot=...), build_requests)
    cpu = PromptSpec("fv", seed=42, context_words=120, cot=cot)
    assert cpu.generator_id(GemmaBackend()) == "gemma-cot-20215ca8bd"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPENAI_API_KEY", "placeholder-credential")
        openai = make_backend("openai", base_url="http://127.0.0.1:8000/v1")
    assert spec.generator_id(openai) == "openai-cot-4bb001f6af"  # -52d18b248f before the port
    rows = fv_rows(12)
    requests = PromptSpec("fv", cot=cot, context_words=50).requests(rows.iloc[:5], rows, attempt=2)
    assert request_digest(requests) == "dc8f087432b40a9d"


def test_format_answer_with_and_without_explanation():
    row = {"question": "Q?", "answer": "A", "explanation": "why"}
    assert format_answer(row, "qa") == "Explanation: why||\nQuestion: Q?||\nAnswer: A"
    assert format_answer({"question": "Q?", "answer": "A"}, "qa") == "Question: Q?||\nAnswer: A"


@pytest.mark.parametrize("data, message", [
    (FV_COT[:2], "expected 3 examples, got 2"),
    ({"other": FV_COT}, "have none for 'toyfv'"),
    ([FV_COT[0], FV_COT[1], {**FV_COT[2], "explanation": " "}], "example 3 in"),
    ([FV_COT[0], FV_COT[1], {**FV_COT[2], "label": "maybe"}], "is not True/Untrue"),
])
def test_bad_cot_files_are_one_clear_error(tmp_path, data, message):
    with pytest.raises(LittleHumanError, match=message):
        load_cot_examples(cot_file(tmp_path, data), "fv", "toyfv")


def test_cot_file_missing_or_not_json(tmp_path):
    with pytest.raises(LittleHumanError, match="cannot read chain-of-thought"):
        load_cot_examples(tmp_path / "nope.json", "qa", "toyqa")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(LittleHumanError, match="not JSON"):
        load_cot_examples(bad, "qa", "toyqa")


def test_completion_is_a_str_with_usage():
    c = Completion("Claim: x", prompt_tokens=10, completion_tokens=3)
    assert c == "Claim: x" and c.startswith("Claim") and c.usage() == {
        "prompt_tokens": 10, "completion_tokens": 3}
    assert as_completion("plain").prompt_tokens is None


def test_usage_is_cached_per_call_and_billed_once(home):
    calls = []

    def reply(messages):
        calls.append(1)
        return Completion("Question: Invented?||\nAnswer: yes", prompt_tokens=100,
                          completion_tokens=7)

    backend = ScriptedBackend(reply)
    rows = qa_rows(6)  # 6 rows, all distinct requests
    cache = GenerationCache(home / "cache.jsonl")
    out, stats = load_or_generate(rows, rows, backend, PromptSpec("qa"), cache=cache,
                                  progress=False)
    assert stats["calls"] == 6
    lines = [json.loads(line) for line in (home / "cache.jsonl").read_text().splitlines()]
    assert all(line["record"]["usage"] == {"prompt_tokens": 100, "completion_tokens": 7}
               for line in lines)
    stored = read_bill("toyqa", PromptSpec("qa").generator_id(backend))
    assert stored["requests"] == 6 and stored["input_tokens"] == 600
    assert stored["output_tokens"] == 42 and stored["missing_usage"] == 0
    # a rerun pays nothing and the bill (all requests behind the rows) is unchanged
    again = GenerationCache(home / "cache.jsonl")
    _, stats2 = load_or_generate(rows, rows, backend, PromptSpec("qa"), cache=again, progress=False)
    assert stats2["calls"] == 0 and len(calls) == 6
    billed = bill(rows, rows, backend, PromptSpec("qa"), again)
    assert {**billed, "asked_rows": sorted(rows["row_id"])} == stored


def test_replies_paid_in_a_run_killed_before_its_bill_reach_the_bill(home):
    """A reviewer killed a run after its replies were cached and before its bill was written
    (or filled the disk there): the rerun got them from the cache, made no call, and the bill
    stayed at the earlier run's 3 requests for good."""
    from littlehuman.generation.generate import bill_path, synthetic_path

    def reply(messages):
        return Completion("Question: Invented?||\nAnswer: yes", prompt_tokens=100,
                          completion_tokens=7)

    backend, rows, spec = ScriptedBackend(reply), qa_rows(6), PromptSpec("qa")
    cache = GenerationCache(home / "cache.jsonl")
    load_or_generate(rows.iloc[:3], rows, backend, spec, cache=cache, progress=False)
    gen_id = spec.generator_id(backend)
    assert read_bill("toyqa", gen_id)["requests"] == 3
    generate_synthetic(rows, rows, backend, spec, cache=cache, progress=False)  # "killed" here
    _, stats = load_or_generate(rows, rows, ScriptedBackend(pytest.fail), spec,
                                cache=GenerationCache(cache.path), progress=False)
    assert stats["calls"] == 0 and read_bill("toyqa", gen_id)["requests"] == 6
    # a damaged bill and twins file: read as none and written anew, nothing sent
    bill_path("toyqa", gen_id).write_text("")
    synthetic_path("toyqa", gen_id).write_bytes(b"")
    out, stats = load_or_generate(rows, rows, ScriptedBackend(pytest.fail), spec,
                                  cache=GenerationCache(cache.path), progress=False)
    assert stats["calls"] == 0 and len(out) == 6 and read_bill("toyqa", gen_id)["requests"] == 6


def test_a_torn_send_log_line_is_cut_before_the_next_event(home):
    from littlehuman.generation.generate import SendLog, read_send_log

    cache = GenerationCache(home / "c.jsonl")
    log = SendLog(cache)
    log.recorder(["k1"])(0, "sent")
    with open(log.path, "a", encoding="utf-8") as fh:
        fh.write('{"ke')  # a writer killed mid-line
    log.recorder(["k2"])(0, "sent")
    assert read_send_log(cache) == {"k1": ["sent"], "k2": ["sent"]}


def test_replies_without_usage_are_counted_missing(home):
    backend = ScriptedBackend(lambda m: "Question: Invented?||\nAnswer: yes")
    rows = qa_rows(3)
    cache = GenerationCache(home / "c.jsonl")
    generate_synthetic(rows, rows, backend, PromptSpec("qa"), cache=cache, progress=False)
    summary = bill(rows, rows, backend, PromptSpec("qa"), cache)
    assert summary["answered"] == 3 and summary["missing_usage"] == 3
    assert summary["input_tokens"] == 0
