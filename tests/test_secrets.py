"""secrets.scrub and public_url: keys, Bearer/Basic credentials and URL user-info never
survive into shown text; ordinary words do."""
from __future__ import annotations

import base64

from littlehuman.generation.secrets import public_url, scrub


def test_scrub_bearer_and_basic_credentials_case_insensitively():
    basic = base64.b64encode(b"alice:hunter2-horse").decode()
    assert scrub(f"Incorrect API key provided: Basic {basic}") == (
        "Incorrect API key provided: Basic ***")
    assert scrub(f"{{'message': 'got basic {basic}', 'code': None}}") == (
        "{'message': 'got basic ***', 'code': None}")
    assert scrub("authorization: bearer abc.def-1, next") == "authorization: bearer ***, next"
    assert scrub("BEARER   tok") == "BEARER ***"


def test_scrub_keeps_words_that_follow_basic():
    for text in ("Basic authentication failed", "basic auth is off", "a plain message"):
        assert scrub(text) == text


def test_scrub_url_userinfo_anywhere_in_text():
    assert scrub("cannot reach http://bob:pa55word@proxy:8080/v1 (refused)") == (
        "cannot reach http://***@proxy:8080/v1 (refused)")
    assert scrub("see https://example.org/a@b") == "see https://example.org/a@b"


def test_public_url_drops_userinfo_and_registers_the_password():
    assert public_url("http://carol:s3cret-long-pass@gpu:8000/v1") == "http://gpu:8000/v1"
    assert public_url("https://api.openai.com/v1") == "https://api.openai.com/v1"
    assert scrub("the password s3cret-long-pass was wrong") == "the password *** was wrong"
