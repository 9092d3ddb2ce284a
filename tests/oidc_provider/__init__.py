"""The OpenID Connect provider the single sign-on tests sign in at: django-oauth-toolkit (its OIDC
support) in a small Django project of its own, run as a process of its own on 127.0.0.1 by
tests/oidc_support.py (`python tests/oidc_provider/serve.py` prints its issuer URL). It never imports
Kaikukanta's settings."""
