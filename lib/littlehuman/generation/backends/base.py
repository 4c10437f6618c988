"""The one interface every generation backend implements."""
from __future__ import annotations

from typing import Any


class Backend:
    """Turns a batch of chats into reply texts.

    ``name`` and ``model`` say what generates; ``params`` holds every setting that changes
    the replies (temperature, max_new_tokens, seed...). The three make up ``identity()``,
    which keys the generation cache and names the synthetic files, so none of them may
    hold a secret (an API key belongs elsewhere).
    """

    name: str
    model: str
    params: dict[str, Any]

    def complete(self, batch: list[list[dict[str, str]]]) -> list[str]:
        """One reply text per chat, in order."""
        raise NotImplementedError

    def identity(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model, "params": dict(self.params)}
