"""fetch: verified downloads from a local HTTP mirror (a real http.server on 127.0.0.1).

The served files are fixtures with invented text written by the tests, except in
``test_real_entries_through_mirror``, which copies two small files of shared/data into a
temporary mirror to check the real digests of ``sources.REMOTE``.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import os
import shutil
import tarfile
import threading
import time
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from littlehuman import paths
from littlehuman.data import registry, sources
from littlehuman.data.fetch import BASE_URL_ENV, CHECKSUMS, DOWNLOADS, ensure, fetch, fetch_report
from littlehuman.data.remote import RemoteFile
from littlehuman.errors import LittleHumanError

SHARED = Path(
    os.environ.get("LITTLEHUMAN_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
UPSTREAM = "https://upstream.invalid/release"  # never contacted: every test passes base_url


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Mirror:
    """A folder served over HTTP; ``requests`` lists the paths asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        self.delay = 0.0  # seconds before each answer
        self.credential = ""  # "user:password" the mirror asks for (Basic), if any
        mirror = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                mirror.requests.append(self.path)
                time.sleep(mirror.delay)
                if mirror.credential and self.headers.get("Authorization") != (
                        "Basic " + base64.b64encode(mirror.credential.encode()).decode()):
                    self.send_error(401, "Unauthorized")
                    return
                super().do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def put(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def mirror(tmp_path: Path):
    m = Mirror(tmp_path / "mirror")
    yield m
    m.close()


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return tmp_path / "raw"


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A throw-away LITTLEHUMAN_HOME: first use takes its lock under data/locks there."""
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path / "home"))


def use(monkeypatch: pytest.MonkeyPatch, name: str, *entries: RemoteFile) -> None:
    monkeypatch.setattr(sources, "REMOTE", {name: list(entries)})


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.part")]


# invented fixture rows in the WANLI jsonl format
ROWS = b'{"id":1,"premise":"A cat sleeps.","hypothesis":"An animal rests.","gold":"entailment"}\n'
OTHER = b'{"id":2,"premise":"It rains.","hypothesis":"The sun shines.","gold":"contradiction"}\n'


def test_download_verifies_lands_and_is_then_skipped(mirror, raw, monkeypatch):
    mirror.put("wanli/train.jsonl", ROWS)
    use(monkeypatch, "wanli", RemoteFile(f"{UPSTREAM}/train.jsonl", "train.jsonl", sha(ROWS)))
    out = fetch("wanli", data_dir=raw, base_url=mirror.url, progress=False)
    assert out == [raw / "wanli" / "train.jsonl"]
    assert out[0].read_bytes() == ROWS
    assert out[0].stat().st_mode & 0o777 == 0o644  # readable by all, not the temp file's 0600
    assert mirror.requests == ["/wanli/train.jsonl"]
    assert leftovers(raw) == []
    assert not (raw / "wanli" / CHECKSUMS).exists()  # a known digest needs no record

    again = fetch("WANLI", data_dir=raw, base_url=mirror.url, progress=False)
    assert again == out
    assert mirror.requests == ["/wanli/train.jsonl"]  # zero new requests


def test_atomic_write_returns_what_write_returned_and_cleans_up(tmp_path):
    """fetch's downloads go through paths.atomic_write: the callback's digest comes back, and a
    failing callback leaves neither the target nor its ``.part`` temp file."""
    target = tmp_path / "f.bin"
    digest = paths.atomic_write(target, lambda out: (out.write(ROWS), sha(ROWS))[1],
                                suffix=".part", mode=0o644)
    assert digest == sha(ROWS) and target.read_bytes() == ROWS
    assert target.stat().st_mode & 0o777 == 0o644

    def broken(out):
        out.write(OTHER)
        raise LittleHumanError("simulated failure")

    with pytest.raises(LittleHumanError, match="simulated"):
        paths.atomic_write(target, broken, suffix=".part")
    assert target.read_bytes() == ROWS and leftovers(tmp_path) == []


def test_atomic_write_gives_the_mode_a_new_file_would_have(tmp_path):
    """Run records, twins and bills go through paths.atomic_write: under a group-sharing umask
    they are group-readable (0640), not mkstemp's owner-only 0600."""
    old = os.umask(0o027)
    try:
        assert paths.new_file_mode() == 0o640
        paths.atomic_write(tmp_path / "record.json", lambda out: out.write(b"{}"))
    finally:
        os.umask(old)
    assert (tmp_path / "record.json").stat().st_mode & 0o777 == 0o640


def test_exclusive_atomic_write_creates_once(tmp_path, monkeypatch):
    """exclusive=True (SLURM claims): creates a whole file, refuses an existing one leaving it
    and no temp file; a link that NFS reports as existing although it made it (a retried
    request, open(2)) counts as made, by the temp file's link count."""
    target = tmp_path / "claim.json"
    paths.atomic_write(target, lambda out: out.write(ROWS), exclusive=True)
    with pytest.raises(FileExistsError):
        paths.atomic_write(target, lambda out: out.write(OTHER), exclusive=True)
    assert target.read_bytes() == ROWS and [p.name for p in tmp_path.iterdir()] == ["claim.json"]
    real_link = os.link

    def link_then_lose_the_reply(src, dst):
        real_link(src, dst)
        raise FileExistsError(dst)

    monkeypatch.setattr(os, "link", link_then_lose_the_reply)
    other = tmp_path / "other.json"
    paths.atomic_write(other, lambda out: out.write(OTHER), exclusive=True)
    assert other.read_bytes() == OTHER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claim.json", "other.json"]


def test_base_url_from_environment(mirror, raw, monkeypatch):
    mirror.put("fever/test.jsonl", ROWS)
    use(monkeypatch, "fever", RemoteFile(f"{UPSTREAM}/test.jsonl", "test.jsonl", sha(ROWS)))
    monkeypatch.setenv(BASE_URL_ENV, mirror.url + "/")
    fetch("fever", data_dir=raw, progress=False)
    assert mirror.requests == ["/fever/test.jsonl"]


def test_a_mirror_behind_a_password_is_fetched_and_its_password_never_shown(mirror, raw,
                                                                           monkeypatch):
    """A reviewer: a user:password in the mirror's URL was not sent (urllib read the password
    as a port, "nonnumeric port: 'hunter@127.0.0.1'") and, at 6 letters, not scrubbed."""
    mirror.put("fever/test.jsonl", ROWS)
    mirror.credential = "user:hunter"
    use(monkeypatch, "fever", RemoteFile(f"{UPSTREAM}/test.jsonl", "test.jsonl", sha(ROWS)))
    host = mirror.url.removeprefix("http://")
    monkeypatch.setenv(BASE_URL_ENV, f"http://user:wrong@{host}")
    with pytest.raises(LittleHumanError) as refused:
        fetch("fever", data_dir=raw, progress=False)
    assert "HTTP 401" in str(refused.value) and "wrong" not in str(refused.value)
    monkeypatch.setenv(BASE_URL_ENV, f"http://user:hunter@{host}")
    assert fetch("fever", data_dir=raw, progress=False)[0].read_bytes() == ROWS
    # a URL urllib cannot read: the password is in its error text, and never shown
    monkeypatch.setenv(BASE_URL_ENV, "http://user:hunter@127.0.0.1:99999999/m")
    with pytest.raises(LittleHumanError) as bad:
        fetch("fever", data_dir=tmp_raw(raw), progress=False)
    assert "hunter" not in str(bad.value)


def tmp_raw(raw: Path) -> Path:
    """Another, empty data folder beside ``raw``."""
    return raw.parent / "raw-2"


def test_corrupted_download_fails_and_keeps_the_good_file(mirror, raw, monkeypatch):
    mirror.put("wanli/train.jsonl", ROWS)
    use(monkeypatch, "wanli", RemoteFile(f"{UPSTREAM}/train.jsonl", "train.jsonl", sha(ROWS)))
    good = fetch("wanli", data_dir=raw, base_url=mirror.url, progress=False)[0]

    bad = bytearray(ROWS)
    bad[10] ^= 1
    mirror.put("wanli/train.jsonl", bytes(bad))
    with pytest.raises(LittleHumanError) as err:
        fetch("wanli", data_dir=raw, base_url=mirror.url, force=True, progress=False)
    msg = str(err.value)
    assert "wanli/train.jsonl" in msg and sha(ROWS) in msg and sha(bytes(bad)) in msg
    assert good.read_bytes() == ROWS  # not overwritten
    assert leftovers(raw) == []

    fresh = raw.parent / "fresh"
    with pytest.raises(LittleHumanError, match="sha256 mismatch"):
        fetch("wanli", data_dir=fresh, base_url=mirror.url, progress=False)
    assert not (fresh / "wanli" / "train.jsonl").exists()
    assert leftovers(fresh) == []


def test_local_file_with_wrong_digest_is_replaced_by_a_verified_download(mirror, raw, monkeypatch):
    mirror.put("wanli/train.jsonl", ROWS)
    use(monkeypatch, "wanli", RemoteFile(f"{UPSTREAM}/train.jsonl", "train.jsonl", sha(ROWS)))
    (raw / "wanli").mkdir(parents=True)
    (raw / "wanli" / "train.jsonl").write_bytes(OTHER)
    fetch("wanli", data_dir=raw, base_url=mirror.url, progress=False)
    assert (raw / "wanli" / "train.jsonl").read_bytes() == ROWS
    assert len(mirror.requests) == 1


def test_trust_on_first_use(mirror, raw, monkeypatch, capsys):
    mirror.put("coqa/dev.json", ROWS)
    use(monkeypatch, "coqa", RemoteFile(f"{UPSTREAM}/dev.json", "dev.json", None))
    path = fetch("coqa", data_dir=raw, base_url=mirror.url, progress=False)[0]
    records = json.loads((raw / "coqa" / CHECKSUMS).read_text())
    assert records == {"dev.json": sha(ROWS)}
    warning = capsys.readouterr().err
    assert "not verified against a known digest" in warning and len(warning.strip().splitlines()) == 1

    fetch("coqa", data_dir=raw, base_url=mirror.url, progress=False)
    assert len(mirror.requests) == 1  # recorded and matching: skipped

    mirror.put("coqa/dev.json", OTHER)
    with pytest.raises(LittleHumanError, match=CHECKSUMS):
        fetch("coqa", data_dir=raw, base_url=mirror.url, force=True, progress=False)
    assert path.read_bytes() == ROWS
    path.unlink()
    with pytest.raises(LittleHumanError, match=sha(OTHER)):
        fetch("coqa", data_dir=raw, base_url=mirror.url, progress=False)
    assert not path.exists()
    assert json.loads((raw / "coqa" / CHECKSUMS).read_text()) == records


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_members_are_extracted(mirror, raw, monkeypatch):
    archive = make_zip({
        "pkg-1/data/a.json": ROWS,
        "pkg-1/tree/x/one.csv": b"section,text\n1,Once upon a time.\n",
        "pkg-1/tree/two.csv": b"section,text\n1,The end.\n",
        "pkg-1/unlisted.txt": b"not wanted",
    })
    mirror.put("qaconv/pkg.zip", archive)
    entry = RemoteFile(
        f"{UPSTREAM}/pkg.zip", "pkg.zip", None, unpack="zip",
        members=(("pkg-1/data/a.json", "V1/a.json"), ("pkg-1/tree/", "tree/")),
    )
    use(monkeypatch, "qaconv", entry)
    folder = raw / "qaconv"
    out = fetch("qaconv", data_dir=raw, base_url=mirror.url, progress=False)
    got = sorted(p.relative_to(folder).as_posix() for p in out)
    assert got == ["V1/a.json", "tree/two.csv", "tree/x/one.csv"]
    assert (folder / "V1" / "a.json").read_bytes() == ROWS
    assert not (folder / "unlisted.txt").exists() and not (folder / "pkg-1").exists()
    assert (folder / DOWNLOADS / "pkg.zip").read_bytes() == archive
    records = json.loads((folder / CHECKSUMS).read_text())
    assert records[f"{DOWNLOADS}/pkg.zip"] == sha(archive) and records["V1/a.json"] == sha(ROWS)
    assert mirror.requests == ["/qaconv/pkg.zip"]

    fetch("qaconv", data_dir=raw, base_url=mirror.url, progress=False)
    assert len(mirror.requests) == 1  # all members present and verified

    (folder / "tree" / "x" / "one.csv").unlink()
    (folder / "V1" / "a.json").write_bytes(OTHER)
    fetch("qaconv", data_dir=raw, base_url=mirror.url, progress=False)
    assert len(mirror.requests) == 1  # re-extracted from the kept, verified archive
    assert (folder / "tree" / "x" / "one.csv").exists()
    assert (folder / "V1" / "a.json").read_bytes() == ROWS


def test_archive_writes_only_its_missing_members(mirror, raw, monkeypatch, capsys):
    """Members already on disk (a user's own copies, other bytes, no record) stay byte for byte;
    only the missing ones are extracted, in a plain member as in a member folder."""
    archive = make_zip({
        "pkg-1/data/a.json": ROWS,
        "pkg-1/data/b.json": OTHER,
        "pkg-1/tree/one.csv": b"section,text\n1,Once upon a time.\n",
        "pkg-1/tree/two.csv": b"section,text\n1,The end.\n",
    })
    mirror.put("fairytaleqa/pkg.zip", archive)
    use(monkeypatch, "fairytaleqa", RemoteFile(
        f"{UPSTREAM}/pkg.zip", "pkg.zip", None, unpack="zip",
        members=(("pkg-1/data/a.json", "a.json"), ("pkg-1/data/b.json", "b.json"),
                 ("pkg-1/tree/", "tree/")),
    ))
    folder = raw / "fairytaleqa"
    own = {"a.json": b'{"own": "copy of a"}\n', "tree/one.csv": b"section,text\n1,My own line.\n"}
    for rel, data in own.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    out = fetch_report("fairytaleqa", data_dir=raw, base_url=mirror.url, progress=False)
    assert all((folder / rel).read_bytes() == data for rel, data in own.items())
    assert (folder / "b.json").read_bytes() == OTHER
    assert (folder / "tree" / "two.csv").read_bytes() == b"section,text\n1,The end.\n"
    assert sorted(p.relative_to(folder).as_posix() for p in out.paths) == [
        "a.json", "b.json", "tree/one.csv", "tree/two.csv"]
    records = json.loads((folder / CHECKSUMS).read_text())
    assert records["a.json"] == sha(own["a.json"]) and records["b.json"] == sha(OTHER)
    assert out.kept == 2 and out.summary().endswith("; the 2 file(s) already there were kept as they were")
    assert "2 extracted file(s) (found on disk)" in capsys.readouterr().err
    assert mirror.requests == ["/fairytaleqa/pkg.zip"] and leftovers(raw) == []

    fetch("fairytaleqa", data_dir=raw, base_url=mirror.url, progress=False)
    assert len(mirror.requests) == 1  # all there now, the user's copies verified by their record


QA_ROWS = b'[{"id": "fx-1", "article_segment_id": "fx-s1", "article_full_id": ["fx"], "QG": false, ' \
          b'"question": "Who brings the cake?", "answers": ["Ana"]}]\n'  # invented, QAConv's fields


@pytest.mark.parametrize("first_use", [False, True], ids=["fetch", "ensure"])
def test_qaconv_without_its_segments_gets_them_and_keeps_its_qa_files(mirror, raw, monkeypatch, first_use):
    """shared/data's QAConv state (trn/val/tst.json, no article_segment.json) with the real
    entry: only article_segment.json is written, and first use names it."""
    (entry,) = sources.REMOTE["qaconv"]
    served = {src: b'[{"fixture": "%s"}]\n' % src.encode() for src, _ in entry.members}
    served["QAConv-V1.1/article_full.json"] = b"[]\n"
    mirror.put(f"qaconv/{entry.dest}", make_zip(served))
    use(monkeypatch, "qaconv", entry)
    qa = raw / "qaconv" / "QAConv-V1.1"
    qa.mkdir(parents=True)
    for name in ("trn.json", "val.json", "tst.json"):
        (qa / name).write_bytes(QA_ROWS)
    said: list[str] = []
    if first_use:
        ensure("qaconv", data_dir=raw, base_url=mirror.url, progress=False, say=said.append)
        assert said[0] == (f"qaconv: QAConv-V1.1/article_segment.json not found in {raw / 'qaconv'} "
                           "(the 3 other raw file(s) there are kept): downloading it (sha256-checked; "
                           "--no-fetch turns this off)")
        assert said[1].endswith("; the 3 file(s) already there were kept as they were")
    else:
        fetch("qaconv", data_dir=raw, base_url=mirror.url, progress=False)
    assert all((qa / n).read_bytes() == QA_ROWS for n in ("trn.json", "val.json", "tst.json"))
    assert (qa / "article_segment.json").read_bytes() == served["QAConv-V1.1/article_segment.json"]
    assert not (qa / "article_full.json").exists()


def test_tar_member_with_known_archive_digest(mirror, raw, monkeypatch):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in {"data/claims_dev.jsonl": OTHER, "data/corpus.jsonl": ROWS}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    archive = buf.getvalue()
    mirror.put("scifact/data.tar.gz", archive)
    use(monkeypatch, "scifact", RemoteFile(
        f"{UPSTREAM}/data.tar.gz", "data.tar.gz", sha(archive), unpack="tar.gz",
        members=(("data/corpus.jsonl", "corpus.jsonl"),),
    ))
    out = fetch("scifact", data_dir=raw, base_url=mirror.url, progress=False)
    assert out == [raw / "scifact" / "corpus.jsonl"] and out[0].read_bytes() == ROWS
    assert not (raw / "scifact" / "claims_dev.jsonl").exists()


def test_archive_path_traversal_is_refused(mirror, raw, monkeypatch):
    evil = make_zip({"pkg/tree/ok.csv": b"a\n", "pkg/tree/../../../escaped.txt": b"x"})
    mirror.put("fairytaleqa/evil.zip", evil)
    use(monkeypatch, "fairytaleqa", RemoteFile(
        f"{UPSTREAM}/evil.zip", "evil.zip", None, unpack="zip", members=(("pkg/tree/", "tree/"),),
    ))
    with pytest.raises(LittleHumanError, match="outside"):
        fetch("fairytaleqa", data_dir=raw, base_url=mirror.url, progress=False)
    assert not list(raw.parent.rglob("escaped.txt"))


def test_missing_member_and_unreadable_archive(mirror, raw, monkeypatch):
    mirror.put("qaconv/a.zip", make_zip({"other.json": b"{}"}))
    mirror.put("qaconv/b.zip", b"<html>not a zip</html>")
    member = (("x.json", "x.json"),)
    use(monkeypatch, "qaconv", RemoteFile(f"{UPSTREAM}/a.zip", "a.zip", None, unpack="zip", members=member))
    with pytest.raises(LittleHumanError, match="no member 'x.json'"):
        fetch("qaconv", data_dir=raw, base_url=mirror.url, progress=False)
    use(monkeypatch, "qaconv", RemoteFile(f"{UPSTREAM}/b.zip", "b.zip", None, unpack="zip", members=member))
    with pytest.raises(LittleHumanError, match="not a readable zip"):
        fetch("qaconv", data_dir=raw, base_url=mirror.url, progress=False)
    assert not (raw / "qaconv" / DOWNLOADS / "b.zip").exists()  # not kept, not recorded
    assert not (raw / "qaconv" / DOWNLOADS / "a.zip").exists()


def test_network_errors_are_one_line(mirror, raw, monkeypatch):
    use(monkeypatch, "ropes", RemoteFile(f"{UPSTREAM}/dev.json", "dev.json", None))
    with pytest.raises(LittleHumanError, match=r"could not download .*/ropes/dev\.json: HTTP 404") as err:
        fetch("ropes", data_dir=raw, base_url=mirror.url, progress=False)
    assert "\n" not in str(err.value)

    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    with pytest.raises(LittleHumanError, match="could not download"):
        fetch("ropes", data_dir=raw, base_url=f"http://127.0.0.1:{port}", progress=False)
    assert not (raw / "ropes" / "dev.json").exists() and leftovers(raw) == []


def test_network_error_advice_fits_the_data_folder(mirror, tmp_path, raw, monkeypatch):
    """With a data folder named, the advice is to put the named file there by hand (not
    "use --data-dir", already used); without one, --data-dir is offered too."""
    monkeypatch.delenv("LITTLEHUMAN_DATA_DIR", raising=False)
    use(monkeypatch, "ropes", RemoteFile(f"{UPSTREAM}/dev.json", "dev.json", None))
    with pytest.raises(LittleHumanError) as err:
        fetch("ropes", data_dir=raw, base_url=mirror.url, progress=False)
    msg = str(err.value)
    assert msg.endswith(f"HTTP 404 File not found; check the connection and rerun, or download "
                        f"{UPSTREAM}/dev.json yourself and put it in {raw / 'ropes'}/ as dev.json")
    assert "--data-dir" not in msg
    monkeypatch.setenv("LITTLEHUMAN_DATA_DIR", str(raw))
    with pytest.raises(LittleHumanError) as err:
        fetch("ropes", base_url=mirror.url, progress=False)
    assert "--data-dir" not in str(err.value) and f"put it in {raw / 'ropes'}/" in str(err.value)

    monkeypatch.delenv("LITTLEHUMAN_DATA_DIR")
    default = tmp_path / "home" / "data" / "raw" / "ropes"
    with pytest.raises(LittleHumanError) as err:
        fetch("ropes", base_url=mirror.url, progress=False)
    assert str(err.value).endswith(f"put it in {default}/ as dev.json, or point --data-dir at a "
                                   "folder that already has the files")

    use(monkeypatch, "qaconv", RemoteFile(f"{UPSTREAM}/pkg.zip", "pkg.zip", None, unpack="zip",
                                          members=(("p/a.json", "V1/a.json"), ("p/t/", "t/"))))
    with pytest.raises(LittleHumanError) as err:
        fetch("qaconv", data_dir=raw, base_url=mirror.url, progress=False)
    assert str(err.value).endswith(f"download {UPSTREAM}/pkg.zip yourself, unpack it and put "
                                   f"V1/a.json, t/ in {raw / 'qaconv'}/")


def test_fetch_without_a_network_leaves_no_empty_folder(raw, monkeypatch):
    """`--fetch NAME` offline: like first use, no empty <data-dir>/<name> (or its .downloads)
    is left behind; a folder that was there before stays."""
    use(monkeypatch, "ropes", RemoteFile(f"{UPSTREAM}/train-v1.0.json", "train-v1.0.json", sha(TRAIN)))
    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    raw.mkdir()
    with pytest.raises(LittleHumanError, match="could not download"):
        fetch("ropes", data_dir=raw, base_url=f"http://127.0.0.1:{port}", progress=False)
    assert list(raw.iterdir()) == []
    (raw / "ropes").mkdir()
    with pytest.raises(LittleHumanError, match="could not download"):
        fetch("ropes", data_dir=raw, base_url=f"http://127.0.0.1:{port}", progress=False)
    assert [p.name for p in raw.rglob("*")] == ["ropes"]  # the user's folder stays, nothing in it


def test_unknown_dataset_and_factify(raw):
    with pytest.raises(LittleHumanError, match="unknown dataset"):
        fetch("no-such-dataset", data_dir=raw, progress=False)
    with pytest.raises(LittleHumanError, match="password"):
        fetch("factify", data_dir=raw, progress=False)
    folder = raw / "factify" / "public_folder"
    folder.mkdir(parents=True)
    for f in ("train.csv", "val.csv"):
        (folder / f).write_text("Id,claim,document,Category\n")  # fixture header only
    assert fetch("factify", data_dir=raw, progress=False) == [folder / "train.csv", folder / "val.csv"]


def test_sources_cover_every_dataset_with_safe_destinations():
    assert set(sources.REMOTE) | set(sources.MANUAL) == set(registry.names())
    for name, entries in sources.REMOTE.items():
        dests = [e.dest for e in entries] + [d for e in entries for _, d in e.members]
        assert len(dests) == len(set(dests)), name
        for e in entries:
            assert e.url.startswith("https://")
            assert e.sha256 is None or len(e.sha256) == 64
            assert e.unpack in (None, "zip", "tar.gz") and bool(e.members) == bool(e.unpack)
            for d in dests:
                assert not Path(d).is_absolute() and ".." not in Path(d).parts


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data not available")
def test_known_digests_match_shared_data():
    checked = 0
    for name, entries in sources.REMOTE.items():
        for e in entries:
            if e.sha256 and not e.unpack and (SHARED / name / e.dest).is_file():
                assert sha((SHARED / name / e.dest).read_bytes()) == e.sha256, f"{name}/{e.dest}"
                checked += 1
    assert checked == 6  # fever, wanli and ropes: the GitHub-pinned files


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data not available")
def test_real_entries_through_mirror(mirror, raw, monkeypatch):
    entries = [e for e in sources.REMOTE["wanli"] if e.sha256]
    assert {e.dest for e in entries} == {"train_sample.jsonl", "README.md"}
    (mirror.root / "wanli").mkdir(parents=True)
    for e in entries:
        shutil.copyfile(SHARED / "wanli" / e.dest, mirror.root / "wanli" / e.dest)
    use(monkeypatch, "wanli", *entries)
    out = fetch("wanli", data_dir=raw, base_url=mirror.url, progress=False)
    assert [p.read_bytes() for p in out] == [(SHARED / "wanli" / e.dest).read_bytes() for e in entries]
    assert len(mirror.requests) == 2


@pytest.mark.skipif(not (SHARED / "fairytaleqa").is_dir(), reason="shared/data not available")
def test_fairytaleqa_archive_entry_gives_the_shared_layout(mirror, raw, monkeypatch):
    """A zip in the GitHub commit-archive layout, built from shared/data, unpacks like shared/data."""
    (entry,) = sources.REMOTE["fairytaleqa"]
    top = entry.members[0][0].split("/")[0] + "/"
    shared = SHARED / "fairytaleqa"
    files = sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*") if p.is_file())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel in files:
            zf.write(shared / rel, top + rel)
        zf.writestr(top + "FairytaleQA_Dataset/split_by_origin/x.csv", b"not wanted\n")
    mirror.put(f"fairytaleqa/{entry.dest}", buf.getvalue())
    out = fetch("fairytaleqa", data_dir=raw, base_url=mirror.url, progress=False)
    assert sorted(p.relative_to(raw / "fairytaleqa").as_posix() for p in out) == files
    assert all((raw / "fairytaleqa" / rel).read_bytes() == (shared / rel).read_bytes() for rel in files[:20])
    assert not (raw / "fairytaleqa" / "FairytaleQA_Dataset" / "split_by_origin").exists()


# --- first use: ensure() downloads what the loader lacks --------------------------------

TRAIN, DEV = b'{"version": "fixture train"}\n', b'{"version": "fixture dev"}\n'  # invented


def ropes_mirror(mirror: Mirror, monkeypatch: pytest.MonkeyPatch) -> None:
    """ROPES's two release names served with fixture bytes whose digests are declared."""
    mirror.put("ropes/train-v1.0.json", TRAIN)
    mirror.put("ropes/dev-v1.0.json", DEV)
    use(monkeypatch, "ropes", RemoteFile(f"{UPSTREAM}/train-v1.0.json", "train-v1.0.json", sha(TRAIN)),
        RemoteFile(f"{UPSTREAM}/dev-v1.0.json", "dev-v1.0.json", sha(DEV)))


def test_ensure_downloads_what_is_missing_then_nothing(mirror, raw, monkeypatch):
    ropes_mirror(mirror, monkeypatch)
    raw.mkdir()
    said: list[str] = []
    done = ensure("ROPES", data_dir=raw, base_url=mirror.url, progress=False, say=said.append)
    assert (raw / "ropes" / "train-v1.0.json").read_bytes() == TRAIN
    assert (raw / "ropes" / "dev-v1.0.json").read_bytes() == DEV
    assert sorted(mirror.requests) == ["/ropes/dev-v1.0.json", "/ropes/train-v1.0.json"]
    assert done is not None and done.downloads == [("train-v1.0.json", len(TRAIN)), ("dev-v1.0.json", len(DEV))]
    assert len(said) == 2 and said[0].startswith(f"ropes: raw files not found in {raw / 'ropes'}")
    assert "--no-fetch" in said[0]
    assert said[1] == (f"ropes: downloaded 2 file(s), 0.0 MB, into {raw / 'ropes'} "
                       "(sha256 verified against the published digests)")
    said.clear()
    assert ensure("ropes", data_dir=raw, base_url=mirror.url, progress=False, say=said.append) is None
    assert len(mirror.requests) == 2 and said == []  # all there: no request, nothing said
    assert leftovers(raw) == []


def test_ensure_fetches_only_the_missing_file(mirror, raw, monkeypatch):
    ropes_mirror(mirror, monkeypatch)
    (raw / "ropes").mkdir(parents=True)
    (raw / "ropes" / "train-v1.0.json").write_bytes(TRAIN)
    done = ensure("ropes", data_dir=raw, base_url=mirror.url, progress=False, say=lambda _: None)
    assert mirror.requests == ["/ropes/dev-v1.0.json"] and [d for d, _ in done.downloads] == ["dev-v1.0.json"]


def test_ensure_does_not_touch_files_the_loader_accepts(mirror, raw, monkeypatch):
    ropes_mirror(mirror, monkeypatch)
    (raw / "ropes").mkdir(parents=True)
    for name in ("train-v1.0.json", "dev-v1.0.json"):  # a user's own copies, other bytes
        (raw / "ropes" / name).write_bytes(b'{"own": "copy"}\n')
    assert ensure("ropes", data_dir=raw, base_url=mirror.url, progress=False) is None
    assert mirror.requests == [] and (raw / "ropes" / "dev-v1.0.json").read_bytes() == b'{"own": "copy"}\n'


def test_ensure_without_a_network_is_one_line_saying_what_to_do(raw, monkeypatch):
    use(monkeypatch, "ropes", RemoteFile(f"{UPSTREAM}/train-v1.0.json", "train-v1.0.json", sha(TRAIN)),
        RemoteFile(f"{UPSTREAM}/dev-v1.0.json", "dev-v1.0.json", sha(DEV)))
    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    raw.mkdir()
    with pytest.raises(LittleHumanError) as err:
        ensure("ropes", data_dir=raw, base_url=f"http://127.0.0.1:{port}", progress=False,
               say=lambda _: None)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"ropes: the raw files are not in {raw / 'ropes'} and "
                                              "downloading them failed (http://127.0.0.1:")
    assert "`python run_all.py --fetch ropes` later" in msg
    assert msg.endswith(f"or download {UPSTREAM}/train-v1.0.json yourself and put it in "
                        f"{raw / 'ropes'}/ as train-v1.0.json; download {UPSTREAM}/dev-v1.0.json "
                        f"yourself and put it in {raw / 'ropes'}/ as dev-v1.0.json (docs/datasets.md)")
    assert list(raw.iterdir()) == []  # no file, no empty folder left behind
    (raw / "ropes").mkdir()
    with pytest.raises(LittleHumanError, match="downloading them failed"):
        ensure("ropes", data_dir=raw, base_url=f"http://127.0.0.1:{port}", progress=False,
               say=lambda _: None)
    assert (raw / "ropes").is_dir()  # a folder that was there stays


@pytest.mark.skipif(not (SHARED / "qaconv").is_dir(), reason="shared/data not available")
def test_ensure_without_a_network_names_the_missing_file_and_its_archive(tmp_path, monkeypatch):
    """QAConv with trn/val/tst.json (shared/data's copies) and no article_segment.json,
    offline: the line said "the raw files are not in DIR/qaconv ... put the release files in
    DIR/qaconv yourself"; it names the missing file, the archive it comes in (to download and
    unpack) and the folder, as the README promises, and leaves the QA files as they were."""
    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    data = tmp_path / "data"
    qa = data / "qaconv" / "QAConv-V1.1"
    qa.mkdir(parents=True)
    for name in ("trn.json", "val.json", "tst.json"):
        shutil.copyfile(SHARED / "qaconv" / "QAConv-V1.1" / name, qa / name)
    before = {p.name: p.read_bytes() for p in qa.iterdir()}
    (entry,) = sources.REMOTE["qaconv"]
    with pytest.raises(LittleHumanError) as err:
        ensure("qaconv", data_dir=data, base_url=f"http://127.0.0.1:{port}", progress=False,
               say=lambda _: None)
    msg = str(err.value)
    folder = data / "qaconv"
    assert "\n" not in msg and msg.startswith(
        f"qaconv: QAConv-V1.1/article_segment.json is not in {folder} and downloading it failed "
        "(http://127.0.0.1:")
    assert msg.endswith(f"or download {entry.url} yourself, unpack it and put "
                        f"QAConv-V1.1/article_segment.json in {folder}/ (docs/datasets.md)")
    assert entry.url.endswith("QAConv-V1.1.zip") and "trn.json" not in msg
    assert {p.name: p.read_bytes() for p in qa.iterdir()} == before


def test_ensure_on_a_digest_mismatch_keeps_fetch_s_message(mirror, raw, monkeypatch):
    ropes_mirror(mirror, monkeypatch)
    mirror.put("ropes/dev-v1.0.json", b"tampered\n")
    raw.mkdir()
    with pytest.raises(LittleHumanError) as err:
        ensure("ropes", data_dir=raw, base_url=mirror.url, progress=False, say=lambda _: None)
    msg = str(err.value)
    assert msg.startswith("ropes: downloading the missing raw files failed: sha256 mismatch for "
                          "ropes/dev-v1.0.json") and "\n" not in msg
    assert not (raw / "ropes" / "dev-v1.0.json").exists()


def test_ensure_factify_keeps_its_password_message(mirror, raw):
    raw.mkdir()
    with pytest.raises(LittleHumanError) as err:
        ensure("factify", data_dir=raw, base_url=mirror.url, progress=False)
    assert "password" in str(err.value) and "defactifyaaai@gmail.com" in str(err.value)
    assert mirror.requests == [] and not (raw / "factify").exists()


def test_ensure_data_dir_choice(mirror, tmp_path, monkeypatch):
    """The default data/raw is created; a folder the user named that does not exist is an error."""
    ropes_mirror(mirror, monkeypatch)
    monkeypatch.delenv("LITTLEHUMAN_DATA_DIR", raising=False)
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path / "home"))
    typo = tmp_path / "typo"
    with pytest.raises(LittleHumanError, match="does not exist"):
        ensure("ropes", data_dir=typo, base_url=mirror.url, progress=False)
    monkeypatch.setenv("LITTLEHUMAN_DATA_DIR", str(typo))
    with pytest.raises(LittleHumanError, match=r"from LITTLEHUMAN_DATA_DIR\) does not exist"):
        ensure("ropes", base_url=mirror.url, progress=False)
    assert not typo.exists() and mirror.requests == []
    monkeypatch.delenv("LITTLEHUMAN_DATA_DIR")
    ensure("ropes", base_url=mirror.url, progress=False, say=lambda _: None)
    assert (tmp_path / "home" / "data" / "raw" / "ropes" / "dev-v1.0.json").read_bytes() == DEV


def test_two_first_uses_at_once_download_once(mirror, raw, monkeypatch):
    """Two threads (each with its own lock handle, as two processes have) on a slow mirror."""
    ropes_mirror(mirror, monkeypatch)
    mirror.delay = 0.3
    raw.mkdir()
    said: list[str] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            ensure("ropes", data_dir=raw, base_url=mirror.url, progress=False, say=said.append)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(mirror.requests) == ["/ropes/dev-v1.0.json", "/ropes/train-v1.0.json"]
    assert sum("waiting for another process" in line for line in said) == 1
    assert sum(line.startswith("ropes: downloaded 2 file(s)") for line in said) == 1


def test_fetch_all_reports_each_dataset_and_factify_does_not_stop_the_others(mirror, raw, monkeypatch, capsys):
    from littlehuman.cli import main

    files = {}
    for name in registry.names():
        if name not in sources.MANUAL:
            files[name] = f'{{"fixture": "{name}"}}\n'.encode()  # invented bytes
            mirror.put(f"{name}/release.json", files[name])
    monkeypatch.setattr(sources, "REMOTE", {
        name: [RemoteFile(f"{UPSTREAM}/{name}.json", "release.json", sha(data))]
        for name, data in files.items()})
    monkeypatch.setenv(BASE_URL_ENV, mirror.url)
    assert main(["--fetch", "all", "--data-dir", str(raw)]) == 0
    out, err = capsys.readouterr()
    for name in files:
        assert (raw / name / "release.json").read_bytes() == files[name]
        assert f"{name}: downloaded 1 file(s), 0.0 MB, into {raw / name} (sha256 verified" in out
    assert len(mirror.requests) == len(files) == 7
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and warnings[0].startswith("warning: factify is not downloaded: ")
    assert "password" in warnings[0]

    assert main(["--fetch", "ropes", "--data-dir", str(raw)]) == 0
    assert capsys.readouterr().out == (f"ropes: all 1 raw file(s) already in {raw / 'ropes'} and "
                                       "verified: nothing downloaded\n")
    assert main(["--fetch", "factify", "--data-dir", str(raw)]) == 2  # by name: still an error
    assert "password" in capsys.readouterr().err
    # 'ALL' is all, as ' ROPES' is ropes (a reviewer: 'ALL' was an unknown dataset)
    assert main(["--fetch", " ALL", "--data-dir", str(raw)]) == 0
    out, err = capsys.readouterr()
    assert out.count("already in") == len(files) and "factify is not downloaded" in err
