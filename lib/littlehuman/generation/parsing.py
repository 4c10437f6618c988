"""Parse a model reply in the few-shot format back into a claim/label or a question/answer.

Tolerant of case, extra whitespace, a missing ``||``, markdown emphasis around keys and values
(``**Claim:**``, ``**Claim**:``), numbered keys (``Claim 1:``), a preamble before the first key
(or, without that key, before the line the second key closes), trailing chatter on later
lines, a base model that runs on into a new ``Context:`` or ``User:`` turn, and a JSON object
(``{"claim": ..., "label": ...}``, fenced or with a trailing comma). Unparseable replies,
refusals (even inside the format, in either field) and template placeholders (``[Your claim
here]``) give None.
"""
from __future__ import annotations

import json
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
#: 3: refusals inside the format or naming a key; 4: wider refusals, refused answers,
#: placeholders, numbered keys, a second key inside the first field, the line before the
#: second key when the first is missing, zero-width characters, "not false", JSON replies;
#: 5: a label closing the claim's line before an unkeyed second pair; 6: the datasets' own
#: label words, PROTOCOL's Contradicts, Neutral, Not Enough Info, Entails)
PARSER_VERSION = 6
_APOLOGY = (r"(?:(?:i['\u2019]?m|i\s+am)\s+(?:so\s+|very\s+|really\s+|truly\s+)?sorry|sorry|"
            r"i\s+apologi[sz]e|unfortunately|i\s+regret\s+that)")
_CANNOT = (r"i(?:\s+(?:can(?:not|['\u2019]?t)|won['\u2019]?t|will\s+not|am\s+(?:not\s+able|unable)"
           r"\s+to|(?:do\s+not|don['\u2019]?t)\s+feel\s+comfortable)|['\u2019]m\s+"
           r"(?:not\s+able|unable)\s+to)")
# what the task asks for, named in a refusal: "help with", "create", "come up with"; "do /
# answer / write that" ending the sentence; "write / give an untrue claim", "answer your
# request". "I won't do that again", "I can't give you any money" and "I can't stay long"
# are sentences a claim may be (WANLI's first-person hypotheses, a song's title)
_TASK = (r"(?:help\s+(?:with|you)|assist|create|generate|provide|produce|comply|fulfil\w*|"
         r"come\s+up\s+with|make\s+up|"
         r"(?:do|answer|complete|write|give|share|respond\s+to)\s+(?:that|this|so|it)\s*[.!]?\s*$|"
         r"(?:do|answer|complete|write|give|share|respond\s+to)\s+(?:a|an|the|your|such)\s+"
         r"(?:\w+\s+){0,2}?(?:claim|question|request|task|pair)s?\b)")
# a refusal: "As an AI ...", "I can't / won't / am unable to" (after an apology or not)
# followed by what the task asks for, or "I must decline / refuse" alone or of the request: a
# first-person claim ("I must decline the invitation", "I can't help it") is not one
_APOLOGISED = rf"^[\W_]*(?:as\s+an\s+ai\b|(?:{_APOLOGY}[\s,.!;:-]*(?:but\s+)?)?"
_DECLINE = (r"i\s+(?:must|have\s+to)\s+(?:decline|refuse)\s*(?:[.!]?\s*$|(?:this|that|your|the)\s+"
            r"request|to\s+(?:help|assist|create|generate|provide|write|answer|comply|"
            r"do\s+(?:so|that|this)))")
_REFUSAL = re.compile(rf"{_APOLOGISED}(?:{_CANNOT}\s+{_TASK}|{_DECLINE}))",
                      re.IGNORECASE | re.MULTILINE)
# in an answer, only a refusal that names the task ("I cannot answer that"): "I must decline."
# may be what a character said
_ANSWER_REFUSAL = re.compile(rf"{_APOLOGISED}{_CANNOT}\s+{_TASK})", re.IGNORECASE | re.MULTILINE)
# a template's placeholder instead of a field: "[Your claim here]", "<claim>", "..." (a
# bracketed letter, "[B]", may be an answer); a claim or question of "N/A" or "none" too (an
# answer may be "none")
_TEMPLATE = re.compile(r"^(?:\[[^\]]*[a-z]{2}[^\]]*\]|<[^>]*[a-z]{2}[^>]*>|\{[^}]*\}|"
                       r"[.\u2026\s]*)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(rf"{_TEMPLATE.pattern}|^(?:n/?a|none|null)$", re.IGNORECASE)
# characters that print as nothing (zero-width space/joiners, a byte-order mark)
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
# whole words (a prefix would read "notably", "nothing" or "truly" as a label)
# the datasets' own words too (PROTOCOL: Supports, Entails -> 1; Refutes, Contradicts, Not
# Enough Info, Neutral -> 0): "Label: Contradicted" had read as no label, and the twin took
# the one asked for (a reviewer)
_FALSE = frozenset({"untrue", "false", "not", "unsupported", "refute", "refutes", "refuted",
                    "incorrect", "wrong", "contradict", "contradicts", "contradicted",
                    "contradiction", "contradictory", "neutral", "nei", "no", "disputed",
                    "misleading"})
_TRUE = frozenset({"true", "supported", "support", "supports", "correct", "yes", "entails",
                   "entailed", "entailment"})
_NEGATED = frozenset({"true", "supported", "correct", "false", "untrue", "wrong", "incorrect",
                      "unsupported"})


def _key(name: str) -> re.Pattern[str]:
    """``name:`` with any markdown emphasis around it (``**Name:**``, ``**Name**:``), a number
    (``Name 1:``) or a full-width colon."""
    return re.compile(rf"\b{name}(?:\s*#?\d+)?[*_]*\s*[:\uff1a][*_]*", re.IGNORECASE)


def _line_key(name: str) -> re.Pattern[str]:
    """:func:`_key` at the start of a line or after ``||`` (after markdown emphasis, a bullet
    or a heading)."""
    return re.compile(rf"(?:^|(?<=\|\|))[ \t*_#>-]*{_key(name).pattern}",
                      re.IGNORECASE | re.MULTILINE)


def _find_key(name: str, text: str) -> re.Match[str] | None:
    """The first ``name:`` that starts a line (or follows ``||``), else the first anywhere: a
    preamble such as "Here is a True claim:" is passed over when a line below starts with
    ``Claim:``, and "the band's record label: Sony" inside a claim is not its ``Label:``."""
    return _line_key(name).search(text) or _key(name).search(text)


def _clean(text: str) -> str:
    text = " ".join(_INVISIBLE.sub("", text).split()).strip("|*").strip().strip('"').strip()
    if text.startswith("\u201c") and text.endswith("\u201d") and text.count("\u201c") == 1:
        text = text[1:-1].strip()  # a pair of curly quotes around the whole field, no title's
    return text


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


# a chat model's opening line before the field ("Sure! Here is a true claim.")
_PREAMBLE = re.compile(r"^[\W_]*(?:sure|certainly|okay|ok|of course|absolutely|here(?:['\u2019]s|"
                       r"\s+is|\s+are))\b", re.IGNORECASE)


def _last_line(text: str) -> str:
    """The field before the second key when the first key is missing: with ``||``, the last
    paragraph before it, its lines joined; else the last non-empty line. Lines ending in a
    colon are a preamble ("Here is a True claim:", "Sure! Here's a question and answer
    pair:"), not the field."""
    if "||" in text:
        paragraph = re.split(r"\n[ \t]*\n", text.split("||")[0].strip())[-1]
        kept = [line for line in paragraph.split("\n")
                if not _clean(line).endswith((":", "\uff1a")) and not _PREAMBLE.match(line)]
        return _clean(" ".join(kept))
    for line in reversed(text.split("\n")):
        line = _clean(line.split("||")[0])
        if line and not line.endswith((":", "\uff1a")):
            return line
    return ""


def _label(text: str, keyed: bool) -> int | None:
    """0/1 from ``text``'s first word, or with ``keyed`` (the text follows ``Label:``) from its
    first word that names a label ("The claim is false" -> 0; "not false" -> 1); None when
    none does (the caller then falls back to the label asked for). Unkeyed text may be run-on
    prose, so only its first word counts. A keyed label of "1" or "0" alone reads as True or
    Untrue, the dataset's own coding (PROTOCOL: Supports -> 1)."""
    if keyed and re.fullmatch(r"[*_\s]*([01])[*_.\s]*", text):
        return int(text.strip(" *_.\t"))
    words = re.sub(r"[^a-z ]", " ", text.lower()).split()
    for i, word in enumerate(words if keyed else words[:1]):
        if word == "not" and i + 1 < len(words) and words[i + 1] in _NEGATED:
            return 0 if words[i + 1] in _TRUE else 1
        if word in _FALSE:
            return 0
        if word in _TRUE:
            return 1
    return None


def _usable(field: str) -> bool:
    """A field is text, not a refusal or a template's placeholder."""
    return (len(field) >= 2 and any(c.isalnum() for c in field)
            and not _REFUSAL.match(field) and not _PLACEHOLDER.match(field))


def _from_json(text: str, task: Task) -> dict | None:
    """The fields of a JSON object in ``text`` (code fences and trailing commas allowed; keys
    in any case), else None."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        obj = json.loads(re.sub(r",\s*([}\]])", r"\1", text[start:end + 1]))
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    fields = {str(k).strip().lower(): v for k, v in obj.items()}
    head, tail = FIELDS[task]
    if not isinstance(fields.get(head), str) or tail not in fields:
        return None
    value = fields[tail]
    if value is None:  # "answer": null
        return None
    if task == "fv" and isinstance(value, bool):
        value = "true" if value else "untrue"
    return {"first": _clean(fields[head]), "second": _clean(str(value)), "keyed": True}


def _label_ending_a_line(body: str, found: re.Match[str]) -> re.Match[str] | None:
    """A ``Label:`` inside a line before ``found`` (a line-start ``Label:``) that closes its
    line with a label word alone: the first pair's label, where an unkeyed second pair follows
    ("Claim: X. Label: True\nY.\nLabel: False"). A claim's own "label: Sony" or "label:
    True Records" is not one."""
    for match in _key("label").finditer(body, 0, found.start()):
        rest = body[match.end():].split("\n", 1)[0]
        words = re.sub(r"[^a-z ]", " ", rest.lower()).split()
        if words and set(words) <= _TRUE | _FALSE | {"not"} and len(words) <= 2 \
                and _label(rest, True) is not None:
            return match
    return None


def _fields(text: str, task: Task) -> dict | None:
    """The reply's first field, the second's text, whether a key named it and whether the
    second field is closed (a line break, ``||`` or a new turn after it; a JSON object), else
    None."""
    head, tail = FIELDS[task]
    body = text.strip()
    start = _find_key(head, body)
    if start:
        body = body[start.end():]
    elif not _key(tail).search(body):
        found = _from_json(body, task)
        return None if found is None else {**found, "closed": True}
    stop = _RUN_ON.search(body)
    if stop:
        body = body[: stop.start()]
    again = _line_key(head).search(body) if start else None
    if again:  # a second pair: its Label:/Answer: is not this one's
        body, stop = body[: again.start()], again
    second = _find_key(tail, body)
    if second and task == "fv":
        second = _label_ending_a_line(body, second) or second
    if second:
        first_text, second_text = body[: second.start()], _first_line(body[second.end():])
        first = _first_field(first_text) if start else _last_line(first_text)
        closed = stop is not None or bool(re.search(r"\S[^\n|]*[\n|]", body[second.end():]))
    else:
        parts = [p for p in re.split(r"\|\||\n", body) if p.strip(" |")]
        first = _first_field(parts[0]) if parts else ""
        second_text = _first_line(parts[1]) if len(parts) > 1 else ""
        closed = False
    return {"first": first, "second": second_text, "keyed": bool(second), "closed": closed}


def parse_reply(text: str | None, task: Task) -> dict | None:
    """``{"claim", "label"}`` (FV; label 1/0, or None when the reply gives none) or
    ``{"question", "answer"}`` (QA); None when the reply cannot be read."""
    if not text or not text.strip() or _REFUSAL.match(_INVISIBLE.sub("", text).strip()):
        return None
    fields = _fields(text, task)
    if fields is None or not _usable(fields["first"]):
        return None
    first, second = fields["first"], fields["second"]
    if task == "fv":
        return {"claim": first, "label": _label(second, fields["keyed"]) if second else None}
    if not second or _ANSWER_REFUSAL.match(second) or _TEMPLATE.match(second):
        return None
    return {"question": first, "answer": second}


def finished(text: str, task: Task) -> bool:
    """Whether a reply that ran to the token limit still holds its whole second field: FV a
    label word after ``Label:``, QA an ``Answer:`` closed by a line break, ``||`` or a new
    turn. Without it the reply ended mid-field ("Claim: The film was first released in the",
    "Answer: Mayor Del") and the field read is cut."""
    fields = _fields(text, task) if text else None
    if fields is None or not fields["keyed"]:
        return False
    if task == "fv":
        return _label(fields["second"], True) is not None
    return fields["closed"]
