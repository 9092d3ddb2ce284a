"""A small OpenID Connect provider for the single sign-on tests, run as a process of its own on
127.0.0.1 (tests/oidc_fixtures.py starts it): `python tests/oidc_provider.py` prints its base URL.

It speaks the protocol for real over HTTP: discovery (.well-known/openid-configuration), the
authorization endpoint with a sign-in form of its own, the authorization code flow that requires PKCE
(S256) and checks the verifier, the client's secret and the redirect URI, ID tokens signed with RS256
under a key published at jwks_uri, userinfo and an end-session endpoint. Kaikukanta's side (Authlib's
client) is not mocked: it fetches and checks all of this itself.

POST /control (JSON) registers the client ({"client_id", "client_secret", "redirect_uris"}) and makes
the provider misbehave on demand: {"id_token": "ok" | "wrong_iss" | "wrong_aud" | "expired"} (in every mode the token is signed
with the provider's key and carries this sign-in's nonce: only the named claim is wrong)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})

state: dict[str, Any] = {
    "clients": {},  # client_id: {"secret", "redirect_uris"}
    "id_token": "ok",
    "codes": {},  # code: what the token endpoint needs
    "access_tokens": {},  # access token: claims
    "issued": [],  # the ID tokens' claims, for the tests to read
    "offset": 0.0,  # the tests' clock minus this process's (the test run moves its clock)
}
lock = threading.Lock()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Handler(BaseHTTPRequestHandler):
    server_version = "KaikukantaTestOP/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def issuer(self) -> str:
        return f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"  # type: ignore[index]

    def _send(self, status: int, body: str | bytes, content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value))

    def _redirect(self, url: str) -> None:
        self.send_response(302)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    # --- GET ------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(200, self.discovery())
        elif url.path == "/jwks":
            self._json(200, KeySet([KEY]).as_dict(private=False))
        elif url.path == "/authorize":
            self.authorize_page(query)
        elif url.path == "/userinfo":
            self.userinfo()
        elif url.path == "/logout":
            self._send(
                200,
                "<!doctype html><html lang=en><title>Signed out</title>"
                "<h1>Signed out of the test provider</h1>",
                "text/html; charset=utf-8",
            )
        elif url.path == "/control":
            with lock:
                self._json(200, {"issued": state["issued"], "id_token": state["id_token"]})
        else:
            self._json(404, {"error": "not_found"})

    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["sub", "email", "email_verified", "amr", "acr", "name"],
        }

    def _authorization_error(self, query: dict[str, str]) -> str | None:
        with lock:
            client = state["clients"].get(query.get("client_id", ""))
        if client is None:
            return "unknown client_id"
        if query.get("redirect_uri") not in client["redirect_uris"]:
            return "redirect_uri not registered"
        if query.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in query.get("scope", "").split():
            return "scope must include openid"
        if not query.get("code_challenge") or query.get("code_challenge_method") != "S256":
            return "PKCE with S256 is required"
        if not query.get("state") or not query.get("nonce"):
            return "state and nonce are required"
        return None

    def authorize_page(self, query: dict[str, str]) -> None:
        problem = self._authorization_error(query)
        if problem:
            self._send(400, f"<p>{html.escape(problem)}</p>", "text/html; charset=utf-8")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        self._send(
            200,
            "<!doctype html><html lang=en><title>Test provider</title><h1>Test identity provider</h1>"
            f'<form method="post" action="/authorize">{hidden}'
            '<label>Subject <input name="login_sub"></label>'
            '<label>E-mail <input name="login_email"></label>'
            '<label><input type="checkbox" name="login_email_verified" value="1" checked> '
            "E-mail verified</label>"
            '<label><input type="checkbox" name="login_mfa" value="1"> Multi-factor</label>'
            "<button>Sign in at the provider</button></form>",
            "text/html; charset=utf-8",
        )

    def userinfo(self) -> None:
        auth = self.headers.get("Authorization", "")
        with lock:
            claims = state["access_tokens"].get(auth.removeprefix("Bearer "))
        if claims is None:
            self._json(401, {"error": "invalid_token"})
        else:
            self._json(200, claims)

    # --- POST -----------------------------------------------------------------------------------

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        if path == "/authorize":
            self.authorize_submit(self._form())
        elif path == "/token":
            self.token(self._form())
        elif path == "/control":
            length = int(self.headers.get("Content-Length") or 0)
            change = json.loads(self.rfile.read(length) or b"{}")
            with lock:
                if "client_id" in change:
                    state["clients"][change["client_id"]] = {
                        "secret": change["client_secret"],
                        "redirect_uris": list(change["redirect_uris"]),
                    }
                if "id_token" in change:
                    state["id_token"] = change["id_token"]
                if "now" in change:
                    state["offset"] = float(change["now"]) - time.time()
            self._json(200, {"ok": True})
        else:
            self._json(404, {"error": "not_found"})

    def authorize_submit(self, form: dict[str, str]) -> None:
        problem = self._authorization_error(form)
        if problem:
            self._send(400, f"<p>{html.escape(problem)}</p>", "text/html; charset=utf-8")
            return
        code = secrets.token_urlsafe(24)
        claims: dict[str, Any] = {
            "sub": form.get("login_sub", ""),
            "email": form.get("login_email", ""),
            "email_verified": form.get("login_email_verified") == "1",
            "amr": ["pwd", "otp", "mfa"] if form.get("login_mfa") == "1" else ["pwd"],
        }
        with lock:
            state["codes"][code] = {
                "client_id": form["client_id"],
                "redirect_uri": form["redirect_uri"],
                "challenge": form["code_challenge"],
                "nonce": form["nonce"],
                "claims": claims,
                "expires": time.monotonic() + 60,
            }
        self._redirect(
            f"{form['redirect_uri']}?{urlencode({'code': code, 'state': form['state']})}"
        )

    def _client_credentials(self, form: dict[str, str]) -> tuple[str, str]:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            from urllib.parse import unquote

            decoded = base64.b64decode(auth[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return unquote(client_id), unquote(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def token(self, form: dict[str, str]) -> None:
        client_id, secret = self._client_credentials(form)
        with lock:
            client = state["clients"].get(client_id)
            grant = state["codes"].pop(form.get("code", ""), None)
            mode = state["id_token"]
            offset = state["offset"]
        if client is None or not secrets.compare_digest(client["secret"], secret):
            self._json(401, {"error": "invalid_client"})
            return
        if form.get("grant_type") != "authorization_code":
            self._json(400, {"error": "unsupported_grant_type"})
            return
        if (
            grant is None
            or grant["client_id"] != client_id
            or grant["redirect_uri"] != form.get("redirect_uri")
            or grant["expires"] < time.monotonic()
        ):
            self._json(400, {"error": "invalid_grant"})
            return
        verifier = form.get("code_verifier", "")
        if not verifier or _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            self._json(400, {"error": "invalid_grant", "error_description": "PKCE verifier"})
            return
        now = int(time.time() + offset)
        claims = {
            **grant["claims"],
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
        }
        if mode == "wrong_iss":
            claims["iss"] = "http://127.0.0.1:1/another-provider"
        elif mode == "wrong_aud":
            # Issued to another client, naming this one as the authorized party: still not for it.
            claims["aud"] = "another-client"
            claims["azp"] = client_id
        elif mode == "expired":
            claims["iat"] = now - 3600
            claims["exp"] = now - 1800
        id_token = jwt.encode({"alg": "RS256", "kid": KEY.kid}, claims, KEY)
        access_token = secrets.token_urlsafe(24)
        with lock:
            state["access_tokens"][access_token] = grant["claims"]
            state["issued"].append(claims)
        self._json(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
                "scope": "openid email profile",
            },
        )


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
