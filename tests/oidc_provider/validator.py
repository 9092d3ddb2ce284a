"""django-oauth-toolkit's OAuth2Validator with the claims Kaikukanta reads (email, email_verified,
amr) and, on demand, an ID token with one claim wrong: still signed with the provider's key, so a
refusal is for the claim."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from . import control

ANOTHER_ISSUER = "http://127.0.0.1:1/another-provider"
ANOTHER_CLIENT = "another-client"


class TestValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        account = control.get("accounts").get(user.username, {})
        return {
            "sub": user.username,
            "email": user.email,
            "email_verified": bool(account.get("email_verified")),
            "amr": ["pwd", "otp", "mfa"] if account.get("mfa") else ["pwd"],
        }

    def get_oidc_issuer_endpoint(self, request: Any) -> str:
        if control.get("id_token") == "wrong_iss":
            return ANOTHER_ISSUER
        return super().get_oidc_issuer_endpoint(request)

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        mode, offset = control.get("id_token"), control.get("offset")
        now = int(time.time() + offset)
        claims["iat"] = now
        claims["exp"] = now + (claims["exp"] - int(time.time()))
        claims["auth_time"] = now
        if mode == "wrong_aud":
            # Issued to another client, naming this one as the authorized party: still not for it.
            claims["aud"] = ANOTHER_CLIENT
            claims["azp"] = request.client_id
        elif mode == "expired":
            claims["iat"] = now - 3600
            claims["exp"] = now - 1800
        return claims, expiration_time

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> str:
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        payload = signed.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        with control.lock:
            control.state["issued"].append(claims)
        return signed
