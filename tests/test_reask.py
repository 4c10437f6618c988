"""Real output never stops a run: unusable replies are asked again with fresh examples, rows
still without a twin are covered by spares, the cache is shared safely between processes,
and the bill counts what was sent. All rows are invented fixtures (no dataset text)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from littlehuman.errors import LittleHumanError
from littlehuman.generation import GenerationCache, PromptSpec, generate_synthetic, load_or_generate
from littlehuman.generation.backends.base import Backend, Completion
from littlehuman.generation.generate import bill, fault_line, read_send_log
from littlehuman.mixing import replacement_mix
from test_generation import fv_echo, fv_rows

REFUSAL = "I'm sorry, but I can't help with that request."


class RefusingBackend(Backend):
    """Refuses every request whose prompt is in ``refuse`` (a set of message hashes filled by
    ``refuse_first``), or for row contexts in ``always``; answers the rest well."""

    name = "refusing"
    model = "test"

    def __init__(self, always: tuple[str, ...] = (), first: tuple[str, ...] = ()) -> None:
        self.params = {"v": 1}
        self.always, self.first = always, set(first)
        self.seen: list[list[dict[str, str]]] = []

    def complete(self, batch):
        out = []
        for messages in batch:
            self.seen.append(messages)
            context = messages[-1]["content"]
            hit_first = [m for m in self.first if m in context]
            if any(m in context for m in self.always) or hit_first:
                for m in hit_first:  # refuse only the first ask of these rows
                    self.first.discard(m)
                out.append(REFUSAL)
            else:
                out.append(fv_echo(messages))
        return out


def _marker(i: int) -> str:
    return f"Entry {i} is invented."


def test_unusable_reply_is_reasked_with_fresh_examples(tmp_path):
    rows = fv_rows(12, unique=True)
    backend = RefusingBackend(first=(_marker(3), _marker(7)))
    cache = GenerationCache(tmp_path / "gen.jsonl")
    syn, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv"), cache=cache,
                                    progress=False)
    assert stats["generated"] == 12 and stats["missing"] == 0
    assert stats["reasked"] == 2 and stats["unusable_replies"] == 2 and stats["calls"] == 14
    assert syn.set_index("source_row_id")["attempt"].to_dict() == {
        r: (1 if r in ("fv03", "fv07") else 0) for r in rows["row_id"]}
    # the re-ask shows other examples than the first ask (same context, new draw)
    asks = [m for m in backend.seen if _marker(3) in m[-1]["content"]]
    assert len(asks) == 2 and asks[0] != asks[1]
    assert asks[0][-1] == asks[1][-1]  # the row's own context is asked again
    # a rerun replays the chain from the cache: nothing is sent, no re-ask made (the pass's
    # line had counted the replayed ones as made: a reviewer)
    again = RefusingBackend()
    syn2, stats2 = generate_synthetic(rows, rows, again, PromptSpec("fv"),
                                      cache=GenerationCache(cache.path), progress=False)
    assert again.seen == [] and stats2["calls"] == 0 and stats2["reasked"] == 0
    pd.testing.assert_frame_equal(syn, syn2)


def test_row_that_stays_unusable_is_missing_and_a_higher_limit_sends_only_new_asks(tmp_path):
    rows = fv_rows(8, unique=True)
    cache = GenerationCache(tmp_path / "gen.jsonl")
    backend = RefusingBackend(always=(_marker(5),))
    syn, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv"), cache=cache,
                                    progress=False)
    assert stats["missing"] == 1 and stats["generated"] == 7 and stats["reasked"] == 2
    assert stats["calls"] == 10  # 8 first asks + 2 re-asks of the one row
    # rerun: the two re-asks are cached, nothing is sent
    again = RefusingBackend(always=(_marker(5),))
    _, stats = generate_synthetic(rows, rows, again, PromptSpec("fv"), cache=cache, progress=False)
    assert again.seen == [] and stats["missing"] == 1
    # a higher limit sends only the asks beyond the cached ones
    more = RefusingBackend()
    syn, stats = generate_synthetic(rows, rows, more, PromptSpec("fv", reask=3), cache=cache,
                                    progress=False)
    assert len(more.seen) == 1 and stats["missing"] == 0
    assert syn.set_index("source_row_id").loc["fv05", "attempt"] == 3


def test_reask_zero_keeps_the_old_behaviour(tmp_path):
    rows = fv_rows(6, unique=True)
    backend = RefusingBackend(always=(_marker(2),))
    syn, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv", reask=0), progress=False)
    assert stats["calls"] == 6 and stats["missing"] == 1 and stats["reasked"] == 0


def test_load_or_generate_bill_counts_reasks_and_missing(home):
    rows = fv_rows(10, unique=True)
    backend = RefusingBackend(always=(_marker(4),), first=(_marker(1),))
    syn, stats = load_or_generate(rows, rows, backend, PromptSpec("fv"), progress=False)
    assert len(syn) == 9 and stats["missing"] == 1
    from littlehuman.generation.generate import read_bill

    stored = read_bill("toyfv", PromptSpec("fv").generator_id(backend))
    assert stored["rows"] == 10 and stored["reasked_rows"] == 1 and stored["missing"] == 1
    assert stored["requests"] == 13 and stored["answered"] == 13  # 10 + 1 + 2 re-asks
    assert stored["sent"] == 13  # a local backend: every answered request counts as sent
    # rerun: read from the parquet and the cache, nothing sent
    again = RefusingBackend(always=(_marker(4),))
    syn2, stats2 = load_or_generate(rows, rows, again, PromptSpec("fv"), progress=False)
    assert again.seen == [] and len(syn2) == 9 and (syn2["attempt"] > 0).sum() == 1


def test_a_lower_reask_later_keeps_the_re_asks_paid_for_on_the_bill(home):
    """Run 1 at --reask 2 re-asks rows 1 and 4; run 2 asks more rows at --reask 0: the bill
    had been replayed at 0 and dropped the re-asks run 1 paid for (a reviewer: 131 requests
    sent, the bill said 121). A cache replay counts no re-ask in a pass's own line either."""
    from littlehuman.generation.generate import read_bill

    rows = fv_rows(14, unique=True)
    backend = RefusingBackend(always=(_marker(4),), first=(_marker(1),))
    load_or_generate(rows.iloc[:10], rows, backend, PromptSpec("fv"), progress=False)
    gen_id = PromptSpec("fv").generator_id(backend)
    first = read_bill("toyfv", gen_id)
    assert first["requests"] == 13 and first["reasked_rows"] == 1 and first["missing"] == 1
    later = RefusingBackend(always=(_marker(4),))
    _, stats = load_or_generate(rows, rows, later, PromptSpec("fv", reask=0), progress=False)
    assert len(later.seen) == 4 and stats["reasked"] == 0
    second = read_bill("toyfv", gen_id)
    assert second["requests"] == 17 and second["answered"] == 17  # 13 + the 4 new rows
    assert second["reasked_rows"] == 1 and second["missing"] == 1
    # nor when the bill of the run that paid for them is lost (killed before it was written)
    from littlehuman.generation.generate import bill_path

    bill_path("toyfv", gen_id).unlink()
    load_or_generate(rows, rows, RefusingBackend(always=(_marker(4),)),
                     PromptSpec("fv", reask=0), progress=False)
    assert read_bill("toyfv", gen_id)["requests"] == 17


class EventBackend(Backend):
    """Reports server events as a real API backend would: request 0 of every batch is sent,
    hit by a 429, re-sent, times out, is re-sent and answered; the others go through."""

    name = "events"
    model = "test"

    def __init__(self) -> None:
        self.params = {"v": 1, "max_new_tokens": 50}

    def complete(self, batch):
        for i in range(len(batch)):
            self._event(i, "sent")
            if i == 0:
                self._event(i, "retry:429")
                self._event(i, "retry:timeout")
        return [fv_echo(m) for m in batch]


def test_send_log_and_bill_count_every_send(home, tmp_path):
    rows = fv_rows(4, unique=True)
    cache = GenerationCache(tmp_path / "gen.jsonl")
    backend = EventBackend()
    _, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv"), cache=cache,
                                  progress=False, batch_size=4)
    assert stats["faults"] == {"sent": 6, "retried": {"429": 1, "timeout": 1}, "failed": {}}
    line = fault_line("toyfv", "g", stats)
    assert "6 sent" in line and "429 x1" in line and "timeout x1" in line
    # a request sent by a process that died before its reply was kept, then sent again
    log = cache.path.with_suffix(".sent.jsonl")
    first_key = next(iter(read_send_log(cache)))
    with open(log, "a") as fh:
        fh.write(json.dumps({"key": first_key, "event": "sent"}) + "\n")
    # (the rows' keys now have: sent, 429, timeout(+lost), answered; plus a second first send)
    summary = bill(rows, rows, backend, PromptSpec("fv"), cache)
    assert summary["sent"] == 7 and summary["retried"] == {"429": 1, "timeout": 1}
    assert summary["resent_after_kill"] == 1
    # lost: the send that timed out, the one in flight when the process died
    assert summary["unkept_sends"] == 2 and summary["unkept_output_tokens"] == 100
    assert summary["unkept_input_tokens"] > 0 and summary["answered"] == 4


class CappedBackend(Backend):
    """The replies for rows 0 and 3 run to ``max_new_tokens`` (4), the others stop at 2."""

    name = "capped"
    model = "test"
    local = True

    def __init__(self) -> None:
        self.params = {"max_new_tokens": 4}

    def complete(self, batch):
        return [Completion(fv_echo(m), 10, 4 if any(f"Entry {i} is" in m[-1]["content"]
                                                     for i in (0, 3)) else 2)
                for m in batch]


def test_bill_counts_the_replies_that_ran_to_the_token_cap(home, tmp_path):
    from littlehuman import plots

    rows = fv_rows(6, unique=True)
    cache = GenerationCache(tmp_path / "gen.jsonl")
    backend = CappedBackend()
    generate_synthetic(rows, rows, backend, PromptSpec("fv"), cache=cache, progress=False)
    summary = bill(rows, rows, backend, PromptSpec("fv"), cache)
    assert summary["answered"] == 6 and summary["output_tokens"] == 2 * 4 + 4 * 2
    assert summary["at_cap"] == 2
    table = plots.generate.bill_table({**summary, "local": True, "dollars": None})
    assert table.loc["replies that reached --max-new-tokens", "value"] == "2"
    older = {k: v for k, v in summary.items() if k != "at_cap"}  # a bill written before
    assert "replies that reached --max-new-tokens" not in \
        plots.generate.bill_table({**older, "local": True, "dollars": None}).index


def test_send_log_skips_a_torn_line(tmp_path):
    cache = GenerationCache(tmp_path / "gen.jsonl")
    cache.path.with_suffix(".sent.jsonl").write_text('{"key": "a", "event": "sent"}\n{"key": "b", "ev')
    assert read_send_log(cache) == {"a": ["sent"]}


# ------------------------------------------------------------------ the shared cache

def test_torn_tail_repair_never_cuts_another_process_line(tmp_path):
    path = tmp_path / "gen.jsonl"
    GenerationCache(path).put("a", {"reply": "x"})
    with open(path, "ab") as fh:
        fh.write(b'{"key": "torn", "rec')  # a writer killed mid-line
    first = GenerationCache(path)  # opened while the file ends with the torn line
    second = GenerationCache(path)
    second.put("b", {"reply": "y"})  # cuts the torn tail, appends
    first.put("c", {"reply": "z"})  # must not cut "b"
    lines = path.read_text().splitlines()
    assert [json.loads(x)["key"] for x in lines] == ["a", "b", "c"]
    assert first.refresh() >= 1 and first.get("b") == {"reply": "y"}


def test_refresh_reads_what_another_writer_appended(tmp_path):
    path = tmp_path / "gen.jsonl"
    reader, writer = GenerationCache(path), GenerationCache(path)
    writer.put("k1", {"reply": "1"})
    assert reader.get("k1") is None
    assert reader.refresh() == 1 and reader.get("k1") == {"reply": "1"}


# ------------------------------------------------------------------ spares in the mix

def _real_and_twins(n: int, without: set[int], spares: int):
    real = fv_rows(n, unique=True)
    extra = fv_rows(n + spares, unique=True).iloc[n:]
    twins = []
    for i, r in pd.concat([real, extra]).reset_index(drop=True).iterrows():
        if i in without:
            continue
        twins.append({**r.to_dict(), "row_id": f"s-{r['row_id']}", "claim": f"syn {i}",
                      "source_row_id": r["row_id"]})
    return real, pd.DataFrame(twins)


def test_full_replacement_uses_a_spare_twin_for_a_row_without_one():
    real, syn = _real_and_twins(10, without={2, 6}, spares=3)
    mixes = {f: replacement_mix(real, syn, 10, f, 0, "toy") for f in (0.0, 0.5, 0.8, 0.9, 1.0)}
    full = mixes[1.0]
    assert full["is_synthetic"].all() and int(full["spare_twin"].sum()) == 2
    assert set(full.loc[full["spare_twin"], "row_id"]) == {"s-fv10", "s-fv11"}
    assert not mixes[0.8]["spare_twin"].any()  # 8 rows have twins: no spare needed yet
    assert int(mixes[0.9]["spare_twin"].sum()) == 1
    replaced = [set(m.index[m["is_synthetic"]]) for m in mixes.values()]
    assert all(a <= b for a, b in zip(replaced, replaced[1:]))  # still nested


def test_without_spares_the_error_says_what_to_do():
    real, syn = _real_and_twins(10, without={2}, spares=0)
    assert replacement_mix(real, syn, 10, 0.9, 0, "toy")["is_synthetic"].sum() == 9
    with pytest.raises(LittleHumanError, match="generate synthetic twins for more train rows"):
        replacement_mix(real, syn, 10, 1.0, 0, "toy")


def test_run_record_counts_reasked_and_spare_twins():
    from littlehuman.runs import RunSpec, execute

    real, syn = _real_and_twins(10, without={2}, spares=2)
    syn["attempt"] = [1 if r == "fv04" else 0 for r in syn["source_row_id"]]
    rows = pd.concat([real.assign(split="train"), real.assign(split="test")], ignore_index=True)
    rows.loc[10:, "row_id"] = [f"t{i}" for i in range(10)]
    spec = RunSpec.make("toyfv", "sweep", 10, 1.0, 0, "g", "majority")
    record, _ = execute(spec, rows, syn)
    assert record["train"]["n_synthetic"] == 10
    assert record["train"]["n_reasked_twins"] == 1 and record["train"]["n_spare_twins"] == 1


def test_zoom_and_tradeoff_twins_use_the_cot_examples(home, shared_data, tmp_path):
    """Issue 11's bug: with --cot-examples, the zoom and trade-off twins were generated without
    the chain-of-thought examples (and the sweep's twins paid for twice)."""
    from littlehuman import config
    from littlehuman.experiments import sweep, tradeoff, zoom
    from littlehuman.study import Study
    from test_generation_cot_bill import FV_COT, cot_file

    profile = config.profile("smoke", learner="majority", seeds="0", zoom_sizes="64 48",
                             cot_examples=cot_file(tmp_path, {"fever": FV_COT}))
    exp = Study.create("fever", profile, data_dir=str(shared_data))
    for experiment in (sweep, zoom, tradeoff):
        experiment.prepare(exp, progress=False)
    assert "-cot-" in exp.generator_id
    files = sorted(p.name for p in (home / "data" / "synthetic" / "fever").glob("*.parquet"))
    assert files == [f"{exp.generator_id}.parquet"]


# ---- a generator that refuses everything is given up on, not asked the whole pool ----------
def test_a_generator_that_refuses_everything_is_given_up_on_early(tmp_path):
    """Every reply a refusal: once 100 replies are read, generation stops with one line
    instead of asking all 120 rows three times; what was sent stays cached and a rerun sends
    nothing new before it stops again."""
    from littlehuman.generation import generate as G

    rows = fv_rows(120, unique=True)
    cache = GenerationCache(tmp_path / "gen.jsonl")
    backend = RefusingBackend(always=("Entry",))
    with pytest.raises(LittleHumanError, match=r"generation stopped: refusing model test gave "
                       r"0 usable replies of the first 100 \(the last: ") as e:
        generate_synthetic(rows, rows, backend, PromptSpec("fv"), cache=cache, progress=False,
                           batch_size=8)
    assert REFUSAL[:30] in str(e.value) and str(cache.path) in str(e.value)
    sent = len(backend.seen)
    assert G.HOPELESS_AFTER_ASKS <= sent < G.HOPELESS_AFTER_ASKS + 8  # the batch it was in
    assert len(GenerationCache(cache.path)) == sent  # every reply sent was kept
    again = RefusingBackend(always=("Entry",))
    with pytest.raises(LittleHumanError, match="generation stopped"):
        generate_synthetic(rows, rows, again, PromptSpec("fv"), cache=GenerationCache(cache.path),
                           progress=False, batch_size=8)
    assert again.seen == []  # the same 50 rows, replayed from the cache


def test_a_generator_with_some_usable_replies_is_not_given_up_on(tmp_path):
    """Three rows in four always refused: 40 of 160 replies usable (25%, above the 10%
    floor): the run completes, the refused rows left without a twin for spares to cover."""
    rows = fv_rows(40, unique=True)
    refused = tuple(f"Entry {i} is invented." for i in range(40) if i % 4)
    syn, stats = generate_synthetic(rows, rows, RefusingBackend(always=refused),
                                    PromptSpec("fv"), progress=False)
    assert stats["missing"] == 30 and stats["generated"] == 10
    assert stats["unusable_replies"] == 90


def test_a_server_refusing_everything_stops_the_stream_early(key_env, tmp_path):
    """The same through the openai backend's stream against the fake server: 100% refusals,
    200 rows queued at once; generation stops once 100 replies are read and the stream is
    closed (at most the 4 in flight and 4 waiting more), far short of 600 requests; a rerun
    replays the cached replies, stops again and sends nothing."""
    from fake_openai import FakeOpenAI
    from test_openai_chat import backend as chat_backend, worker

    cache = tmp_path / "gen.jsonl"
    with FakeOpenAI(refusal_rate=1.0) as server:
        rows = worker.fixture_rows(200)
        sent = []
        for _ in range(2):
            b = chat_backend(server, concurrency=4)
            with pytest.raises(LittleHumanError, match="0 usable replies of the first 100"):
                generate_synthetic(rows, rows, b, PromptSpec("fv"),
                                   cache=GenerationCache(cache), progress=False)
            sent.append(len(server.requests("POST", "/v1/chat/completions")))
        assert 100 <= sent[0] <= 100 + 2 * 4
        assert sent[1] == sent[0]  # the rerun sent nothing


def test_a_request_too_long_for_the_context_is_reasked_not_fatal(key_env, tmp_path):
    """A server with a small context answers 400 context_length_exceeded (OpenAI's words) to
    prompts that pass it: a short row whose few-shot examples include the long row is asked
    again with other examples, the long row itself (never fitting) is left for a spare, and
    the run goes on; before, one such 400 stopped the whole generation."""
    from fake_openai import FakeOpenAI
    from test_openai_chat import backend as chat_backend, worker

    rows = worker.fixture_rows(30)
    rows.loc[7, "context"] = "An invented passage that goes on and on. " * 100  # ~4,100 chars
    with FakeOpenAI(context_tokens=900) as server:
        b = chat_backend(server, concurrency=4)
        syn, stats = generate_synthetic(rows, rows, b, PromptSpec("fv"),
                                        cache=GenerationCache(tmp_path / "gen.jsonl"),
                                        progress=False)
        refused = [e for e in server.log if e["status"] == 400]
    assert refused and "toy007" not in set(syn["source_row_id"])
    assert stats["missing"] == 1 and stats["generated"] == 29
    assert stats["faults"]["failed"] == {"too_long": len(refused)}
    assert stats["reasked"] >= len(refused) - 1  # every refusal but the last of row 7 re-asked
    # the bill counts them as refused by the server, not as answered replies without token
    # counts (a reviewer: 18 refusals read as answered)
    from littlehuman.generation.generate import bill

    said = bill(rows, rows, b, PromptSpec("fv"), GenerationCache(tmp_path / "gen.jsonl"))
    assert said["server_refused"] == len(refused) and said["missing_usage"] == 0
    assert said["answered"] == len(server.requests("POST", "/v1/chat/completions")) - len(refused)


def test_a_server_refusing_every_request_as_too_long_says_so(key_env):
    from fake_openai import FakeOpenAI
    from test_openai_chat import backend as chat_backend, worker

    with FakeOpenAI(context_tokens=50) as server:
        b = chat_backend(server, concurrency=4)
        with pytest.raises(LittleHumanError, match=r"0 usable replies of the first 100; the "
                           r"server refused 1\d\d requests so far as longer than model "
                           r"gpt-3.5-turbo's context: lower --prompt-context-words"):
            generate_synthetic(worker.fixture_rows(60), worker.fixture_rows(60), b,
                               PromptSpec("fv"), progress=False)
