"""Kaikukanta settings: the one settings file.

Every value a deployment may change comes from an environment variable with a safe default, so that a
fresh checkout runs on SQLite with no configuration at all. docs/configuration.md lists the variables.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KAIKUKANTA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# pytest sets PYTEST_VERSION for the whole run; tests get a throwaway key and plain-HTTP cookies.
TESTING = "PYTEST_VERSION" in os.environ
DEBUG = env_bool("KAIKUKANTA_DEBUG", False)

SECRET_KEY = os.environ.get("KAIKUKANTA_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "KAIKUKANTA_SECRET_KEY is not set. Set it to a long random string "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set KAIKUKANTA_DEBUG=1 for local development."
        )
elif not (DEBUG or TESTING) and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's deployment check (security.W009) only warns about these; a guessable key forges sessions.
    raise ImproperlyConfigured(
        f"KAIKUKANTA_SECRET_KEY is too weak: it has {len(SECRET_KEY)} characters, "
        f"{len(set(SECRET_KEY))} of them different. Use at least 50 characters with at least 5 "
        "different ones, for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("KAIKUKANTA_ALLOWED_HOSTS", LOCAL_HOSTS if DEBUG or TESTING else [])
if DEBUG and any(host.lower() not in LOCAL_HOSTS for host in ALLOWED_HOSTS):
    # Debug pages show settings, tracebacks with local variables and SQL: never to another machine.
    raise ImproperlyConfigured(
        "KAIKUKANTA_DEBUG=1 is for local development only, but KAIKUKANTA_ALLOWED_HOSTS names "
        f"{', '.join(h for h in ALLOWED_HOSTS if h.lower() not in LOCAL_HOSTS)}. "
        "Unset KAIKUKANTA_DEBUG on a server, or allow only localhost, 127.0.0.1 and [::1] in debug."
    )
CSRF_TRUSTED_ORIGINS = env_list("KAIKUKANTA_CSRF_TRUSTED_ORIGINS", [])

# Behind a TLS-terminating proxy (the production set-up): secure cookies, HSTS, and trust the proxy's
# X-Forwarded-Proto header. Off in development and tests, which run over plain HTTP.
HTTPS = env_bool("KAIKUKANTA_HTTPS", not (DEBUG or TESTING))
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("KAIKUKANTA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("KAIKUKANTA_HSTS_SECONDS", 60 * 60 * 24 * 365)
    # Kaikukanta often runs on a subdomain of a municipality's domain, whose other subdomains it must
    # not force onto HTTPS: including subdomains and preloading are the deployer's decision.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KAIKUKANTA_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("KAIKUKANTA_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [
        check
        for check, enabled in [
            ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
            ("security.W021", SECURE_HSTS_PRELOAD),
        ]
        if not enabled
    ]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("KAIKUKANTA_SESSION_SECONDS", 8 * 60 * 60)  # one working day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): scripts, styles, fonts and fetches only from this site, no
# inline script or style, no plugins, and no page of ours inside another site's frame.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

INSTALLED_APPS = [
    "kaikukanta.core",
    "kaikukanta.accounts",
    "kaikukanta.network",
    "kaikukanta.audit",
    "kaikukanta.cards",
    "kaikukanta.events",
    "kaikukanta.uses",
    "kaikukanta.stats",
    "kaikukanta.guidelines",
    "kaikukanta.demo",
    "kaikukanta.web",
    "kaikukanta.public",
    "kaikukanta.feedback",
    "kaikukanta.api",
    "kaikukanta.migration_import",
    # Two-factor authentication (django-otp): TOTP authenticator apps, and recovery codes as its
    # static tokens. Before the admin, so that accounts/admin.py can take their admin pages away.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kaikukanta.accounts.apps.KaikukantaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "csp",  # its system checks flag settings in the django-csp 3 format, which 4.0 ignores
]
# Bulk synthetic data for benchmarks (manage.py generate_synthetic): a development tool, not installed
# on a server unless asked for (KAIKUKANTA_SYNTHETIC_DATA=1 on a benchmark machine).
if DEBUG or TESTING or env_bool("KAIKUKANTA_SYNTHETIC_DATA", False):
    INSTALLED_APPS.append("kaikukanta.synthetic")

MIDDLEWARE = [
    # /healthz and /readyz (core/health.py): first, outside HTTPS redirects, sessions and locales.
    "kaikukanta.core.health.HealthMiddleware",
    # One log line per request with its id, user id, status and duration (core/requestlog.py).
    "kaikukanta.core.requestlog.RequestLog",
    # /metrics, and each request's latency and database time (core/metrics.py).
    "kaikukanta.core.metrics.Metrics",
    "django.middleware.security.SecurityMiddleware",
    "kaikukanta.core.middleware.PermissionsPolicy",
    # Early, so that its header is on every response, errors and redirects too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second step (django-otp), and
    # ours, which keeps national admins and coordinators on that step until it is passed.
    "django_otp.middleware.OTPMiddleware",
    "kaikukanta.accounts.middleware.TwoFactorRequired",
    "kaikukanta.core.middleware.NeverCacheForSignedInUsers",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kaikukanta.urls"
WSGI_APPLICATION = "kaikukanta.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaikukanta.web.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL says otherwise (postgres://user@host:5432/name).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A new connection's first query checks that the connection still works, if it was kept
        # from an earlier request (CONN_MAX_AGE): a restarted database or pooler costs no request.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Behind a pooler in transaction mode (PgBouncer's pool_mode=transaction, docs/operations.md)
        # set KAIKUKANTA_DB_TRANSACTION_POOLER=1: no server-side cursors (.iterator() would lose its
        # cursor between transactions).
        pooled = env_bool("KAIKUKANTA_DB_TRANSACTION_POOLER", False)
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = pooled
        # KAIKUKANTA_DB_PREPARED_STATEMENTS=1: Django's documented PostgreSQL options for prepared
        # statements. Parameters are bound on the server (`server_side_binding`), and psycopg
        # prepares a statement run `prepare_threshold` times on a connection, so that PostgreSQL
        # parses and plans it once per connection. Off by default (Django's default: parameters
        # bound on the client, nothing prepared), which works behind every pooler; behind
        # PgBouncer in transaction mode, only with PgBouncer 1.21 or newer and its
        # max_prepared_statements set. The measured difference: docs/performance/.
        # Added to what DATABASE_URL's own options say (?sslmode=verify-full), which win.
        if env_bool("KAIKUKANTA_DB_PREPARED_STATEMENTS", False):
            options = DATABASES["default"].setdefault("OPTIONS", {})
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", 5)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "kaikukanta.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two requests that check a quota
        # and then write are serialised instead of failing with "database is locked" half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file, not shared memory, so that the concurrency tests' threads lock the way production does.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# Rate-limit counters (core/ratelimit.py) are shared by every worker and server: in Redis when
# REDIS_URL is set (redis://host:6379/0), otherwise in a table of the database. Redis is then also
# the cache; without it the cache is each process's own memory, which nothing shared relies on.
REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis that stops answering (rather than refusing connections) fails a request in a few seconds
# instead of hanging it: the API token look-up then reads the database (accounts/token_cache.py).
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_TIMEOUTS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (django-axes): after five failed attempts for the same user name, from one address
# or spread over many (a password-guessing botnet), that user name is locked for 15 minutes; a
# success resets the count. Other user names, from the same addresses too, can still log in. The
# price: anyone can lock a known user name out for 15 minutes.
AXES_FAILURE_LIMIT = env_int("KAIKUKANTA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KAIKUKANTA_LOGIN_LOCKOUT_MINUTES", 15))
# Each item is counted on its own: the pair (user name, address), and the user name from any address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/auth/locked_out.html"
AXES_VERBOSE = False
# No admin pages of django-axes' own: they would follow Django's model permissions, not the national
# administrator's role. A lock-out ends by itself after KAIKUKANTA_LOGIN_LOCKOUT_MINUTES.
AXES_ENABLE_ADMIN = False
# Behind a reverse proxy the client address is the proxy's; name the header the proxy sets.
AXES_CLIENT_IP_CALLABLE = "kaikukanta.accounts.throttling.client_ip"
KAIKUKANTA_CLIENT_IP_HEADER = os.environ.get("KAIKUKANTA_CLIENT_IP_HEADER", "")


# Single sign-on for staff with OpenID Connect (accounts/oidc.py, docs/single-sign-on.md): none unless
# KAIKUKANTA_OIDC_PROVIDERS names them, comma-separated short names (letters, digits, _), each with
# KAIKUKANTA_OIDC_<NAME>_CLIENT_ID, _CLIENT_SECRET, _DISCOVERY_URL (the provider's
# .well-known/openid-configuration), _LABEL (the button on the login page); optionally _MFA_ACR (an
# `acr` value that counts as multi-factor besides `amr` containing "mfa"), _ORGANISATIONS (ids of the
# organisations whose staff the provider signs in, comma-separated: only their staff are linked by a
# verified e-mail address; everyone else, coordinators and national administrators always, by an
# invitation) and _PASSWORD_LOGIN_OFF (true: those organisations' staff no longer log in with a
# password).
def _oidc_providers() -> dict[str, dict[str, object]]:
    providers: dict[str, dict[str, object]] = {}
    for name in env_list("KAIKUKANTA_OIDC_PROVIDERS", []):
        # ASCII only: the name is part of the provider's addresses (/login/sso/<name>/).
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise ImproperlyConfigured(f"KAIKUKANTA_OIDC_PROVIDERS: {name!r} is not a short name")
        prefix = f"KAIKUKANTA_OIDC_{name.upper()}_"
        config: dict[str, object] = {}
        for key in ("CLIENT_ID", "CLIENT_SECRET", "DISCOVERY_URL", "LABEL"):
            config[key] = os.environ.get(prefix + key, "")
            if not config[key]:
                raise ImproperlyConfigured(f"{prefix}{key} is not set (KAIKUKANTA_OIDC_PROVIDERS)")
        config["MFA_ACR"] = os.environ.get(prefix + "MFA_ACR", "")
        try:
            config["ORGANISATIONS"] = [int(i) for i in env_list(prefix + "ORGANISATIONS", [])]
        except ValueError:
            raise ImproperlyConfigured(
                f"{prefix}ORGANISATIONS: organisation ids, e.g. 3,14"
            ) from None
        config["PASSWORD_LOGIN_OFF"] = env_bool(prefix + "PASSWORD_LOGIN_OFF", False)
        if config["PASSWORD_LOGIN_OFF"] and not config["ORGANISATIONS"]:
            raise ImproperlyConfigured(
                f"{prefix}PASSWORD_LOGIN_OFF needs {prefix}ORGANISATIONS: whose password login is off"
            )
        providers[name.lower()] = config
    return providers


KAIKUKANTA_OIDC_PROVIDERS = _oidc_providers()

# Two-factor authentication, required of national administrators and coordinators (whoever holds
# such a role): a code from an authenticator app (TOTP) after the password, or one of ten recovery
# codes, each usable once. The issuer is the name the authenticator app shows beside the account.
# After KAIKUKANTA_OTP_FAILURE_LIMIT wrong codes in a row from one address the second step is locked
# for that address for KAIKUKANTA_OTP_LOCKOUT_MINUTES, twice as long after each further wrong code (at
# most KAIKUKANTA_OTP_LOCKOUT_MAX_MINUTES); a day without wrong codes starts afresh. Other addresses
# (the owner elsewhere) are not locked; an address gets at most KAIKUKANTA_OTP_HOURLY_LIMIT wrong
# codes an hour for one person (per address, so that others' addresses cannot lock the owner out).
KAIKUKANTA_OTP_ISSUER = os.environ.get("KAIKUKANTA_OTP_ISSUER", "Kaikukanta")
KAIKUKANTA_OTP_FAILURE_LIMIT = env_int("KAIKUKANTA_OTP_FAILURE_LIMIT", 5)
KAIKUKANTA_OTP_LOCKOUT_MINUTES = env_int("KAIKUKANTA_OTP_LOCKOUT_MINUTES", 15)
KAIKUKANTA_OTP_LOCKOUT_MAX_MINUTES = env_int("KAIKUKANTA_OTP_LOCKOUT_MAX_MINUTES", 24 * 60)
KAIKUKANTA_OTP_HOURLY_LIMIT = env_int("KAIKUKANTA_OTP_HOURLY_LIMIT", 30)
# Over every address: a person's wrong codes in a day (UTC) before the second step waits everywhere
# until the day ends (or the person sets a new password by e-mail). Guessing from
# thousands of addresses would otherwise get a few tries from each.
KAIKUKANTA_OTP_PERSON_DAILY_LIMIT = env_int("KAIKUKANTA_OTP_PERSON_DAILY_LIMIT", 100)
KAIKUKANTA_OTP_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = KAIKUKANTA_OTP_ISSUER
# django-otp's own back-off (1, 2, 4 ... seconds) is replaced by the lock above, which says until
# when; with both, a right code typed a second after a wrong one would be refused without a reason.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kaikukanta" / "locale"]
LANGUAGE_COOKIE_NAME = "kaikukanta_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Helsinki"
# Dates are written the Finnish way (27.11.2026) in all three languages: kaikukanta/formats/.
FORMAT_MODULE_PATH = ["kaikukanta.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("KAIKUKANTA_STATIC_ROOT", VAR_DIR / "static"))
if DEBUG or TESTING:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# One handler, the console, and every line through it masks anything shaped like a card number
# (kaikukanta/core/logging.py). Django's own loggers are routed here too: its default handlers (a
# console in debug, mail to ADMINS, which is not set) and runserver's request log would write
# unmasked copies.
LOG_LEVEL = os.environ.get("KAIKUKANTA_LOG_LEVEL", "INFO")
# "json": one JSON object a line (journald, a log collector), with the request id, user id, venue id,
# status and duration (core/requestlog.py); "plain": one readable line. JSON outside development.
LOG_FORMAT = os.environ.get("KAIKUKANTA_LOG_FORMAT", "plain" if DEBUG or TESTING else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"KAIKUKANTA_LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_card_numbers": {"()": "kaikukanta.core.logging.MaskCardNumbers"},
        "request_context": {"()": "kaikukanta.core.requestlog.RequestContext"},
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "json": {
            "()": "kaikukanta.core.requestlog.JsonLines",
            "fmt": "{asctime}{levelname}{name}{message}{request_id}{user_id}{venue_id}",
            "style": "{",
            "rename_fields": {"asctime": "timestamp", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context", "mask_card_numbers"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # django.request ("Not Found: /cards/…" and "Forbidden" warnings, 500 tracebacks) with it.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # runserver's request lines.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes logs every successful login at INFO; failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# --- Kaikukortti rules that differ between sources, and so are settings --------------------------
# Clients covered by a community card (who have no card of their own) must be younger than this.
# The printed community card says 16, the operating-model slides say 18; the default follows the card.
KAIKUKANTA_COMMUNITY_CARD_CLIENT_AGE_LIMIT = env_int(
    "KAIKUKANTA_COMMUNITY_CARD_CLIENT_AGE_LIMIT", 16
)
# An invitation's link to set one's password works once, for this many days.
KAIKUKANTA_INVITATION_DAYS = env_int("KAIKUKANTA_INVITATION_DAYS", 7)
# A forgotten password reset by e-mail (web/views/password_reset.py): the link works for this many
# hours, once; at most so many requests an hour for one e-mail address and from one client address.
PASSWORD_RESET_TIMEOUT = env_int("KAIKUKANTA_PASSWORD_RESET_HOURS", 24) * 3600
KAIKUKANTA_PASSWORD_RESET_PER_ADDRESS = env_int("KAIKUKANTA_PASSWORD_RESET_PER_ADDRESS", 3)
KAIKUKANTA_PASSWORD_RESET_PER_IP = env_int("KAIKUKANTA_PASSWORD_RESET_PER_IP", 20)
# Statistics are perturbed by the cell key method (stats/suppression.py, docs/statistics-method.md):
# the perturbation table turns a count and its cell key into a small adjustment (the default never
# shows 1 or 2 and moves a count by at most 2). Holder data of a region or site below
# KAIKUKANTA_STATS_SMALL_COUNT is not shown at all.
KAIKUKANTA_STATS_SMALL_COUNT = env_int("KAIKUKANTA_STATS_SMALL_COUNT", 5)
KAIKUKANTA_STATS_PTABLE = {
    1: ((-1, 171), (+2, 85)),
    2: ((-2, 103), (+1, 102), (+2, 51)),
    3: ((0, 154), (+1, 51), (+2, 51)),
    4: ((-1, 64), (0, 102), (+1, 51), (+2, 39)),
    5: ((-2, 26), (-1, 51), (0, 102), (+1, 51), (+2, 26)),
}
# Issues, renewals, closings and uses may be dated this many days back (paper forms typed in later),
# never in the future.
KAIKUKANTA_BACKDATING_DAYS = env_int("KAIKUKANTA_BACKDATING_DAYS", 30)
# A use recorded by mistake can be cancelled by its venue for this many minutes after recording it.
KAIKUKANTA_USE_CANCEL_MINUTES = env_int("KAIKUKANTA_USE_CANCEL_MINUTES", 15)
# The box office's offline list of card states (uses.services.card_states_at): the cards used at
# the venue within this many days, at most KAIKUKANTA_CARD_STATES_MAX of them (the latest used).
KAIKUKANTA_CARD_STATES_DAYS = env_int("KAIKUKANTA_CARD_STATES_DAYS", 60)
KAIKUKANTA_CARD_STATES_MAX = env_int("KAIKUKANTA_CARD_STATES_MAX", 5000)

# An API token works for this many days after it was made (accounts/tokens.py ApiToken.expires_at).
KAIKUKANTA_API_TOKEN_DAYS = env_int("KAIKUKANTA_API_TOKEN_DAYS", 365)
# How long a token's look-up (its account, its venues) is kept in the cache (accounts/token_cache.py);
# every change that could alter it invalidates it at once. Only a cache shared by every worker and
# server can be told: on by default with Redis (REDIS_URL), off (0) with each process's own memory.
KAIKUKANTA_TOKEN_CACHE_SECONDS = env_int("KAIKUKANTA_TOKEN_CACHE_SECONDS", 300 if REDIS_URL else 0)

# --- Card look-up throttling (cards/lookups.py) -----------------------------------------------------
# Look-ups by number per user (per API token) a minute, counted before looking: a box office
# scanning one card every few seconds stays far below. Nothing else ever refuses a number with a
# valid check character that matches a card.
KAIKUKANTA_LOOKUPS_PER_MINUTE = env_int("KAIKUKANTA_LOOKUPS_PER_MINUTE", 60)
# Unknown numbers with a valid check character, per user and per venue within
# KAIKUKANTA_FAILED_LOOKUP_MINUTES: a flag for the region's coordinators, no refusal.
KAIKUKANTA_FAILED_LOOKUPS = env_int("KAIKUKANTA_FAILED_LOOKUPS", 10)
KAIKUKANTA_VENUE_FAILED_LOOKUPS = env_int("KAIKUKANTA_VENUE_FAILED_LOOKUPS", 20)
KAIKUKANTA_FAILED_LOOKUP_MINUTES = env_int("KAIKUKANTA_FAILED_LOOKUP_MINUTES", 10)
# Unknown numbers in the earlier registry's format (imported cards: no check character, maybe
# short), per user and per venue within KAIKUKANTA_LEGACY_LOOKUP_HOURS; then every look-up of such
# a number by that user or at that venue is refused until the window ends or a coordinator lifts
# the lock, and a flag is raised.
KAIKUKANTA_LEGACY_FAILED_LOOKUPS = env_int("KAIKUKANTA_LEGACY_FAILED_LOOKUPS", 10)
KAIKUKANTA_VENUE_LEGACY_FAILED_LOOKUPS = env_int("KAIKUKANTA_VENUE_LEGACY_FAILED_LOOKUPS", 20)
KAIKUKANTA_LEGACY_LOOKUP_HOURS = env_int("KAIKUKANTA_LEGACY_LOOKUP_HOURS", 24)
# The key of the keyed hash (HMAC-SHA256) that the audit trail keeps of a number that matched no
# card (cards/services.py typed_number_for_audit). Rotate it by setting a new random value: hashes
# made with the old key can then no longer be compared with anything. Empty: derived from SECRET_KEY.
KAIKUKANTA_AUDIT_NUMBER_KEY = os.environ.get("KAIKUKANTA_AUDIT_NUMBER_KEY", "")

# E-mail (the expiry reminders, cards/management/commands/send_expiry_reminders.py, and staff
# invitations): printed to the console in development and in the demo; SMTP when deployed.
EMAIL_BACKEND = os.environ.get(
    "KAIKUKANTA_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("KAIKUKANTA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KAIKUKANTA_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("KAIKUKANTA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KAIKUKANTA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KAIKUKANTA_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("KAIKUKANTA_FROM_EMAIL", "kaikukanta@localhost")
# The registry's own address, for links in e-mails sent outside a request.
KAIKUKANTA_SITE_URL = os.environ.get("KAIKUKANTA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Retention (stats/retention.py, manage.py purge): the periods the privacy notice states -----------
# Holder data of cards closed or expired this many years ago; audit events; django-axes' login records;
# revoked mobile-card links; request keys (cancelled uses', registration forms').
# Request keys outlive the backdating limit (KAIKUKANTA_BACKDATING_DAYS), within which a queued
# request may still be retried.
KAIKUKANTA_RETAIN_HOLDER_DATA_YEARS = env_int("KAIKUKANTA_RETAIN_HOLDER_DATA_YEARS", 2)
KAIKUKANTA_RETAIN_AUDIT_YEARS = env_int("KAIKUKANTA_RETAIN_AUDIT_YEARS", 5)
KAIKUKANTA_RETAIN_LOGIN_DAYS = env_int("KAIKUKANTA_RETAIN_LOGIN_DAYS", 90)
KAIKUKANTA_RETAIN_HAND_OVER_DAYS = env_int("KAIKUKANTA_RETAIN_HAND_OVER_DAYS", 30)
KAIKUKANTA_RETAIN_REQUEST_KEY_DAYS = env_int("KAIKUKANTA_RETAIN_REQUEST_KEY_DAYS", 60)

# --- Monitoring (core/metrics.py): /metrics only to these connecting addresses, or with this token.
KAIKUKANTA_METRICS_IPS = env_list("KAIKUKANTA_METRICS_IPS", ["127.0.0.1", "::1"])
KAIKUKANTA_METRICS_TOKEN = os.environ.get("KAIKUKANTA_METRICS_TOKEN", "")
# Error reports to Sentry or GlitchTip (core/sentry.py), scrubbed of card numbers and form data.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")

# --- The cardholder's pages (public/) ---------------------------------------------------------------
# Requests to mobile-card links (/m/...) per client address in ten minutes, working links or not; the
# card's own page, its visits and feedback count alike. Feedback messages per client address a day.
KAIKUKANTA_MOBILE_CARD_REQUESTS = env_int("KAIKUKANTA_MOBILE_CARD_REQUESTS", 60)
KAIKUKANTA_FEEDBACK_PER_DAY = env_int("KAIKUKANTA_FEEDBACK_PER_DAY", 5)
