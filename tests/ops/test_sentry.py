"""Error reports (sentry-sdk, SENTRY_DSN): an error sent to a local endpoint carries no card number,
no form data, no local variables (a holder's birth year, postcode) and no cookie."""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sentry_sdk

from kaikukanta.core.sentry import REMOVED, scrub, setup

CARD = "K7M4RXWP9A"
LETTERS_ONLY = "HRYTYXWBVW"


@pytest.fixture
def endpoint():
    """A stand-in for Sentry or GlitchTip on 127.0.0.1: keeps every envelope it is sent."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append(body)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_port}/1", received
    sentry_sdk.init(dsn=None)  # off again for the other tests
    server.shutdown()


def fail_with(card: str) -> None:
    holder_card = card  # a local variable: its value shows only in the message, masked
    holder_birth_year = 1957  # holder data no mask recognises: never sent
    holder_postcode = "96930"
    if holder_birth_year and holder_postcode:
        raise ValueError(f"no card {holder_card} at /m/KHTRWBNXEQPMAGFD/")


def test_an_error_report_carries_no_card_number(endpoint, settings):
    dsn, received = endpoint
    settings.SENTRY_DSN = dsn
    assert setup()
    for card in (CARD, LETTERS_ONLY):
        try:
            fail_with(card)
        except ValueError as error:
            sentry_sdk.capture_exception(error)
    sentry_sdk.flush(timeout=5)
    assert len(received) == 2
    text = b"".join(received).decode()
    assert "no card [card number] at /m/[link]/" in text
    assert "fail_with" in text  # the stack trace is there, masked
    for secret in (CARD, LETTERS_ONLY, "KHTRWBNXEQPMAGFD"):
        assert secret not in text
    assert '"vars"' not in text  # (the source lines around each frame are there: code, not data)
    assert "'96930'" not in text  # how the SDK would have written the postcode's value


def test_request_data_cookies_and_headers_are_dropped():
    event = {
        "request": {
            "url": f"https://kaikukanta.example.fi/cards/?q={CARD}",
            "data": {"identifier": CARD, "postcode": "33100", "birth_year": "1987"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "Authorization": "Bearer kk_x", "Host": "k.fi"},
        },
        "user": {"id": 7, "username": "alpha_dist", "email": "a@example.fi"},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "post",
                                "vars": {"birth_year": 1987, "postcode": "'33100'"},
                            }
                        ]
                    },
                }
            ]
        },
    }
    scrubbed = scrub(event)
    assert "33100" not in str(scrubbed)
    assert "1987" not in str(scrubbed)
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "post"}]
    assert scrubbed["request"]["data"] == REMOVED
    assert "cookies" not in scrubbed["request"]
    assert scrubbed["request"]["headers"] == {"Host": "k.fi"}
    assert scrubbed["request"]["url"] == "https://kaikukanta.example.fi/cards/?q=[card number]"
    assert scrubbed["user"] == {"id": 7}


def test_no_dsn_no_reports(settings):
    settings.SENTRY_DSN = ""
    assert not setup()
