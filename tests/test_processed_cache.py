"""The parquet cache of processed splits: reuse, rebuild on change, atomic writes."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from littlehuman import data
from littlehuman.data import processed


@pytest.fixture()
def wanli_dir(tmp_path, shared_data):
    raw = tmp_path / "raw"
    shutil.copytree(shared_data / "wanli", raw / "wanli")
    return raw


def test_cached_load_equals_fresh_load(home, wanli_dir):
    first = data.load("wanli", wanli_dir)
    assert first.attrs["from_cache"] is False
    second = data.load("wanli", wanli_dir)
    assert second.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(first, second)
    manifest = json.loads((home / "data/processed/wanli/manifest.json").read_text())
    assert sum(manifest["rows"].values()) == len(first)
    assert list(manifest["sources"]) == ["train_sample.jsonl"]


def test_the_loaders_notes_come_back_from_the_cache(home, wanli_dir):
    """WANLI's sample note is in the rows on every load, not only the one that built the
    cache (the loader's warning is given then alone)."""
    first = data.load("wanli", wanli_dir)
    second = data.load("wanli", wanli_dir)
    assert (first.attrs["from_cache"], second.attrs["from_cache"]) == (False, True)
    assert second.attrs["notes"] == first.attrs["notes"]
    assert len(first.attrs["notes"]) == 1 and "train_sample.jsonl" in first.attrs["notes"][0]


def test_changed_source_rebuilds(home, wanli_dir):
    before = data.load("wanli", wanli_dir)
    src = wanli_dir / "wanli" / "train_sample.jsonl"
    lines = src.read_text().splitlines()
    src.write_text("\n".join(lines[:-1]) + "\n")  # drop the last row
    after = data.load("wanli", wanli_dir)
    assert after.attrs["from_cache"] is False
    assert len(after) == len(before) - 1


def test_changed_loader_version_rebuilds(home, wanli_dir, monkeypatch):
    data.load("wanli", wanli_dir)
    monkeypatch.setattr(processed, "loader_version", lambda module: "something-else")
    assert data.load("wanli", wanli_dir).attrs["from_cache"] is False


def test_corrupt_cache_is_rebuilt_not_trusted(home, wanli_dir):
    data.load("wanli", wanli_dir)
    rows = home / "data/processed/wanli/rows.parquet"
    rows.write_bytes(rows.read_bytes()[:100])
    again = data.load("wanli", wanli_dir)
    assert again.attrs["from_cache"] is False and len(again) > 0


def test_failed_write_leaves_old_cache(home, wanli_dir, monkeypatch):
    good = data.load("wanli", wanli_dir)
    folder = home / "data/processed/wanli"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError):
        processed.write(folder, good, {"dataset": "wanli"})
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_loader_version_covers_the_shared_release_reader(monkeypatch):
    """Editing release.py (parse_lines, used by FEVER, SciFact, WANLI...) must rebuild caches."""
    import inspect

    from littlehuman.data import fever, release

    before = processed.loader_version(fever)
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource",
                        lambda obj: real(obj) + ("# edited\n" if obj is release else ""))
    assert processed.loader_version(fever) != before
