"""Starting the test OpenID Connect provider (tests/oidc_provider/: django-oauth-toolkit's OIDC
support in a small Django project of its own) as a process of its own on 127.0.0.1, and pointing
Kaikukanta's settings at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider") / "serve.py"
CLIENT_ID = "kaikukanta-test"
CLIENT_SECRET = "a-client-secret-for-the-tests"


class TestProvider:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url  # the issuer, e.g. http://127.0.0.1:40123/o
        self.control_url = base_url.removesuffix("/o") + "/control"

    def control(self, **change: Any) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - our own provider on 127.0.0.1
            self.control_url,
            data=json.dumps(change).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.load(answer)

    def issued(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(self.control_url, timeout=10) as answer:  # noqa: S310
            return json.load(answer)["issued"]

    def register(self, kaikukanta_url: str, key: str) -> None:
        self.control(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=[f"{kaikukanta_url}/login/sso/{key}/callback/"],
            post_logout_redirect_uris=[f"{kaikukanta_url}/login/"],
            # The test run's clock is moved (tests/conftest.py fixed_clock): the provider follows it.
            now=time.time(),
        )

    def settings(self, key: str, label: str, **more: Any) -> dict[str, dict[str, Any]]:
        return {
            key: {
                "CLIENT_ID": CLIENT_ID,
                "CLIENT_SECRET": CLIENT_SECRET,
                "DISCOVERY_URL": f"{self.base_url}/.well-known/openid-configuration",
                "LABEL": label,
                "MFA_ACR": "",
                "ORGANISATIONS": [],
                "PASSWORD_LOGIN_OFF": False,
                **more,
            }
        }


@contextmanager
def running_provider() -> Iterator[TestProvider]:
    """The provider process, or a skip with the reason (a failure under KAIKUKANTA_CI=1)."""
    # Its errors go to a file, not a pipe nobody reads (a full pipe would stop it).
    # Its SQLite database in a directory removed afterwards.
    with tempfile.TemporaryFile(mode="w+") as errors, tempfile.TemporaryDirectory() as data:
        try:
            process = subprocess.Popen(
                [sys.executable, str(PROVIDER_SCRIPT)],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                # Its own settings module, never Kaikukanta's.
                env={
                    **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
                    "OIDC_PROVIDER_DATA": data,
                },
            )
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            if not base_url.startswith("http://127.0.0.1:"):
                process.kill()
                process.wait(timeout=10)
                errors.seek(0)
                raise RuntimeError(errors.read()[-2000:] or "no address printed")
        except (OSError, RuntimeError, AssertionError) as error:
            message = f"The test OpenID Connect provider did not start: {error}"
            if os.environ.get("KAIKUKANTA_CI"):
                pytest.fail(message)
            pytest.skip(message)
        try:
            yield TestProvider(base_url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
