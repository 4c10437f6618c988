"""API keys: read from the environment only, held in a wrapper that never prints, and
scrubbed from any error text.

A key never goes to the generation cache, a backend's ``params``/``identity()``, a log line,
an exception message or a ``repr``: backends keep it as a :class:`Secret` and pass
``scrub(text)`` over any server or SDK message they re-raise. A module of the package's top
level with no import but the error type: the profile's checks and the fetcher use it too, and
had imported the whole generation package (0.5 s) while it sat there.
"""
from __future__ import annotations

import os
import re

from littlehuman.errors import LittleHumanError

_KNOWN: set[str] = set()  # the key values read in this process, to scrub from text
_SHORT: set[str] = set()  # shorter ones (4-7 characters with a digit), scrubbed as whole words
# query parameters of a URL that hold credentials (``?token=``, ``?api_key=``, ``&sig=``...)
_SECRET_PARAM = re.compile(r"key|token|secret|pass|auth|sig|credential|session", re.IGNORECASE)
_QUERY_SECRET = re.compile(rf"([?&][^=&#]*(?:{_SECRET_PARAM.pattern})[^=&#]*=)[^&#]*",
                           re.IGNORECASE)
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
    remember(value)
    return value


def remember(value: str, always: bool = False) -> None:
    """Register ``value`` for :func:`scrub`: at 8 characters or more anywhere in a text; at
    4-7 characters with a digit (``CNRY7``) as a whole word only; a shorter or plain-word
    value ("EMPTY", "none", which local servers take as keys) is not a secret worth mangling
    ordinary text for, unless ``always`` (a URL's password, which nobody types by accident:
    "hunter" had been shown in a fetch error) registers it, 4 characters or more, as a whole
    word whatever it is."""
    if len(value) >= 8:
        _KNOWN.add(value)
    elif len(value) >= 4 and (always or (any(c.isdigit() for c in value)
                                        and any(c.isalpha() for c in value))):
        _SHORT.add(value)


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
    ``http://host/v1``) or its ``#fragment`` (never sent; a token there had reached
    summary.json), and with the values of credential-like query parameters masked
    (``?token=***``): the only form of a server URL that may be written anywhere. What is
    taken out is registered for :func:`scrub`, as written, percent-decoded, as the pair
    ``user:password`` and as the ``Basic`` token an HTTP client sends for it (a server may echo
    any); a user name with no password is the credential itself (``http://TOKEN@host``:
    clients send ``Basic base64("TOKEN:")``), and is registered so too."""
    from urllib.parse import parse_qsl, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(str(url))
    except ValueError:  # a malformed URL ("http://[::1"): masked as text, never raised on
        return _QUERY_SECRET.sub(r"\1***", _USERINFO.sub("***@", str(url).split("#")[0]))
    if "@" in parts.fragment:  # a raw '#' in the user-info ("user:pa#ss@host") cut the URL
        userinfo, rest = f"{parts.netloc}#{parts.fragment}".rsplit("@", 1)  # there: read it
        parts = urlsplit(f"{parts.scheme}://{userinfo.replace('#', '%23')}@{rest}")  # whole
    if parts.fragment:
        for pair in parts.fragment.split("&"):  # not sent, but written nowhere either
            name, _, value = pair.partition("=")
            if value and _SECRET_PARAM.search(unquote_plus(name)):
                for form in {value, unquote_plus(value)} - {""}:
                    remember(form)
        parts = parts._replace(fragment="")
    if parts.query:
        for pair in parts.query.split("&"):  # each value as written and decoded
            name, _, value = pair.partition("=")
            if _SECRET_PARAM.search(unquote_plus(name)):
                for form in {value, unquote_plus(value)} - {""}:
                    remember(form)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        masked = [(n, "***" if _SECRET_PARAM.search(n) and v else v) for n, v in pairs]
        parts = parts._replace(query=urlencode(masked, safe="*"))
    if "@" in parts.netloc:
        host, user, password = split_userinfo(parts.netloc)
        secret = password or user  # no password: the user name is the token
        for form in {secret, unquote(secret)} - {""}:
            remember(form, always=True)
        if secret:
            pair = f"{unquote(user)}:{unquote(password)}"
            _remember_basic(pair)
            if password:  # not prose: masked in replies too, however short the password
                _KNOWN.update(p for p in {pair, f"{user}:{password}"} if len(p) >= 8)  # but
                # "u:p" is: a model's "menu:pasta" had read "men***asta" (a reviewer)
        parts = parts._replace(netloc=host)
    changed = parts.query or "@" in str(url) or "#" in str(url)
    return urlunsplit(parts) if changed else str(url)


def split_userinfo(netloc: str) -> tuple[str, str, str]:
    """(host, user, password) of a URL's netloc ``user:password@host:port``, the user and
    password as written (percent-encoded); ("host:port", "", "") without them."""
    if "@" not in netloc:
        return netloc, "", ""
    userinfo, host = netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    return host, user, password


def base_url_problem(url: str, name: str = "--base-url") -> str | None:
    """What is wrong with a server URL ``url`` given as ``name``, in one line that does not
    repeat it (it may hold a password), or None: not http(s), a port that is not a number, or
    a query string (the OpenAI client appends its paths after it, so the URL never works, and
    a token there would be written where the URL is; a ``#fragment`` is not sent and passes)."""
    from urllib.parse import urlsplit

    example = "(e.g. http://localhost:8000/v1)"
    if not str(url).lower().startswith(("http://", "https://")):
        return f"{name} must start with http:// or https:// {example}"
    try:
        parts = urlsplit(str(url))
        parts.port
    except ValueError:
        return f"{name} must be a URL with a port from 0 to 65535, if any {example}"
    if not parts.hostname:  # "http:///v1" had passed, and failed only after every retry
        return f"{name} must name a host {example}"
    if parts.query:
        return (f"{name} must not hold a query string (?...): the client appends its paths "
                f"after it; give the key in OPENAI_API_KEY (or --api-key-env) {example}")
    if "@" in parts.fragment:  # the host read would be the user-info's start
        return f"{name} has a '#' in its user:password: write it as %23 {example}"
    return None


def forget(value: str) -> None:
    """Stop scrubbing a short ``value`` (a local server's dummy key that is also the model's
    name, "llama3": scrubbing it mangled the server's own error about that model)."""
    _SHORT.discard(value)


def _remember_basic(credential: str) -> None:
    """Register the base64 token of ``user:password`` (with and without its ``=`` padding)."""
    import base64

    token = base64.b64encode(credential.encode("utf-8")).decode("ascii")
    remember(token)
    remember(token.rstrip("="))


def scrub_known(text: str) -> str:
    """``text`` with only the long keys and passwords seen so far (8 characters or more, and
    their ``Basic`` tokens) replaced by ``***``: for a model's reply, where :func:`scrub`'s
    patterns would mangle ordinary prose ("Bearer bonds ...") and a short password is a word,
    but a server echoing the request's ``Authorization`` header must not have it kept."""
    text = str(text)
    for value in sorted(_KNOWN, key=len, reverse=True):
        text = text.replace(value, "***")
    return text


def scrub(text: str) -> str:
    """``text`` with every key, URL password (and its ``Basic`` token) and query token seen so
    far (:func:`remember`), anything shaped like ``sk-...``,
    any ``Bearer`` token, any ``Basic`` credential (case-insensitive) and any URL's
    ``user:password@`` replaced by ``***``."""
    text = scrub_known(text)
    for value in sorted(_SHORT, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "***", text)
    text = _USERINFO.sub("***@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    return _SK.sub("***", _BASIC.sub(_basic, text))
