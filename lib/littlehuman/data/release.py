"""Reading original release files: the files a loader needs, and JSON-lines rows, with one
place for the missing-file and malformed-row errors."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from littlehuman.errors import LittleHumanError

T = TypeVar("T")
_BAD_ROW = (ValueError, RecursionError, KeyError, TypeError, IndexError, AttributeError)


def parse_lines(path: Path, parse: Callable[[dict[str, Any]], T], dataset: str, what: str,
                fix: str) -> Iterator[tuple[int, T]]:
    """``(0-based line index, parse(object))`` for every non-blank line of ``path``.

    A line that is not JSON, or that ``parse`` rejects (a missing field, an unknown label...),
    is a LittleHumanError naming the file, the line, what it should be (``what``) and the
    remedy (``fix``); so is a file that is not UTF-8 text."""
    with open(path, encoding="utf-8") as f:
        try:
            for i, line in enumerate(f):
                if not line.strip():
                    continue
                try:
                    yield i, parse(json.loads(line))
                except _BAD_ROW as e:
                    raise LittleHumanError(f"{dataset}: {path} line {i + 1} is not {what} "
                                           f"({type(e).__name__}: {e}): {fix}") from e
        except UnicodeDecodeError as e:  # raised while reading, before any line is parsed
            raise LittleHumanError(f"{dataset}: {path} is not UTF-8 text ({e}): {fix}") from e


def require_files(raw_dir: Path, names: Iterable[str], dataset: str, how: str) -> list[Path]:
    """``raw_dir/name`` for each name; when any is missing, a LittleHumanError naming them
    and ``how`` to get them (formatted with ``{missing}``, the missing names joined by "and")."""
    raw_dir = Path(raw_dir)
    names = list(names)
    missing = [n for n in names if not (raw_dir / n).is_file()]
    if missing:
        raise LittleHumanError(f"{dataset}: missing {', '.join(missing)} in {raw_dir}: "
                               + how.format(missing=" and ".join(missing), raw_dir=raw_dir))
    return [raw_dir / n for n in names]
