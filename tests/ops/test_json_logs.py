"""Logs as JSON lines: one line per request with its id, the user's id, the status and the duration;
every field masked, the message and the traceback too."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

from kaikukanta.core.logging import LINK_MASK, MASK

LETTERS_ONLY = "HRYTYXWBVW"


@pytest.fixture
def json_log():
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_request_is_one_json_line_with_its_id_user_status_and_duration(
    json_log, world, client_as
):
    client = client_as("alpha_distributor")
    response = client.get(f"/cards/{LETTERS_ONLY}/", HTTP_X_REQUEST_ID="req-0001-abcd")
    assert response["X-Request-Id"] == "req-0001-abcd"
    requests = [line for line in json_log() if line["logger"] == "kaikukanta.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["request_id"] == "req-0001-abcd"
    assert line["user_id"] == world.alpha_distributor.pk
    assert line["status"] == response.status_code
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert line["path"] == f"/cards/{MASK}/"
    assert LETTERS_ONLY not in json.dumps(json_log())
    assert "alpha_dist" not in json.dumps(line)  # the id, never the user name


@pytest.mark.django_db
def test_a_made_up_request_id_is_replaced(json_log, client):
    response = client.get("/login/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-Id"] != "<script>"
    line = next(line for line in json_log() if line["logger"] == "kaikukanta.request")
    assert line["request_id"] == response["X-Request-Id"]
    assert line["user_id"] is None


def test_every_field_and_the_traceback_are_masked(json_log):
    log = logging.getLogger("kaikukanta.test")
    try:
        raise ValueError(f"no card {LETTERS_ONLY}")
    except ValueError:
        log.exception("failed at /m/%s/", "KHTRWBNXEQPMAGFD", extra={"card": "K7M4RXWP9A"})
    (line,) = json_log()
    assert line["message"] == f"failed at {LINK_MASK}/"
    assert line["card"] == MASK
    assert f"no card {MASK}" in line["exc_info"]
    text = json.dumps(line)
    for secret in (LETTERS_ONLY, "KHTRWBNXEQPMAGFD", "K7M4RXWP9A"):
        assert secret not in text
