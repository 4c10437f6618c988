"""Download a dataset's original release files (``sources.REMOTE``), verified by sha256.

Every download goes to a temporary file in its destination folder and is moved into place
(``os.replace``) only once its digest is checked, so a failed or corrupted download never
replaces a file already on disk. Files already present and verified are skipped without a
request. Archives are kept in ``<data_dir>/<name>/.downloads/`` and only their listed members
are extracted, each atomically; of an archive's members, only those missing (or changed against
their record) are written, and the others stay byte for byte as they are. Where no digest is
known in advance (``sha256=None``), the first download's digest is recorded in
``<data_dir>/<name>/CHECKSUMS.json`` and later downloads must match it (delete the entry to
accept a new upstream version); files found on disk with no record are adopted the same way. ``CHECKSUMS.json`` also records the members extracted from
archives, which is how they are checked later.

Mirror layout: with ``base_url`` (or the environment variable ``LITTLEHUMAN_FETCH_BASE_URL``)
every file is requested from ``<base_url>/<name>/<dest>`` instead of its public address, where
``dest`` is the entry's ``dest`` (an archive's file name for archives). A mirror is therefore a
copy of ``shared/data`` with the archives next to the files, e.g.
``<base_url>/fever/test.jsonl`` or ``<base_url>/scifact/data.tar.gz``; an institutional mirror
or a local ``python -m http.server`` serve it. Digests are checked the same way.

First use: :func:`ensure` is what ``python run_all.py --dataset NAME`` calls before it starts.
It asks the dataset's loader whether its raw files are all there and, when they are not,
downloads them with :func:`fetch` (same checks, same progress bars), then prints one line
saying what was downloaded. ``--no-fetch`` skips it.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Callable, Iterator

from filelock import FileLock, Timeout
from tqdm import tqdm

from littlehuman import __version__, paths
from littlehuman.data import registry, sources
from littlehuman.data.remote import RemoteFile
from littlehuman.errors import LittleHumanError
from littlehuman.secrets import public_url, scrub, split_userinfo

BASE_URL_ENV = "LITTLEHUMAN_FETCH_BASE_URL"
CHECKSUMS = "CHECKSUMS.json"
DOWNLOADS = ".downloads"
_PART = ".part"  # suffix of a download or extraction in progress
_CHUNK = 1 << 20
_TIMEOUT_S = 60


class NetworkError(LittleHumanError):
    """A download that failed for want of a connection or an answer (not a digest mismatch)."""

    def __init__(self, message: str, url: str, reason: str) -> None:
        super().__init__(message)
        self.url, self.reason = url, reason


@dataclass
class Fetched:
    """What one :func:`fetch_report` did: the files in place and what was downloaded."""

    name: str
    folder: Path
    paths: list[Path] = field(default_factory=list)
    downloads: list[tuple[str, int]] = field(default_factory=list)  # (dest, bytes)
    recorded: int = 0  # downloads with no published digest: recorded on first use
    kept: int = 0  # files already in place and verified, left as they were

    def summary(self) -> str:
        """One line: how many files are in place, what was downloaded and how it was checked."""
        if not self.downloads:
            return (f"{self.name}: all {len(self.paths)} raw file(s) already in {self.folder} "
                    "and verified: nothing downloaded")
        size = sum(n for _, n in self.downloads) / 1e6
        check = "sha256 verified against the published digests"
        if self.recorded:
            check = (f"sha256 verified; {self.recorded} with no published digest had theirs "
                     f"recorded in {CHECKSUMS}")
        kept = f"; the {self.kept} file(s) already there were kept as they were" if self.kept else ""
        return (f"{self.name}: downloaded {len(self.downloads)} file(s), {size:,.1f} MB, into "
                f"{self.folder} ({check}){kept}")


def fetch(
    name: str,
    data_dir: Path | None = None,
    base_url: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> list[Path]:
    """Download the raw files of dataset ``name`` into ``<data_dir>/<name>/``; return their paths.

    ``data_dir`` defaults to :func:`littlehuman.paths.raw_data_dir`; ``base_url`` replaces the
    public addresses by a mirror (see the module docstring); ``force`` downloads again even
    what is present (still verified). Raises :class:`LittleHumanError` on an unknown dataset, a
    network failure, a digest mismatch or a dataset that must be obtained by hand (FACTIFY).
    """
    return fetch_report(name, data_dir, base_url, force, progress).paths


def fetch_report(
    name: str,
    data_dir: Path | None = None,
    base_url: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> Fetched:
    """:func:`fetch`, returning what it did (:class:`Fetched`) rather than the paths alone."""
    key = registry.get(name).name
    folder = paths.raw_data_dir(data_dir, must_exist=False) / key
    if key in sources.MANUAL:
        return Fetched(key, folder, _manual(key, folder))
    entries = sources.REMOTE.get(key)
    if not entries:
        raise LittleHumanError(f"no download source is declared for {key}: put its files in {folder}")
    base = base_url or os.environ.get(BASE_URL_ENV) or None
    chosen = data_dir is not None or bool(os.environ.get("LITTLEHUMAN_DATA_DIR"))
    existed = folder.exists()
    try:
        job = _Job(key, folder, base, force, progress, chosen)
        for entry in entries:
            job.done.paths += job.archive(entry) if entry.unpack else [job.plain(entry)]
    except BaseException:
        if not existed:
            _remove_empty(folder)
        raise
    return job.done


def _remove_empty(folder: Path) -> None:
    """After a failed first download: remove ``folder`` (and its downloads folder) if the
    download left them empty, so no empty folder stays behind (one with files stays)."""
    for empty in (folder / DOWNLOADS, folder):
        try:
            empty.rmdir()
        except OSError:
            pass


def ensure(
    name: str,
    data_dir: str | os.PathLike | None = None,
    base_url: str | None = None,
    progress: bool = True,
    say: Callable[[str], None] = print,
) -> Fetched | None:
    """Download the raw files of dataset ``name`` if its loader does not find them all.

    Returns None when nothing was missing (no request is made), else what :func:`fetch` did.
    The data folder is ``data_dir``, else ``$LITTLEHUMAN_DATA_DIR``, else ``data/raw``; the
    default ``data/raw`` is created, but a folder named by ``--data-dir`` or the environment
    that does not exist stays an error (a typo should not receive a download). Every failure is
    a one-line LittleHumanError that says what to do: FACTIFY's (password-protected, never
    downloaded) is its loader's message; without a network, it names the folder to put the
    files in and ``--fetch`` for later. ``say`` prints the progress lines (stdout).
    """
    spec = registry.get(name)
    key = spec.name
    chosen = data_dir is not None or bool(os.environ.get("LITTLEHUMAN_DATA_DIR"))
    root = paths.raw_data_dir(data_dir, must_exist=chosen)
    folder = root / key
    loader = spec.loader()
    try:
        loader.source_files(folder)
        return None
    except LittleHumanError:
        if key in sources.MANUAL or not sources.REMOTE.get(key):
            raise  # FACTIFY: the loader's message says where to ask for the password
    existed = folder.exists()
    try:
        lock = _fetch_lock(key)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            say(f"{key}: waiting for another process that is downloading its raw files "
                f"(lock {lock.lock_file})")
            lock.acquire()
    except OSError as exc:
        raise LittleHumanError(
            f"{key}: cannot take the download lock ({exc.strerror or exc}, {exc.filename}): "
            "check that folder's permissions, or run `python run_all.py --fetch "
            f"{key}` first"
        ) from None
    try:
        return _ensure_locked(key, loader, folder, root, base_url, progress, say)
    except BaseException:
        if not existed:  # leave no empty folder behind a failed first download
            _remove_empty(folder)
        raise
    finally:
        lock.release()


def _fetch_lock(key: str) -> FileLock:
    """The lock one process holds while it downloads a dataset on first use
    (``data/locks/fetch-<name>.lock``, beside the generation locks)."""
    folder = paths.cache_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(str(folder / f"fetch-{key}.lock"))


def _ensure_locked(key: str, loader: ModuleType, folder: Path, root: Path, base_url: str | None,
                   progress: bool, say: Callable[[str], None]) -> Fetched | None:
    try:
        loader.source_files(folder)
        return None  # another process downloaded them while this one waited
    except LittleHumanError:
        pass
    absent = _absent(key, folder)
    total = _release_files(key)
    if absent and len(absent) < len(total):  # say which: the files that are there stay as they are
        say(f"{key}: {', '.join(absent)} not found in {folder} (the {len(total) - len(absent)} "
            f"other raw file(s) there are kept): downloading {'it' if len(absent) == 1 else 'them'} "
            "(sha256-checked; --no-fetch turns this off)")
    else:
        say(f"{key}: raw files not found in {folder}: downloading them (sha256-checked; "
            "--no-fetch turns this off)")
    try:
        done = fetch_report(key, data_dir=root, base_url=base_url, progress=progress)
    except NetworkError as exc:
        missing = absent or total
        some = len(missing) < len(total)
        what = f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'}" if some else \
            "the raw files are"
        raise LittleHumanError(
            f"{key}: {what} not in {folder} and downloading "
            f"{'it' if some and len(missing) == 1 else 'them'} failed ({exc.url}: {exc.reason}): "
            f"check the connection and rerun, or run `python run_all.py --fetch {key}` later, or "
            f"{_by_hand_all(key, folder, missing)} (docs/datasets.md)"
        ) from None
    except OSError as exc:
        raise LittleHumanError(
            f"{key}: the raw files are not in {folder} and it cannot be written "
            f"({exc.strerror or exc}): choose a writable --data-dir, or put the release files "
            f"in {folder} yourself"
        ) from None
    except LittleHumanError as exc:
        raise LittleHumanError(f"{key}: downloading the missing raw files failed: {exc}") from None
    loader.source_files(folder)  # the loader's own message if the release still lacks a file
    say(done.summary())
    return done


def _by_hand(entry: RemoteFile, folder: Path, dests: list[str] | None = None) -> str:
    """How to put ``entry``'s files (or of an archive, only its members ``dests``) in
    ``folder`` by hand: the file to download, and for an archive that it is to be unpacked
    and which of its files go where."""
    if entry.unpack:
        names = ", ".join(dests or [d for _, d in entry.members])
        return f"download {entry.url} yourself, unpack it and put {names} in {folder}/"
    return f"download {entry.url} yourself and put it in {folder}/ as {entry.dest}"


def _by_hand_all(key: str, folder: Path, missing: list[str]) -> str:
    """:func:`_by_hand` for each release file of dataset ``key`` that holds a file of
    ``missing`` (names as :func:`_release_files` gives them), joined by "; "."""
    steps = []
    for entry in sources.REMOTE.get(key, []):
        if entry.unpack:
            dests = [d for _, d in entry.members if d in missing]
            if dests:
                steps.append(_by_hand(entry, folder, dests))
        elif entry.dest in missing:
            steps.append(_by_hand(entry, folder))
    return "; ".join(steps) or f"put the release files in {folder} yourself"


def _release_files(key: str) -> list[str]:
    """What ``sources.REMOTE`` puts in a dataset's folder: plain files and archive members
    (a member folder ends in ``/``)."""
    return [dest for e in sources.REMOTE.get(key, [])
            for dest in ([d for _, d in e.members] if e.unpack else [e.dest])]


def _absent(key: str, folder: Path) -> list[str]:
    """The files of :func:`_release_files` not in ``folder`` (a member folder: no file in it)."""
    out = []
    for rel in _release_files(key):
        path = folder / rel
        if rel.endswith("/"):
            there = path.is_dir() and any(p.is_file() for p in path.rglob("*"))
        else:
            there = path.is_file()
        if not there:
            out.append(rel)
    return out


def _manual(key: str, folder: Path) -> list[Path]:
    files, how = sources.MANUAL[key]
    found = [folder / f for f in files]
    if all(p.is_file() for p in found):
        return found
    raise LittleHumanError(how.format(folder=folder))


class _Job:
    """One fetch of one dataset: its folder, its CHECKSUMS.json records and the options."""

    def __init__(self, key: str, folder: Path, base: str | None, force: bool, progress: bool,
                 chosen: bool = False) -> None:
        self.key, self.folder, self.base = key, folder, base
        self.force, self.progress = force, progress
        self.chosen = chosen  # the data folder was named (--data-dir or LITTLEHUMAN_DATA_DIR)
        self.records: dict[str, str] = _load_records(folder / CHECKSUMS)
        self.done = Fetched(key, folder)

    # -- plain files ---------------------------------------------------------------------------
    def plain(self, entry: RemoteFile) -> Path:
        path = _inside(self.folder, entry.dest)
        ok, adopt = _check(path, entry.sha256, self.records.get(entry.dest))
        if ok and not self.force:
            if adopt:
                self._record({entry.dest: adopt}, f"{entry.dest} (found on disk)")
            self.done.kept += 1
            return path
        expected = entry.sha256 or self.records.get(entry.dest)
        digest = self._download(entry, path, expected)
        if expected is None:
            self._record({entry.dest: digest}, entry.dest)
        return path

    # -- archives ------------------------------------------------------------------------------
    def archive(self, entry: RemoteFile) -> list[Path]:
        if entry.unpack not in ("zip", "tar.gz"):
            raise LittleHumanError(f"{self.key}: unsupported archive type {entry.unpack!r} for {entry.dest}")
        if not self.force:
            targets = self._member_targets(entry)
            if targets is not None:
                adopted = {r: d for r, (_, d) in targets.items() if d}
                self._record(adopted, f"{len(adopted)} extracted file(s) (found on disk)")
                self.done.kept += len(targets)
                return [p for p, _ in targets.values()]
        rel = f"{DOWNLOADS}/{entry.dest}"
        path = _inside(self.folder, rel)
        recorded = self.records.get(rel)
        ok, tofu = _check(path, entry.sha256, recorded)
        if self.force or not ok:
            expected = entry.sha256 or recorded
            digest = self._download(entry, path, expected)
            tofu = digest if expected is None else None
        kept: dict[str, str | None] = {}  # members left on disk: {rel: digest to adopt}

        def keep(rel: str, member: Path) -> str | None:
            """The digest of a member to leave as it is (present and verified), else None."""
            if self.force:
                return None
            ok, adopt = _check(member, None, self.records.get(rel))
            if not ok:
                return None
            kept[rel] = adopt
            return adopt or self.records[rel]

        try:
            extracted = _extract(path, entry, self.folder, keep)
        except LittleHumanError:
            if tofu:  # never trust-on-first-use an unreadable archive
                path.unlink(missing_ok=True)
            raise
        adopted = {r: d for r, d in kept.items() if d}
        self._record(adopted, f"{len(adopted)} extracted file(s) (found on disk)")
        self.done.kept += len(kept)
        new = {r: d for r, (_, d) in extracted.items()}
        if tofu:
            new[rel] = tofu
        self._record(new, rel if tofu else None)
        return [p for p, _ in extracted.values()]

    def _member_targets(self, entry: RemoteFile) -> dict[str, tuple[Path, str | None]] | None:
        """The extracted files if all are present and verified ({rel: (path, digest to adopt)}), else None."""
        out: dict[str, tuple[Path, str | None]] = {}
        for _, dest in entry.members:
            if dest.endswith("/"):
                rels = sorted(r for r in self.records if r.startswith(dest))
                if not rels:  # nothing recorded: adopt what a user put there
                    root = _inside(self.folder, dest)
                    rels = sorted(
                        p.relative_to(self.folder).as_posix()
                        for p in (root.rglob("*") if root.is_dir() else [])
                        if p.is_file() and not p.name.endswith(_PART)
                    )
                    if not rels:
                        return None
            else:
                rels = [dest]
            for rel in rels:
                path = _inside(self.folder, rel)
                ok, adopt = _check(path, None, self.records.get(rel))
                if not ok:
                    return None
                out[rel] = (path, adopt)
        return out

    # -- shared --------------------------------------------------------------------------------
    def _download(self, entry: RemoteFile, path: Path, expected: str | None) -> str:
        url = entry.url
        if self.base:
            url = f"{self.base.rstrip('/')}/{urllib.parse.quote(self.key)}/{urllib.parse.quote(entry.dest)}"
        label = f"{self.key}/{entry.dest}"
        path.parent.mkdir(parents=True, exist_ok=True)

        size = 0

        def write(out: IO[bytes]) -> str:
            nonlocal size
            h = hashlib.sha256()
            with _open(url) as resp:
                total = resp.headers.get("Content-Length")
                with tqdm(
                    total=int(total) if total and total.isdigit() else None, unit="B", unit_scale=True,
                    unit_divisor=1024, desc=label, disable=not self.progress, leave=False,
                ) as bar:
                    for chunk in _read(resp, url):
                        h.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                        bar.update(len(chunk))
            digest = h.hexdigest()
            if expected is not None and digest != expected:
                known = "the known" if entry.sha256 else f"the digest recorded in {CHECKSUMS} for"
                raise LittleHumanError(
                    f"sha256 mismatch for {label} from {public_url(url)}: expected {expected} ({known} file), "
                    f"got {digest}; the download was deleted and nothing on disk was changed "
                    "(retry; if the upstream file changed on purpose, review it"
                    + ("" if entry.sha256 else f" and delete its entry in {self.folder / CHECKSUMS}")
                    + ")"
                )
            return digest

        try:
            digest = _atomic_write(path, write)
        except NetworkError as exc:
            raise self._advise(exc, entry) from exc.__cause__
        self.done.downloads.append((entry.dest, size))
        self.done.recorded += expected is None
        return digest

    def _advise(self, exc: NetworkError, entry: RemoteFile) -> NetworkError:
        """``exc`` with what to do: place the file by hand in the folder in use, or, where no
        folder was named, point --data-dir at one that has the files."""
        by_hand = _by_hand(entry, self.folder)
        elsewhere = "" if self.chosen else ", or point --data-dir at a folder that already has the files"
        return NetworkError(f"could not download {exc.url}: {exc.reason}; check the connection and "
                            f"rerun, or {by_hand}{elsewhere}", exc.url, exc.reason)

    def _record(self, new: dict[str, str], what: str | None = None) -> None:
        if not new:
            return
        self.records.update(new)
        _save_records(self.folder / CHECKSUMS, self.records)
        if what:
            print(
                f"warning: {self.key}/{what}: sha256 recorded in {CHECKSUMS} on first use, "
                "not verified against a known digest",
                file=sys.stderr,
            )


def _extract(
    archive: Path, entry: RemoteFile, folder: Path, keep: Callable[[str, Path], str | None]
) -> dict[str, tuple[Path, str]]:
    """Extract the listed members of ``archive`` into ``folder``: {rel: (path, sha256)}.

    A member for which ``keep(rel, path)`` gives a digest is left as it is on disk."""
    try:
        if entry.unpack == "zip":
            with zipfile.ZipFile(archive) as zf:
                files = {_norm(i.filename): i for i in zf.infolist() if not i.is_dir()}
                return _extract_members(files, lambda i: zf.open(i), entry, folder, keep)
        with tarfile.open(archive, mode="r:gz") as tf:
            files = {_norm(m.name): m for m in tf.getmembers() if m.isfile()}  # no links or devices
            return _extract_members(files, tf.extractfile, entry, folder, keep)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as exc:
        raise LittleHumanError(
            f"{archive} is not a readable {entry.unpack} archive ({exc}); delete it and fetch again"
        ) from exc


def _extract_members(
    files: dict, opener: Callable, entry: RemoteFile, folder: Path,
    keep: Callable[[str, Path], str | None],
) -> dict[str, tuple[Path, str]]:
    plan: dict[str, object] = {}
    for src, dest in entry.members:
        if src.endswith("/"):
            matched = {dest + n[len(src):]: info for n, info in files.items() if n.startswith(src)}
        else:
            matched = {dest: files[src]} if src in files else {}
        if not matched:
            raise LittleHumanError(
                f"{entry.url} has no member {src!r}: the release layout changed; "
                "place the files by hand or report it"
            )
        plan.update(matched)
    out: dict[str, tuple[Path, str]] = {}
    for rel, info in sorted(plan.items()):
        path = _inside(folder, rel)  # guards against path traversal in member names
        kept = keep(rel, path)
        if kept is not None:
            out[rel] = (path, kept)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)

        def write(dst: IO[bytes], info: object = info) -> str:
            h = hashlib.sha256()
            with opener(info) as src:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    h.update(chunk)
                    dst.write(chunk)
            return h.hexdigest()

        out[rel] = (path, _atomic_write(path, write))
    return out


def _atomic_write(path: Path, write: Callable[[IO[bytes]], str]) -> str:
    """:func:`littlehuman.paths.atomic_write` for downloads: the temp file ends in ``.part``
    (never adopted as a release file) and the file is made readable by all (0644), as
    downloaded files usually are; returns the digest ``write`` computed."""
    return paths.atomic_write(path, write, suffix=_PART, mode=0o644)


def _open(url: str) -> http.client.HTTPResponse:
    """The response to a GET of ``url``; a mirror's ``user:password@`` is sent as HTTP Basic
    authentication (urllib ignores it, and read the password as a port: "nonnumeric port"),
    to that host only (not to where it redirects)."""
    public_url(url)  # registers a mirror's password for the errors below (taken out of url)
    try:  # a bad mirror URL (no scheme, broken brackets) is a ValueError of Request itself
        parts = urllib.parse.urlsplit(url)
        credential = None
        if "@" in parts.netloc:
            host, user, password = split_userinfo(parts.netloc)
            credential = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
            url = urllib.parse.urlunsplit(parts._replace(netloc=host))
        request = urllib.request.Request(url, headers={"User-Agent": f"littlehuman/{__version__}"})
        if credential is not None:
            token = base64.b64encode(credential.encode("utf-8")).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")
        return urllib.request.urlopen(request, timeout=_TIMEOUT_S)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        raise _network_error(url, exc) from exc


def _read(resp: http.client.HTTPResponse, url: str) -> Iterator[bytes]:
    while True:
        try:
            chunk = resp.read(_CHUNK)
        except (http.client.HTTPException, OSError) as exc:
            raise _network_error(url, exc) from exc
        if not chunk:
            return
        yield chunk


def _network_error(url: str, exc: Exception) -> NetworkError:
    if isinstance(exc, urllib.error.HTTPError):
        reason = f"HTTP {exc.code} {exc.reason}"
    elif isinstance(exc, urllib.error.URLError):
        reason = str(exc.reason)
    else:
        reason = str(exc) or type(exc).__name__
    url = public_url(url)  # a mirror's user:password or ?token= is never shown
    reason = scrub(" ".join(reason.split()))
    return NetworkError(f"could not download {url}: {reason}; check the connection and rerun", url, reason)


def _check(path: Path, known: str | None, recorded: str | None) -> tuple[bool, str | None]:
    """(present and matching, digest to adopt when nothing is known or recorded)."""
    if not path.is_file():
        return False, None
    digest = _sha256(path)
    if known or recorded:
        return digest == (known or recorded), None
    return True, digest


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _inside(folder: Path, rel: str) -> Path:
    """``folder / rel``, refusing absolute paths and anything that leaves ``folder``."""
    parts = Path(rel).parts
    path = folder / rel
    escapes = not parts or Path(rel).is_absolute() or ".." in parts
    if escapes or not path.resolve().is_relative_to(folder.resolve()):
        raise LittleHumanError(f"refusing to write {rel!r}: it is outside {folder}")
    return path


def _norm(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name


def _load_records(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LittleHumanError(f"{path} is not valid JSON ({exc}): fix or delete it") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise LittleHumanError(f"{path} should map file paths to sha256 digests: fix or delete it")
    return data


def _save_records(path: Path, records: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(dict(sorted(records.items())), indent=1) + "\n").encode("utf-8")

    def write(out: IO[bytes]) -> str:
        out.write(data)
        return ""

    _atomic_write(path, write)
