"""Declarations of where each dataset's original release files live on the internet."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteFile:
    """One original release file.

    ``url``: public address. ``dest``: path relative to the dataset's raw folder
    (``<data_dir>/<dataset>/``). ``sha256``: the expected digest, or None when it is not
    known in advance (the first download then records it and later downloads must match).
    ``unpack``: None, "zip" or "tar.gz"; with ``members``, only those members (archive path ->
    destination relative to the dataset folder) are extracted.
    """

    url: str
    dest: str
    sha256: str | None = None
    unpack: str | None = None
    members: tuple[tuple[str, str], ...] = ()
    note: str = ""
