"""API keys: read from the environment only, held in a wrapper that never prints, and
scrubbed from any error text.

A key never goes to the generation cache, a backend's ``params``/``identity()``, a log line,
an exception message or a ``repr``: backends keep it as a :class:`Secret` and pass
``scrub(text)`` over any server or SDK message they re-raise.
"""
from __future__ import annotations

import os
import re

from littlehuman.errors import LittleHumanError

_KNOWN: set[str] = set()  # the key values read in this process, to scrub from text
_SK = re.compile(r"(?<![\w-])sk-[A-Za-z0-9_-]{6,}")
_BEARER = re.compile(r"\b(Bearer)\s+[^\s'\",;]+", re.IGNORECASE)
_BASIC = re.compile(r"\b(Basic)\s+([A-Za-z0-9+/]{4,}={0,2})(?![\w+/=])", re.IGNORECASE)
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")  # user:password@ in a URL


def _basic(match: re.Match) -> str:
    """A ``Basic`` credential (base64 of ``user:password``) as ``Basic ***``; a plain word
    after "basic" ("Basic authentication failed") stays."""
    import base64
    import binascii

    token = match.group(2)
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return f"{match.group(1)} ***" if b":" in decoded else match.group(0)


class Secret:
    """A string that shows as ``***`` in ``repr``/``str`` and refuses to be pickled."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself (hand it to the HTTP client, nowhere else)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> tuple:
        raise TypeError("an API key is never pickled: build the backend in the process that uses it")


def api_key(env_name: str = "OPENAI_API_KEY") -> str:
    """The key in environment variable ``env_name`` (registered for :func:`scrub`); missing
    or empty is a LittleHumanError. Wrap it in a :class:`Secret` to keep it."""
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise LittleHumanError(
            f"set {env_name} (or the variable named by --api-key-env) to your API key before "
            "generating with the openai backend; for a local OpenAI-compatible server without "
            "keys any non-empty value works"
        )
    if len(value) >= 8:  # scrubbing a very short value would mangle ordinary text
        _KNOWN.add(value)
    return value


def key_hint(env_name: str, url: str) -> str:
    """What to check after a 401: the key's variable and, when ``url`` carries user-info
    (a password-protected proxy, which checks that rather than the key), the user:password
    in ``--base-url`` too (neither ever shown)."""
    from urllib.parse import urlsplit

    hint = f"check the key in {env_name}"
    if "@" in urlsplit(str(url)).netloc:
        hint += " and the user:password in --base-url"
    return hint


def public_url(url: str) -> str:
    """``url`` without its user-info part (``http://user:password@host/v1`` ->
    ``http://host/v1``): the only form of a server URL that may be written anywhere. The
    password, when there is one, is registered for :func:`scrub`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(str(url))
    if "@" not in parts.netloc:
        return str(url)
    userinfo, host = parts.netloc.rsplit("@", 1)
    secret = userinfo.split(":", 1)[-1]
    if len(secret) >= 8:
        _KNOWN.add(secret)
    return urlunsplit(parts._replace(netloc=host))


def scrub(text: str) -> str:
    """``text`` with every key and URL password seen so far, anything shaped like ``sk-...``,
    any ``Bearer`` token, any ``Basic`` credential (case-insensitive) and any URL's
    ``user:password@`` replaced by ``***``."""
    text = str(text)
    for value in sorted(_KNOWN, key=len, reverse=True):
        text = text.replace(value, "***")
    text = _USERINFO.sub("***@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    return _SK.sub("***", _BASIC.sub(_basic, text))
