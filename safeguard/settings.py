"""Settings for Safeguard, read from the environment (see .env.example)."""

import re
import sys
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A real key is required unless DEBUG is on; a dev key is only ever used locally.
# SECRET_KEY_FILE (a systemd credential or container secret) keeps the key out of the
# environment, where child processes and crash reports could see it.
_secret_key_file = env.str("SECRET_KEY_FILE", default="")
SECRET_KEY = (
    env.str("SECRET_KEY", default="")
    or (Path(_secret_key_file).read_text().strip() if _secret_key_file else "")
    or ("dev-only-insecure-key-do-not-deploy" if DEBUG else None)
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
# Keys used before SECRET_KEY was changed: sessions, links and second-factor secrets made
# with them still work until they are dropped from this list.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
# Used to build absolute links in e-mails, which are sent outside any request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "simple_history",
    "django_tasks_db",
    # Sign-in: passwords, second factors (TOTP, recovery codes), optional school SSO.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "accounts",
    "schools",
    "concerns",
    "referrals",
    "oversight",
    "audit",
    "casework",
    "transfers",
    "retention",
    "subject_access",
    "demo",
]

# `make bench` only: a Server-Timing header with each response's server time and query
# count (safeguard.timing), and a floor page (bench/views.py). Never in production.
BENCH = env.bool("BENCH", default=False)

MIDDLEWARE = [
    *(["safeguard.timing.ServerTimingMiddleware"] if BENCH else []),
    # Pauses Python's garbage collector for the request, and collects after the response.
    "safeguard.collector.CollectorOutsideRequestsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files itself, before any session or database work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session middleware, so that its keep-alive is saved on the way out.
    "safeguard.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safeguard.drafts.DraftKeepingLoginRequiredMiddleware",
    # Catches "sign in again" (re-authentication) and sends the user to confirm who they are.
    "allauth.account.middleware.AccountMiddleware",
    # Roles that must use a second factor are sent to set one up before anything else.
    "accounts.middleware.SecondFactorRequiredMiddleware",
    # A second-factor secret no key can read is a page saying what to do, not an error.
    "accounts.middleware.SecondFactorUnreadableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
WSGI_APPLICATION = "safeguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schools.context_processors.membership",
            ],
        },
    },
]
# GOV.UK Design System markup for every form field and error (templates/django/forms/).
FORM_RENDERER = "safeguard.forms.GovukFormRenderer"

# The app connects (DATABASE_URL) as a role that owns nothing: it may read and add rows,
# change live ones, and never rewrite history (README, "Database roles"). The commands
# that change the schema or write made-up history connect as the tables' owner,
# DATABASE_OWNER_URL, when it is set; `migrate` then grants the runtime role its rights
# (safeguard.db.grant_runtime_role).
OWNER_COMMANDS = {"migrate", "load_demo", "generate_trust"}
DATABASE_OWNER = env.db("DATABASE_OWNER_URL") if env.str("DATABASE_OWNER_URL", "") else None
DATABASE_RUNTIME_ROLE = env.db("DATABASE_URL")["USER"] if DATABASE_OWNER else ""
_as_owner = DATABASE_OWNER is not None and sys.argv[1:2] and sys.argv[1] in OWNER_COMMANDS
DATABASES = {"default": {**DATABASE_OWNER} if _as_owner else env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: people sign in with the email address their school invited; nobody signs
# themselves up (accounts.adapter closes sign-up, for passwords and SSO alike).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# The school administrator vouches for the address; the invitation link proves it.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# A password reset for an address with no account sends nothing (allauth would e-mail a
# sign-up link, and there is no sign-up): every address gets the same page.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = False
# Exporting a PDF, changing a role or importing pupils asks for the password (or a code)
# again when the last check is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_SECONDS", default=5 * 60)
# Failed sign-ins (accounts.ratelimits): an account is paused at one network address after
# 5 failures there in 5 minutes or 20 in a day, so that someone who knows a DSL's e-mail
# address can only lock them out where that someone is; the account is paused everywhere
# only after 100 failures in a day, from five addresses or more, which still stops a
# password being guessed; and one address gets 20 failures a minute across all accounts. A
# school administrator can lift a pause (People). Second-factor codes get the same limits
# per person. Key limits come before the address's limit so that attempts already refused
# for one account do not use up the address's allowance for everyone else there.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key,20/d/key,20/m/ip",
    "login_failed_account": "100/d/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Safeguard] "
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# A code entered twice is told apart from a wrong one.
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
MFA_TOTP_ISSUER = "Safeguard"
# Accept the code before and after the current one too: phones' clocks drift, and a code
# typed as it changes would otherwise be refused.
MFA_TOTP_TOLERANCE = 1
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_RECOVERY_CODE_COUNT = 10
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# A school account signs in the person whose email address it verifies, if the school
# has invited them; a stranger's Microsoft or Google account gets nowhere.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS = {}
# Microsoft's multi-tenant endpoints accept any organisation's accounts, whose administrators
# can give an account any e-mail address: trusting those addresses would let a stranger sign
# in as a member of staff. Only the school's (or trust's) own tenant is accepted, whose
# directory the school controls; that is what makes its addresses safe to trust.
MULTI_TENANT = {"", "common", "organizations", "consumers"}
if env.str("MICROSOFT_CLIENT_ID", default=""):
    microsoft_tenant = env.str("MICROSOFT_TENANT", default="").strip()
    if microsoft_tenant.lower() in MULTI_TENANT:
        raise environ.ImproperlyConfigured(
            "Set MICROSOFT_TENANT to your own Entra ID tenant's ID or domain: with "
            f"{microsoft_tenant or 'none'!r}, another organisation's accounts could sign in."
        )
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": env.str("MICROSOFT_CLIENT_ID"),
                "secret": env.str("MICROSOFT_CLIENT_SECRET"),
                "settings": {"tenant": microsoft_tenant},
            }
        ],
        "EMAIL_AUTHENTICATION": True,
        # Safe only with the single tenant above: its addresses are the school's own.
        "VERIFIED_EMAIL": True,
    }
if env.str("GOOGLE_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [
            {"client_id": env.str("GOOGLE_CLIENT_ID"), "secret": env.str("GOOGLE_CLIENT_SECRET")}
        ],
        "SCOPE": ["profile", "email"],
        "EMAIL_AUTHENTICATION": True,
    }
# Behind the reverse proxy (README, "Deploying") every request reaches gunicorn from the
# proxy's own address. TRUSTED_PROXY_COUNT is how many proxies of ours write the client's
# address into X-Forwarded-For (1 for the README's nginx or Caddy); alternatively
# TRUSTED_CLIENT_IP_HEADER names a header the proxy always sets to it (e.g. X-Real-IP). The
# sign-in limits and the access log both take the address from safeguard.http.client_ip.
try:
    ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
except ValueError:
    ALLAUTH_TRUSTED_PROXY_COUNT = -1
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise environ.ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be a whole number, 0 or more: the proxies in front of "
        "Safeguard that write the client's address into X-Forwarded-For (1 behind one nginx)."
    )
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="").strip() or None
if ALLAUTH_TRUSTED_CLIENT_IP_HEADER is not None:
    if not re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*", ALLAUTH_TRUSTED_CLIENT_IP_HEADER):
        raise environ.ImproperlyConfigured(
            "TRUSTED_CLIENT_IP_HEADER must be a header name as the proxy sends it, e.g. "
            f"X-Real-IP (not {ALLAUTH_TRUSTED_CLIENT_IP_HEADER!r})."
        )
    if ALLAUTH_TRUSTED_PROXY_COUNT:
        raise environ.ImproperlyConfigured(
            "Set TRUSTED_PROXY_COUNT or TRUSTED_CLIENT_IP_HEADER, not both: each says where "
            "the client's address is."
        )

# Argon2 for new and changed passwords; the others only verify older hashes, which Django
# re-hashes with Argon2 at the user's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# The private folder where earlier versions kept evidence attachments, read only by the
# migration that moves them into the database (concerns 0014). Nothing is written here:
# attachments and protected PDF exports waiting for download live in the database.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # Hashed names (cached for ever by browsers) and pre-compressed copies.
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
}
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# EMAIL_URL (django-environ's form, e.g. smtp+tls://user:password@host:587) becomes Django
# 6.1's MAILERS setting.
_email = env.email("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in _smtp_options.items() if v not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="safeguard@localhost")

# Notifications are queued with Django's tasks framework on a queue kept in the database
# (django-tasks-db), so a notification survives the mail server being down or the worker
# being restarted. A worker process runs them: `manage.py run_worker` (README, "Deploying").
TASKS = {
    "default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}
}

# Rate limits on sign-in must hold across every gunicorn worker, so they are counted in
# the database rather than in each process's memory (`manage.py createcachetable`). The
# database cache throws away a third of its entries, live ones too, once it holds more
# than MAX_ENTRIES (300 unless told): a burst of failed sign-ins under made-up addresses
# would then wipe other accounts' counts, and a lifted pause's record (accounts.ratelimits).
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://safeguard_cache?MAX_ENTRIES=100000")}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF token from the cookie; forms carry it in a hidden field.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Signed out after SESSION_IDLE_MINUTES without a request (safeguard.middleware keeps an
# active session alive), and when the browser closes: these pages are about children,
# often read on shared machines.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
if SESSION_IDLE_MINUTES < 1:
    raise environ.ImproperlyConfigured("SESSION_IDLE_MINUTES must be 1 or more.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS only, by default, once DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Behind a TLS proxy, the header (and value) by which the proxy says the request came over
# HTTPS, e.g. HTTP_X_FORWARDED_PROTO,https. Only set it if the proxy always sets or strips
# that header: a client could otherwise claim HTTPS.
SECURE_PROXY_SSL_HEADER = env.tuple("SECURE_PROXY_SSL_HEADER", default=None)
if SECURE_PROXY_SSL_HEADER is not None and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise environ.ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER must be a header and a value, e.g. HTTP_X_FORWARDED_PROTO,https"
    )

# A school-account sign-in form posts here and is then redirected to the provider, which
# the browser checks against form-action too.
_SSO_HOSTS = {
    "microsoft": "https://login.microsoftonline.com",
    "google": "https://accounts.google.com",
}
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF, *(_SSO_HOSTS[p] for p in SOCIALACCOUNT_PROVIDERS)],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Governors' oversight figures: a count below this (but above 0) is shown as "fewer than N",
# and a median or share worked out from fewer items is not shown, so that no child can be
# recognised from a figure. The DSL team sees exact figures.
SMALL_NUMBER_THRESHOLD = env.int("SMALL_NUMBER_THRESHOLD", default=5)
if SMALL_NUMBER_THRESHOLD < 1:
    raise environ.ImproperlyConfigured("SMALL_NUMBER_THRESHOLD must be 1 or more.")

# A child protection file is kept until the child's 25th birthday and then reviewed (the IRMS
# toolkit for schools): the review date is the date of birth plus this many years.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=25)
if RETENTION_YEARS < 1:
    raise environ.ImproperlyConfigured("RETENTION_YEARS must be 1 or more.")

# Model fields fetched lazily load for every peer in the same queryset, so a loop over a list
# costs one extra query rather than one per row. Tests set FETCH_RAISE to catch any lazy load.
FETCH_MODE = env.str("FETCH_MODE", default="FETCH_PEERS")

# Reasons for changes are free text written by the user, so they need more than 100 chars.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Deleting a tracked row must fail (the database refuses), never quietly write a "-" row.
SIMPLE_HISTORY_REVERT_DISABLED = True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # Django's own messages once, through the same handler (its default config would add a
    # second console handler when DEBUG is on, and send errors nowhere when it is off).
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
