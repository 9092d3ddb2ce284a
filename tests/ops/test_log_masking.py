"""Log masking by the shapes the registry issues: card numbers of letters only, and mobile-card link
secrets whatever their characters, in the service's log and gunicorn's access log."""

from __future__ import annotations

import copy
import datetime as dt
import io
import logging
import logging.config
import types

import gunicorn.config
import pytest
from django.conf import settings

from kaikukanta.cards import identifiers
from kaikukanta.core.logging import LINK_MASK, MASK, mask_card_numbers

LETTERS_ONLY = "HRYTYXWBVW"  # a valid number of this registry (its check character is right)
LINK_SECRET = "KHTRWBNXEQPMAGFD"  # sixteen letters, as 1 in 175 hand-over secrets are


@pytest.fixture
def service_log():
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    for handler in config["handlers"].values():
        handler["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


def test_the_examples_have_the_shapes_they_claim():
    assert identifiers.is_valid(LETTERS_ONLY)
    assert LETTERS_ONLY.isalpha()
    assert not identifiers.invalid_characters(LINK_SECRET)


@pytest.mark.parametrize("number", [LETTERS_ONLY, LETTERS_ONLY.lower(), "HRYTY-XWBVW"])
def test_a_card_number_of_letters_only_is_masked(service_log, number):
    logging.getLogger("django.request").warning("Not Found: %s", f"/cards/{number}/")
    assert f"Not Found: /cards/{MASK}/" in service_log.getvalue()


def test_words_stay_readable():
    text = "Kaikukanta statistics for Tampere: renewal reminders sent"
    assert mask_card_numbers(text) == text
    # The same shape with a wrong check character is left alone (28 words in 29).
    assert mask_card_numbers("HRYTYXWBVX") == "HRYTYXWBVX"


def test_a_mobile_card_link_is_masked_whatever_its_characters(service_log):
    logging.getLogger("django.request").warning("Not Found: /m/%s/visits/", LINK_SECRET)
    line = service_log.getvalue()
    assert f"Not Found: {LINK_MASK}/visits/" in line
    assert LINK_SECRET not in line.upper()


def test_gunicorn_access_log_keeps_no_link_secret(capsys):
    cfg = gunicorn.config.Config()
    cfg.set("logger_class", "kaikukanta.core.gunicorn.Logger")
    cfg.set("accesslog", "-")
    logger = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/m/{LINK_SECRET.lower()}/",
        "PATH_INFO": f"/m/{LINK_SECRET.lower()}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.12",
        "HTTP_REFERER": f"https://kaikukanta.example.fi/m/{LINK_SECRET}/visits/",
    }
    response = types.SimpleNamespace(status="200 OK", sent=1200, headers=[])
    logger.access(response, types.SimpleNamespace(headers=[]), environ, dt.timedelta(seconds=0.01))
    out = capsys.readouterr().out
    for log in (logger.error_log, logger.access_log):
        for handler in list(log.handlers):
            log.removeHandler(handler)
    assert f'"GET {LINK_MASK}/ HTTP/1.1" 200' in out
    assert f"https://kaikukanta.example.fi{LINK_MASK}/visits/" in out
    assert LINK_SECRET not in out.upper()


def test_an_invitation_link_is_masked_whatever_its_characters():
    secret = "Zq_abcdefgh-IJKLmnop"  # token_urlsafe: letters, digits, - and _
    assert mask_card_numbers(f"GET /invitation/{secret}/ 200") == "GET /invitation/[link]/ 200"


def test_every_shape_the_registry_issues_is_masked_in_the_json_log():
    """Numbers drawn by the registry's own generator (about 4 % letters only) and link secrets of the
    hand-over's length and alphabet (about 1 in 175 with no digit), in a path, a message and an
    extra field of the JSON log: none survives, in either letter case."""
    import json
    import random
    import secrets

    from kaikukanta.cards.services import HAND_OVER_SECRET_LENGTH

    numbers = [identifiers.generate() for _ in range(3000)]
    assert sum(number.isalpha() for number in numbers) > 40  # the letters-only shape is in there
    rng = random.Random(19)
    letters = [c for c in identifiers.ALPHABET if c.isalpha()]
    links = [
        "".join(secrets.choice(identifiers.ALPHABET) for _ in range(HAND_OVER_SECRET_LENGTH))
        for _ in range(300)
    ] + ["".join(rng.choice(letters) for _ in range(HAND_OVER_SECRET_LENGTH)) for _ in range(30)]

    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    try:
        log = logging.getLogger("django.request")
        for number in numbers:
            shown = number.lower() if rng.random() < 0.5 else number
            log.warning("Not Found: /cards/%s/ (looked up %s)", shown, shown, extra={"n": shown})
        for link in links:
            log.warning("GET /m/%s/visits/", link.lower() if rng.random() < 0.5 else link)
    finally:
        logging.config.dictConfig(settings.LOGGING)
    text = buffer.getvalue().upper()
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert len(lines) == len(numbers) + len(links)
    assert [number for number in numbers if number in text] == []
    assert [link for link in links if link in text] == []
