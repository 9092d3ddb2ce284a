"""The nginx site sample (deploy/nginx/kaikukanta.conf), read as nginx reads it: the access log's map
cuts link secrets out, and nothing under /metrics reaches the app unguarded. (The suite does not need
nginx: the map's regular expressions run through Python's, the locations by nginx's order. CI also
runs the sample in a real nginx: deploy/check_configs.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CONF = (Path(__file__).parents[2] / "deploy" / "nginx" / "kaikukanta.conf").read_text()


def logged_uri(uri: str) -> str:
    """What the access log writes for ``uri``: the first matching line of the map, else the uri."""
    block = re.search(r"map \$uri \$kaikukanta_logged_uri \{(.*?)\}", CONF, re.S)
    assert block is not None
    for line in block.group(1).strip().splitlines():
        pattern, replacement = line.strip().rstrip(";").split()
        if pattern == "default":
            continue
        match = re.match(pattern[1:].replace("(?<", "(?P<"), uri)
        if match:
            for name, value in match.groupdict(default="").items():
                replacement = replacement.replace(f"${name}", value)
            return replacement
    return uri


@pytest.mark.parametrize(
    ("uri", "logged"),
    [
        ("/m/KHTRWBNXEQPMAGFD/", "/m/[secret]/"),
        ("/m/KHTRWBNXEQPMAGFD/visits/", "/m/[secret]/visits/"),
        ("/invitation/Zq8_xT3vNw2kLp9rYb4Hc7/", "/invitation/[secret]/"),
        ("/password-reset/link/MTI/cxy-0123abcd/", "/password-reset/link/[secret]/"),
        ("/password-reset/link/MTI/set-password/", "/password-reset/link/[secret]/"),
        ("/cards/", "/cards/"),
    ],
)
def test_access_log_leaves_secrets_out(uri, logged):
    assert logged_uri(uri) == logged


def location_for(uri: str) -> str:
    """The body of the location block nginx picks for ``uri`` (exact, else the longest prefix)."""
    locations = re.findall(r"location\s+(=|\^~)?\s*(\S+)\s*\{(.*?)\}", CONF, re.S)
    assert not any(modifier in ("~", "~*") for modifier, _, _ in locations)
    for modifier, path, body in locations:
        if modifier == "=" and path == uri:
            return body
    prefixes = [(path, body) for modifier, path, body in locations if modifier != "="]
    return max((p for p in prefixes if uri.startswith(p[0])), key=lambda p: len(p[0]))[1]


@pytest.mark.parametrize("uri", ["/metrics", "/metrics/", "/metrics//", "/metrics.txt"])
def test_everything_under_metrics_is_guarded(uri):
    body = location_for(uri)
    assert "deny all;" in body
    assert "proxy_set_header X-Real-IP $remote_addr;" in body  # the app checks the client too


def test_other_pages_are_not_guarded():
    assert "deny all;" not in location_for("/cards/")
