"""`python run_all.py --dataset NAME` downloads a dataset's missing raw files first.

A real ``run_all.py`` process against a local HTTP mirror on 127.0.0.1 (``LITTLEHUMAN_FETCH_BASE_URL``).
The mirror serves the real ROPES release files copied from shared/data, so the digests checked
are the published ones of ``sources.REMOTE``; nothing else is contacted.
"""
from __future__ import annotations

import shutil
import subprocess
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cli import run_all
from test_fetch import Mirror



@pytest.fixture
def mirror(tmp_path: Path):
    m = Mirror(tmp_path / "mirror")
    yield m
    m.close()


def run(*args: str, home: Path, base_url: str, data_dir: Path | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_all(home, data_dir, *args, cwd=cwd, timeout=300,
                   env={"LITTLEHUMAN_FETCH_BASE_URL": base_url})


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in proc.stderr
    return lines[0]


def closed_port() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}"


def test_dataset_name_downloads_its_files_on_first_use(mirror, tmp_path, shared_data):
    for name in ("train-v1.0.json", "dev-v1.0.json"):
        mirror.put(f"ropes/{name}", (shared_data / "ropes" / name).read_bytes())
    home = tmp_path / "home"  # a fresh checkout: no data/raw yet
    proc = run("--dataset", "ropes", "--profile", "smoke", "--dry-run", home=home, base_url=mirror.url)
    assert proc.returncode == 0, proc.stderr
    folder = home / "data" / "raw" / "ropes"
    for name in ("train-v1.0.json", "dev-v1.0.json"):
        assert (folder / name).read_bytes() == (shared_data / "ropes" / name).read_bytes()
    assert sorted(mirror.requests) == ["/ropes/dev-v1.0.json", "/ropes/train-v1.0.json"]
    out = proc.stdout.splitlines()
    assert out[0] == (f"ropes: raw files not found in {folder}: downloading them (sha256-checked; "
                      "--no-fetch turns this off)")
    assert out[1] == (f"ropes: downloaded 2 file(s), 3.4 MB, into {folder} (sha256 verified "
                      "against the published digests)")
    assert out[2].startswith("[ropes] 48 requests to send to extractive")  # then the run went on
    assert "ropes/train-v1.0.json:" in proc.stderr and "B/s" in proc.stderr  # the progress bars
    assert not list(folder.rglob("*.part"))

    again = run("--dataset", "ropes", "--profile", "smoke", "--dry-run", home=home, base_url=mirror.url)
    assert again.returncode == 0, again.stderr
    assert len(mirror.requests) == 2  # nothing downloaded twice
    assert again.stdout.splitlines()[0].startswith("[ropes] 48 requests")


def test_no_network_is_one_line_and_writes_no_report(tmp_path):
    home = tmp_path / "home"
    proc = run("--dataset", "coqa", "--profile", "smoke", home=home, base_url=closed_port())
    line = one_error_line(proc)
    folder = home / "data" / "raw" / "coqa"
    assert line.startswith(f"error: coqa: the raw files are not in {folder} and downloading them failed")
    assert "`python run_all.py --fetch coqa` later" in line
    assert f"yourself and put it in {folder}/ as coqa-train-v1.0.json" in line
    assert not (home / "outputs").exists()
    assert not folder.exists()  # nothing half-done left behind


def test_no_fetch_keeps_the_missing_file_error(mirror, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    proc = run("--dataset", "coqa", "--profile", "smoke", "--no-fetch", home=tmp_path / "home",
               base_url=mirror.url, data_dir=data)
    line = one_error_line(proc)
    assert line.startswith(f"error: coqa: missing coqa-train-v1.0.json, coqa-dev-v1.0.json in {data / 'coqa'}")
    assert "run `python run_all.py --fetch coqa`" in line
    assert mirror.requests == [] and proc.stdout == ""


def test_factify_keeps_its_password_message(mirror, tmp_path):
    proc = run("--dataset", "factify", "--profile", "smoke", home=tmp_path / "home", base_url=mirror.url)
    line = one_error_line(proc)
    assert "password" in line and "defactifyaaai@gmail.com" in line
    assert mirror.requests == []


def test_a_data_dir_that_does_not_exist_gets_no_download(mirror, tmp_path):
    proc = run("--dataset", "ropes", "--profile", "smoke", "--data-dir", str(tmp_path / "typo"),
               home=tmp_path / "home", base_url=mirror.url)
    assert "does not exist" in one_error_line(proc)
    assert mirror.requests == [] and not (tmp_path / "typo").exists()


def test_all_and_plan_download_nothing(mirror, tmp_path, shared_data):
    data = tmp_path / "data"
    shutil.copytree(shared_data / "ropes", data / "ropes")
    home = tmp_path / "home"
    everything = run("--dataset", "all", "--profile", "smoke", "--dry-run", home=home,
                     base_url=mirror.url, data_dir=data)
    assert everything.returncode == 0, everything.stderr
    assert "[ropes]" in everything.stdout and "[coqa]" not in everything.stdout
    plan = run("--dataset", "coqa", "--profile", "paper", "--plan", home=home, base_url=mirror.url,
               data_dir=data)
    assert plan.returncode == 0, plan.stderr
    assert mirror.requests == [] and not (data / "coqa").exists()
