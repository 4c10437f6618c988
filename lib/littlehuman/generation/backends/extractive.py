"""A rule-based baseline generator: no model, no network, deterministic. NOT an LLM.

It reads the task and requested label from the system prompt and the context from the last
user turn, then builds a reply in the few-shot format (so the parser is exercised):

- FV True: one sentence of the context, chosen by a seeded draw.
- FV Untrue: that sentence perturbed: a number changed, a capitalised name swapped for
  another name from the context, or a negation inserted/removed (one applicable rule, seeded).
- QA: a cloze question over a number or capitalised-name span of a context sentence (the
  last long word when a sentence has neither), with that span as the answer.

The draws are seeded by the whole request (so rows sharing a context still differ through
their examples) and ``seed``.

It is a fast, offline stand-in for a prompt model (tests, smoke runs, CPU baselines); its
data is far more extractive than an LLM's.
"""
from __future__ import annotations

import json
import random
import re
from typing import TYPE_CHECKING

from littlehuman.data.schema import stable_seed
from littlehuman.generation.backends.base import Backend
from littlehuman.generation.prompts import QA_SYSTEM, system_prompt

if TYPE_CHECKING:
    from littlehuman.config import Profile

_TITLES = ("Dr", "Mr", "Mrs", "Ms", "St", "Prof", "Jr", "Sr", "Capt", "Gen", "Rev")
_SENTENCE_END = re.compile(  # not after a title: "Dr. Lee" is one sentence (a helper's walk)
    r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019]))"
    + "".join(rf"(?<!\b{t}\.)" for t in _TITLES)
    + r"\s+(?=[A-Z0-9\"'(\[`\u201c\u2018])"
)
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_YEAR = re.compile(r"1\d{3}|20\d{2}")
_NAME = re.compile(r"[A-Z][\w'&-]*(?: (?:of |the |de |von |van )?[A-Z][\w'&-]*)*")
_AUX = re.compile(  # a whole word: "can't" had become "can not't" (a helper's walk)
    r"\b(is|are|was|were|has|have|had|can|could|will|would|does|did|do|should|may|might|must)"
    r"(?![\w'\u2019])( not\b)?"
)
_STARTERS = {
    "The", "A", "An", "In", "On", "At", "He", "She", "It", "They", "We", "I", "You", "This",
    "That", "These", "Those", "His", "Her", "Their", "Its", "There", "After", "When", "As",
    "But", "And", "Of", "For", "By", "From", "With", "One", "Once", "Then", "If", "While",
    "Well", "Now", "Yes", "No", "Oh", "What", "Why", "How", "Who", "Where", "So", "Here", "My",
}
_JOINERS = {"of", "the", "de", "von", "van"}
_CONTRACTION = re.compile(r"\w'\w{0,2}|\w+n't|\w")  # I'd, I'm, Don't, single letters
_QUOTES = re.compile("[\"\u201c\u201d`]|''")


def _sentences(context: str) -> list[str]:
    """Sentences of at least 4 words (line breaks count as spaces: stories are hard-wrapped)."""
    parts = [s.strip() for s in _SENTENCE_END.split(" ".join(context.split()))]
    long = [s for s in parts if len(s.split()) >= 4]
    return long or [max(parts, key=len, default=context.strip())]


def _names(sentence: str) -> list[tuple[int, int]]:
    """Spans of capitalised word runs, minus common words and a lone sentence-initial word."""
    spans = []
    for m in _NAME.finditer(sentence):
        start, words = m.start(), m.group().split(" ")
        while words and (words[0] in _STARTERS | _JOINERS or _CONTRACTION.fullmatch(words[0])):
            start += len(words.pop(0)) + 1
        if not words or (len(words) == 1 and not re.search(r"\w", sentence[:start])):
            continue
        end = m.end() - 2 if m.group().endswith("'s") else m.end()  # Kintaro's -> Kintaro
        spans.append((start, end))
    return spans


def _numbers(sentence: str) -> list[tuple[int, int]]:
    return [m.span() for m in _NUMBER.finditer(sentence)]


def _change_number(sentence: str, rng: random.Random) -> str | None:
    spans = _numbers(sentence)
    if not spans:
        return None
    start, end = rng.choice(spans)
    digits = sentence[start:end].replace(",", "")
    value = int(float(digits)) if digits.replace(".", "", 1).isdigit() else 0
    new = value + rng.choice([1, 2, 3, 5, 10]) * rng.choice([-1, 1])
    if new < 0 or new == value:
        new = value + 1
    return sentence[:start] + str(new) + sentence[end:]


def _swap_name(sentence: str, context: str, rng: random.Random) -> str | None:
    spans = _names(sentence)
    if not spans:
        return None
    start, end = rng.choice(spans)
    old = sentence[start:end]
    others = sorted({s[a:b] for s in _sentences(context) for a, b in _names(s)} - {old})
    others = [o for o in others if o not in old and old not in o]
    if not others:
        return None
    return sentence[:start] + rng.choice(others) + sentence[end:]


_NOT_CONTRACTED = re.compile(r"\b(\w+?)n['\u2019]t\b")  # can't, doesn't, won't
_IRREGULAR = {"ca": "can", "wo": "will", "sha": "shall", "ai": "am"}


def _negate(sentence: str) -> str:
    """The sentence with its negation flipped: a contracted "n't" dropped, else "not" after
    the first auxiliary added or removed, else "It is not the case that ..."."""
    m = _NOT_CONTRACTED.search(sentence)
    if m is not None:
        stem = m.group(1)
        word = _IRREGULAR.get(stem.lower(), stem)
        word = word[0].upper() + word[1:] if stem[0].isupper() else word
        return sentence[:m.start()] + word + sentence[m.end():]
    m = _AUX.search(sentence)
    if m is None:
        first = sentence.split(" ", 1)[0]
        if first in _STARTERS and first != "I":  # a common word, not a name: lower-case it
            sentence = sentence[0].lower() + sentence[1:]
        return "It is not the case that " + sentence
    if m.group(2):  # "is not" -> "is"
        return sentence[: m.end(1)] + sentence[m.end():]
    return sentence[: m.end(1)] + " not" + sentence[m.end(1):]


def _untrue(sentence: str, context: str, rng: random.Random) -> str:
    options = [
        _change_number(sentence, rng),
        _swap_name(sentence, context, rng),
        _negate(sentence),
    ]
    return rng.choice([o for o in options if o is not None])


def _cloze(sentences: list[str], rng: random.Random) -> tuple[str, str]:
    spanned = [(s, _numbers(s) + _names(s)) for s in sentences]
    spanned = [(s, spans) for s, spans in spanned if spans]
    short = [(s, spans) for s, spans in spanned if len(s.split()) <= 40]
    unquoted = [(s, spans) for s, spans in short if not _QUOTES.search(s)]
    spanned = unquoted or short or spanned  # long or dialogue lines make poor cloze questions
    if spanned:
        sentence, spans = rng.choice(spanned)
        start, end = rng.choice(spans)
    else:
        sentence = rng.choice(sentences)
        words = list(re.finditer(r"[A-Za-z]{4,}", sentence))
        if not words:
            return sentence.rstrip(".!?") + "?", sentence
        start, end = words[-1].span()
    answer = sentence[start:end]
    if _YEAR.fullmatch(answer):
        wh = "what year"
    elif _NUMBER.fullmatch(answer):
        wh = "how many"
    else:
        wh = "what"
    question = (sentence[:start] + wh + sentence[end:]).rstrip(" .!?") + "?"
    return question[0].upper() + question[1:], answer


class ExtractiveBackend(Backend):
    """Rule-based, deterministic claims and cloze questions cut from the context."""

    name = "extractive"
    model = "rules-v2"  # v2: negations flipped in English, no sentence cut at a title
    local = True

    def __init__(self, seed: int = 0) -> None:
        self.params = {"seed": int(seed)}

    @classmethod
    def from_profile(cls, profile: "Profile") -> "ExtractiveBackend":
        """Seeded by the profile's data seed."""
        return cls(seed=profile.data_seed)

    def complete(self, batch: list[list[dict[str, str]]]) -> list[str]:
        return [self._reply(messages) for messages in batch]

    def _reply(self, messages: list[dict[str, str]]) -> str:
        system = messages[0]["content"]
        context = messages[-1]["content"].removeprefix("Context:").strip()
        rng = random.Random(stable_seed(self.model, self.params["seed"], json.dumps(messages)))
        sentences = _sentences(context)
        if system == QA_SYSTEM:
            question, answer = _cloze(sentences, rng)
            return f"Question: {question}||\nAnswer: {answer}"
        if system == system_prompt("fv", 1):
            label = 1
        elif system == system_prompt("fv", 0):
            label = 0
        else:  # the neutral prompt: the rules pick the label
            label = int(rng.random() < 0.5)
        sentence = rng.choice(sentences)
        claim = sentence if label == 1 else _untrue(sentence, context, rng)
        return f"Claim: {claim}||\nLabel: {'True' if label == 1 else 'Untrue'}"
