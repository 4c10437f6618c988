"""secrets.scrub and public_url: keys, Bearer/Basic credentials and URL user-info never
survive into shown text; ordinary words do."""
from __future__ import annotations

import base64

import pytest

from littlehuman import secrets
from littlehuman.secrets import base_url_problem, public_url, scrub


@pytest.fixture(autouse=True)
def no_secrets_from_other_tests():
    """The values to scrub are process-wide: a password another test file registered
    ("wrong", from test_fetch's mirror) masked that word here, depending on which worker ran
    which file. Each test here starts from none and leaves the others' as they were."""
    known, short = set(secrets._KNOWN), set(secrets._SHORT)
    secrets._KNOWN.clear()
    secrets._SHORT.clear()
    yield
    secrets._KNOWN.clear()
    secrets._SHORT.clear()
    secrets._KNOWN.update(known)
    secrets._SHORT.update(short)


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


# Leaks a reviewer proved with canaries and a server of its own (session 30).
def test_the_basic_token_and_the_decoded_password_of_a_url_are_scrubbed():
    public_url("http://alice:CANARY%21PASS@h/v1")
    token = base64.b64encode(b"alice:CANARY!PASS").decode()
    echoed = f"Incorrect API key provided: {token}; password CANARY!PASS (CANARY%21PASS)"
    assert "CANARY" not in scrub(echoed) and token not in scrub(echoed)
    assert token.rstrip("=") not in scrub(f"key={token.rstrip('=')}")


def test_credential_query_parameters_are_masked_and_scrubbed():
    url = "http://h:8000/v1?token=CANARYTOK1&api-version=2024-02-01"
    assert public_url(url) == "http://h:8000/v1?token=***&api-version=2024-02-01"
    assert scrub("POST /v1/?token=CANARYTOK1chat/completions") == "POST /v1/?token=***chat/completions"
    assert scrub("api-version 2024-02-01") == "api-version 2024-02-01"


def test_a_short_key_with_a_digit_is_scrubbed_as_a_word_only():
    from littlehuman.secrets import remember

    remember("CNRY7")
    remember("EMPTY")  # a plain word local servers take as a key: not worth mangling text for
    assert scrub("token=CNRY7 rejected; CNRY7x stays; EMPTY stays") == (
        "token=*** rejected; CNRY7x stays; EMPTY stays")


def test_an_error_text_is_scrubbed_before_it_is_cut():
    import httpx
    import openai

    from littlehuman.generation.backends.openai_chat import describe
    from littlehuman.secrets import remember

    key = "CANARYKEY1234567890abcdef"
    remember(key)
    message = "A" * 368 + " key=" + key  # the key straddles the 400-character cut
    response = httpx.Response(401, request=httpx.Request("POST", "http://h/v1"))
    said = describe(openai.AuthenticationError(message, response=response, body=None))
    assert "CANARYKEY" not in said and said.endswith("key=***")


def test_bad_base_urls_are_refused_without_being_repeated():
    from littlehuman.secrets import base_url_problem

    for url in ("http://alice:CANARYPASS@h:99999/v1", "http://alice:CANARYPASS@h/v1?token=CANARYTOK",
                "ftp://alice:CANARYPASS@h/v1"):
        problem = base_url_problem(url)
        assert problem and "CANARY" not in problem
    assert base_url_problem("http://alice:pw@localhost:8000/v1") is None
    for hostless in ("http:///v1", "http://", "https://:8000/v1"):  # had passed (a reviewer)
        assert base_url_problem(hostless) == ("--base-url must name a host (e.g. "
                                              "http://localhost:8000/v1)")
    assert base_url_problem("http://localhost:8000/v1#frag") is None  # not sent: it worked


def test_a_token_as_the_urls_user_name_a_short_passwords_pair_and_a_fragment_are_masked():
    """A reviewer's echoing server: ``http://TOKEN@host`` (no password: clients send
    ``Basic base64("TOKEN:")``) had the token and its Basic form cached in replies and shown
    in errors; ``user:Cy7pw`` echoed in a 200 reply was cached (a short password is skipped
    in replies, as a word); ``#token=...`` was written to summary.json as given."""
    from littlehuman.secrets import scrub_known

    token = "CANARYTOKEN0987654321"
    assert public_url(f"http://{token}@127.0.0.1:9/v1") == "http://127.0.0.1:9/v1"
    basic = base64.b64encode(f"{token}:".encode()).decode()
    said = f"auth=[Basic {basic}] bare=[{basic}] decoded=[{token}:]"
    assert token not in scrub_known(said) and basic.rstrip("=") not in scrub_known(said)
    assert token not in scrub(said)
    public_url("http://canaryuser:Cy7pw@127.0.0.1:9/v1")
    assert scrub_known("decoded=[canaryuser:Cy7pw] ok") == "decoded=[***] ok"
    assert scrub_known("Cy7pw is a word here") == "Cy7pw is a word here"  # alone: prose
    fragment = "FRAGMENTTOKEN12345678"
    assert public_url(f"http://127.0.0.1:8000/v1#access_token={fragment}") == \
        "http://127.0.0.1:8000/v1"
    assert scrub(f"echo {fragment}") == "echo ***"
    assert public_url("http://127.0.0.1:8000/v1#section") == "http://127.0.0.1:8000/v1"
    # a pair too short to be told from prose stays (a model's "menu:pasta" read "men***asta")
    public_url("http://u:p@127.0.0.1:9/v1")
    assert scrub_known("A menu:pasta for two") == "A menu:pasta for two"
    # a raw '#' in the user-info cut the URL there: its start was shown as the host
    raw = "http://Tok3nABCD#EFGH1234@myproxy:8000/v1"
    assert public_url(raw) == "http://myproxy:8000/v1" and "EFGH1234" not in scrub(f"[{raw}]")
    assert "write it as %23" in base_url_problem(raw)
    assert "access_token" not in public_url("http://[::1#access_token=FRAGMENTTOKEN1")


def test_a_mirrors_password_is_masked_in_a_connection_error():
    """fetch took the user-info out of the URL before the error registered it: a reason
    phrase echoing the password was shown (a reviewer)."""
    import http.server
    import threading

    from littlehuman.data import fetch

    password = "MirrorPw-98765"

    class Echo(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(401, f"denied {self.headers.get('Authorization')} {password}")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        try:
            fetch._open(f"http://mirror:{password}@127.0.0.1:{port}/fever/x.jsonl")
        except fetch.NetworkError as exc:
            said = str(exc)
        assert "401" in said and password not in said, said
        assert base64.b64encode(f"mirror:{password}".encode()).decode() not in said
    finally:
        server.shutdown()
