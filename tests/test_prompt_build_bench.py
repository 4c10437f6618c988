"""bench/prompt_build.py at toy size: the indexed and the masked prompt builds agree."""
from __future__ import annotations

from benches import load


def test_the_indexed_and_masked_prompt_builds_agree(capsys, shared_data, home):
    bench = load("prompt_build")
    assert bench.main(["--rows", "40", "--repeats", "1", "--data-dir", str(shared_data)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert [r[0] for r in rows] == ["fever", "ropes"], rows
    assert all(r[2] == "40" and r[-1] == "yes" for r in rows), rows


def test_a_changed_draw_reads_as_not_identical(capsys, shared_data, home, monkeypatch):
    """The bench's 'identical' column bites: a draw off by one seed reads NO."""
    bench = load("prompt_build")
    real = bench.masked_draw
    monkeypatch.setattr(bench, "masked_draw", lambda pool, row, k, seed, cond:
                        real(pool, row, k, seed + 1, cond))
    assert bench.main(["--rows", "20", "--repeats", "1", "--data-dir", str(shared_data)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows and all(r[-1] == "NO" for r in rows), rows
