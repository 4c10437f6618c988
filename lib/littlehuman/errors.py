"""The one project exception type.

Every user-facing failure (bad input, missing file, malformed rows, bad flag) raises
:class:`LittleHumanError` with a one-line message that says what to do. The command line
prints it as one line on stderr and exits with status 2; a notebook (IPython) shows it as
that line too, without a traceback.
"""
from __future__ import annotations


class LittleHumanError(Exception):
    """A failure the user can act on; its message is one line that says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))

    def _render_traceback_(self) -> list[str]:
        """IPython shows the message alone (the line says what to do; a traceback into the
        library's code does not)."""
        return [f"error: {self}"]
