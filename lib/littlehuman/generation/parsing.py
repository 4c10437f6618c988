"""Parse a model reply in the few-shot format back into a claim/label or a question/answer.

Tolerant of case, extra whitespace, a missing ``||``, markdown emphasis around keys and values
(``**Claim:**``, ``**Claim**:``), a preamble before the first key, trailing chatter on later
lines, and a base model that runs on into a new ``Context:`` or ``User:`` turn. Unparseable
replies and refusals (even inside the format) give None.
"""
from __future__ import annotations

import re

from littlehuman.data.schema import Task

# a new turn: ``Context:`` starting a line or following ``|``, or a chat role starting a line
# ("according to the context: ..." inside a claim is text, not a turn)
_RUN_ON = re.compile(r"(?:^|\|)[ \t*_#>-]*context[*_]*\s*:|^\s*(?:user|system|assistant)\s*:",
                     re.IGNORECASE | re.MULTILINE)
#: the fields a reply gives, per task
FIELDS = {"fv": ("claim", "label"), "qa": ("question", "answer")}
#: raised whenever a reply may parse differently than before, so stored twins are checked
#: again (1: up to 2026-12-01; 2: markdown keys, preambles, label sentences, "context:" in text;
#: 3: refusals inside the format or naming a key)
PARSER_VERSION = 3
# a refusal: "As an AI ...", or (after "I'm sorry, but") "I can't/cannot/won't/am unable to"
# followed by what the task asks for ("help with", "create", "generate"...); a first-person
# claim ("I can't make it tonight", "I can't help it") is not one
_REFUSAL = re.compile(
    r"^[\W_]*(?:as\s+an\s+ai\b|(?:(?:i['\u2019]?m|i\s+am)\s+sorry|sorry|i\s+apologi[sz]e|"
    r"unfortunately)?[\s,]*(?:but\s+)?i\s+(?:can(?:not|['\u2019]?t)|won['\u2019]?t|will\s+not|"
    r"am\s+(?:not\s+able|unable)\s+to)\s+(?:help\s+(?:with|you)|assist|create|generate|"
    r"provide|produce|comply|fulfil\w*|come\s+up\s+with|make\s+up)\b)",
    re.IGNORECASE)
# whole words (a prefix would read "notably", "nothing" or "truly" as a label)
_FALSE = frozenset({"untrue", "false", "not", "unsupported", "refute", "refutes", "refuted",
                    "incorrect", "wrong"})
_TRUE = frozenset({"true", "supported", "support", "supports", "correct", "yes"})


def _key(name: str) -> re.Pattern[str]:
    """``name:`` with any markdown emphasis around it (``**Name:**``, ``**Name**:``)."""
    return re.compile(rf"\b{name}[*_]*\s*:[*_]*", re.IGNORECASE)


def _line_key(name: str) -> re.Pattern[str]:
    """:func:`_key` at the start of a line (after markdown emphasis, a bullet or a heading)."""
    return re.compile(rf"^[ \t*_#>-]*{_key(name).pattern}", re.IGNORECASE | re.MULTILINE)


def _find_key(name: str, text: str) -> re.Match[str] | None:
    """The first ``name:`` that starts a line, else the first anywhere: a preamble such as
    "Here is a True claim:" is passed over when a line below starts with ``Claim:``."""
    return _line_key(name).search(text) or _key(name).search(text)


def _clean(text: str) -> str:
    return " ".join(text.split()).strip("|*").strip().strip('"').strip()


def _first_field(text: str) -> str:
    """A field that ends at ``||`` (line breaks inside are joined), else at the line end."""
    if "||" in text:
        return _clean(text.split("||")[0])
    return _first_line(text)


def _first_line(text: str) -> str:
    """The first non-empty line, cut at ``||``."""
    for line in text.split("\n"):
        if _clean(line):
            return _clean(line.split("||")[0])
    return ""


def _label(text: str, keyed: bool) -> int | None:
    """0/1 from ``text``'s first word, or with ``keyed`` (the text follows ``Label:``) from its
    first word that names a label ("The claim is false" -> 0); None when none does (the caller
    then falls back to the label asked for). Unkeyed text may be run-on prose, so only its
    first word counts."""
    words = re.sub(r"[^a-z ]", " ", text.lower()).split()
    for word in words if keyed else words[:1]:
        if word in _FALSE:
            return 0
        if word in _TRUE:
            return 1
    return None


def parse_reply(text: str | None, task: Task) -> dict | None:
    """``{"claim", "label"}`` (FV; label 1/0, or None when the reply gives none) or
    ``{"question", "answer"}`` (QA); None when the reply cannot be read."""
    if not text or not text.strip() or _REFUSAL.match(text.strip()):
        return None
    head, tail = FIELDS[task]
    body = text.strip()
    start = _find_key(head, body)
    if start:
        body = body[start.end():]
    elif not _key(tail).search(body):
        return None
    stop = _RUN_ON.search(body)
    if stop:
        body = body[: stop.start()]
    second = _key(tail).search(body)
    if second:
        first_text, second_text = body[: second.start()], _first_line(body[second.end():])
    else:
        parts = [p for p in re.split(r"\|\||\n", body) if p.strip(" |")]
        first_text = parts[0] if parts else ""
        second_text = _first_line(parts[1]) if len(parts) > 1 else ""
    first = _first_field(first_text)
    if _REFUSAL.match(first):
        return None
    if task == "fv":
        if len(first) < 2:
            return None
        return {"claim": first, "label": _label(second_text, bool(second)) if second_text else None}
    if not first or not second_text:
        return None
    return {"question": first, "answer": second_text}
