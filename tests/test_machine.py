"""``littlehuman.machine``: usable cores, the bfloat16 warning and the loop that halves a
chunk that runs out of GPU memory."""
from __future__ import annotations

import warnings

import pytest

from littlehuman import machine
from littlehuman.errors import LittleHumanError


def test_usable_cores_is_positive():
    assert machine.usable_cores() >= 1


@pytest.mark.parametrize("has_bf16, warns", [(False, 1), (True, 0), (None, 0)])
def test_slow_bf16_warns_once_only_where_the_cpu_lacks_it(monkeypatch, has_bf16, warns):
    monkeypatch.setattr(machine, "cpu_bf16", lambda: has_bf16)
    machine.warn_if_slow_bf16.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        machine.warn_if_slow_bf16("the encoder learner", "--train-bf16 false")
        machine.warn_if_slow_bf16("the encoder learner", "--train-bf16 false")
    assert len(caught) == warns
    if warns:  # the learner's own flag only (it had named --gen-dtype too)
        said = str(caught[0].message)
        assert "faster with --train-bf16 false (docs" in said and "--gen-dtype" not in said
    machine.warn_if_slow_bf16.cache_clear()


def tight(limit, calls):
    """A chunk function that runs out of GPU memory (the exception unless_out_of_memory
    catches) above ``limit`` items, else doubles them; ``calls`` lists the chunks it saw."""
    import torch

    def fn(chunk):
        calls.append(list(chunk))
        if len(chunk) > limit:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return [2 * x for x in chunk]
    return fn


def halve(**kwargs):
    kwargs.setdefault("too_big", "one item does not fit")
    kwargs.setdefault("halved", lambda failed, size: f"out of memory at {failed}: continuing with {size}")
    return kwargs


def test_chunks_in_order_without_running_out_of_memory():
    calls, done = [], []
    out, size = machine.in_chunks_halving_on_oom(list(range(7)), 3, tight(10, calls),
                                                 **halve(on_chunk=done.append))
    assert out == [0, 2, 4, 6, 8, 10, 12] and size == 3
    assert calls == [[0, 1, 2], [3, 4, 5], [6]] and done == [3, 3, 1]
    assert machine.in_chunks_halving_on_oom([], 4, tight(0, calls), **halve()) == ([], 4)


def test_out_of_memory_halves_the_failed_chunk_and_keeps_the_order():
    calls, done, halvings = [], [], []
    with pytest.warns(UserWarning) as caught:
        out, size = machine.in_chunks_halving_on_oom(
            list(range(10)), 8, tight(2, calls),
            **halve(on_chunk=done.append, on_halve=halvings.append))
    assert out == [2 * x for x in range(10)] and size == 2
    assert [len(c) for c in calls] == [8, 4, 2, 2, 2, 2, 2]  # 8 fails, 4 fails, then pairs
    assert done == [2, 2, 2, 2, 2] and halvings == [4, 2]  # no progress for a failed chunk
    # only the UserWarnings: pytest.warns records every warning, and another test's object
    # collected meanwhile may add one (seen in CI: "unclosed event loop", a ResourceWarning)
    ours = [w for w in caught if w.category is UserWarning]
    assert [str(w.message) for w in ours] == ["out of memory at 8: continuing with 4",
                                              "out of memory at 4: continuing with 2"]
    assert ours[0].filename == __file__  # the warning points at the caller, not machine.py


def fails_at(n, calls):
    """Out of GPU memory on chunks of exactly ``n`` items."""
    import torch

    def fn(chunk):
        calls.append(list(chunk))
        if len(chunk) == n:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return [2 * x for x in chunk]
    return fn


def test_a_short_last_chunk_is_halved_from_its_own_length():
    calls = []
    with pytest.warns(UserWarning, match="at 3: continuing with 1"):
        out, size = machine.in_chunks_halving_on_oom(list(range(7)), 4, fails_at(3, calls), **halve())
    assert out == [2 * x for x in range(7)] and size == 1
    assert [len(c) for c in calls] == [4, 3, 1, 1, 1]


def test_key_sorts_what_is_left_on_running_out_of_memory():
    """Where a key is given, the items not yet done are sorted by it once memory runs short
    (items alike then share a chunk); the results still follow the items' order."""
    words = ["ccc", "a", "bbbb", "dd", "e", "ffffff"]
    calls = []

    def fn(chunk):
        import torch

        calls.append(list(chunk))
        if len(chunk) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return [w.upper() for w in chunk]

    with pytest.warns(UserWarning):
        out, size = machine.in_chunks_halving_on_oom(words, 6, fn, **halve(key=len))
    assert out == [w.upper() for w in words] and size == 1
    assert calls[0] == words and calls[1] == ["a", "e", "dd"]  # sorted by length after 6 fails
    assert calls[2:] == [["a"], ["e"], ["dd"], ["ccc"], ["bbbb"], ["ffffff"]]


def test_one_item_that_does_not_fit_is_a_clear_error():
    calls, halvings = [], []
    with pytest.warns(UserWarning), pytest.raises(LittleHumanError, match="one item does not fit"):
        machine.in_chunks_halving_on_oom([1, 2], 4, tight(0, calls), **halve(on_halve=halvings.append))
    assert calls == [[1, 2], [1]] and halvings == [1]  # the halving is reported before the error
    with pytest.raises(ValueError, match="at least 1"):
        machine.in_chunks_halving_on_oom([1], 0, tight(1, calls), **halve())



# --------------------------------------------------------------------------- fit_to_machine
@pytest.fixture()
def no_bf16(monkeypatch):
    """A CPU that lists no bfloat16 instructions."""
    monkeypatch.setattr(machine, "cpu_bf16", lambda: False)


def test_cpu_profile_runs_in_float32_where_the_cpu_lacks_bfloat16(no_bf16):
    from littlehuman import config

    prof, note = config.fit_to_machine(config.profile("cpu"))
    assert (prof.gen_dtype, prof.train_bf16) == ("float32", False)
    assert "--gen-dtype float32 --train-bf16 false" in note
    assert "--gen-dtype bfloat16 --train-bf16 true insists" in note and "\n" not in note
    # a flag the user gave is kept; only the profile's own bfloat16 is fitted
    chosen = config.profile("cpu", gen_dtype="bfloat16")
    prof, note = config.fit_to_machine(chosen, chosen={"gen_dtype": "bfloat16"})
    assert (prof.gen_dtype, prof.train_bf16) == ("bfloat16", False)
    assert "--train-bf16 false" in note and "gen-dtype" not in note
    # the line names what this run reads (gen_dtype is no setting of openai's); the rest
    # changes silently, so a report's settings do not depend on the generator
    prof, note = config.fit_to_machine(config.profile("cpu", generator="openai"))
    assert (prof.gen_dtype, prof.train_bf16) == ("float32", False)
    assert "--train-bf16 false" in note and "gen-dtype" not in note
    prof, note = config.fit_to_machine(config.profile("cpu", generator="openai", learner="lora"))
    assert (prof.gen_dtype, prof.train_bf16, note) == ("float32", False, None)
    # nothing in bfloat16, nothing to say
    for plain in (config.profile("smoke"), config.profile("paper"),
                  config.profile("cpu", gen_dtype="float32", train_bf16=False)):
        assert config.fit_to_machine(plain) == (plain, None)


@pytest.mark.parametrize("has_bf16", [True, None])
def test_cpu_profile_keeps_bfloat16_where_the_cpu_has_it_or_cannot_tell(monkeypatch, has_bf16):
    from littlehuman import config

    monkeypatch.setattr(machine, "cpu_bf16", lambda: has_bf16)
    prof = config.profile("cpu")
    assert config.fit_to_machine(prof) == (prof, None)
    assert (prof.gen_dtype, prof.train_bf16) == ("bfloat16", True)


def test_notebooks_fit_the_profile_as_run_all_does(no_bf16, shared_data, home):
    """A notebook opened with the defaults and one given run_all's overrides find the same
    runs (learner parameters and generator id) on a CPU without bfloat16."""
    from littlehuman import config
    from littlehuman.study import Study

    fitted, _ = config.fit_to_machine(config.profile("cpu"))
    by_run_all = Study.create("fever", fitted, str(shared_data))
    plain = Study.from_params("fever", "cpu", str(shared_data))
    passed = Study.from_params("fever", "cpu", str(shared_data),
                               overrides=by_run_all.profile_overrides())
    for study in (plain, passed):
        assert study.profile == by_run_all.profile
        assert study.learner_params == by_run_all.learner_params
        assert study.generator_id == by_run_all.generator_id
    assert "bf16" not in plain.learner_params


def test_run_all_says_once_that_it_runs_in_float32(no_bf16, shared_data, home, capsys):
    from littlehuman.cli import main

    assert main(["--dataset", "fever", "--data-dir", str(shared_data), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.count("no bfloat16 instructions") == 1
    assert out.startswith("note: this CPU lists no bfloat16 instructions")
    # a bad dataset: the error is the only line
    assert main(["--dataset", "nosuch", "--data-dir", str(shared_data), "--dry-run"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: unknown dataset"), (out, err)
