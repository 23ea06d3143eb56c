"""Production settings: Django's deployment checks, security headers, passwords, sessions.

The production values come from running safeguard/settings.py with a production
environment (DEBUG off, nothing else set but what a deployment must set), so these tests
pin the defaults an operator gets, not values the tests chose.
"""

import http.client
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import environ
import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.urls import reverse

from schools.models import User
from tests.factories import PASSWORD, record_concern
from tests.test_views_concerns import signed_in

ROOT = Path(__file__).resolve().parent.parent

# What an operator must set; everything else is left to the settings' defaults.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "safeguard.example.org",
    "EMAIL_URL": "smtp+tls://safeguard:secret@smtp.example.org:587",
}
# Variables whose defaults are under test, removed from whatever environment runs the tests
# (with DJANGO_ALLOW_ASYNC_UNSAFE, which `make test` sets for Playwright).
OVERRIDABLE = re.compile(
    r"^(DEBUG|SECURE_|SESSION_|SECRET_KEY|TRUSTED_|FORWARDED_ALLOW_IPS|DJANGO_ALLOW_ASYNC_UNSAFE)"
)

# Settings that shape responses, copied from the production run onto the test's settings.
# (Not STORAGES, whose manifest needs collectstatic, nor the database.)
RESPONSE_SETTINGS = re.compile(r"^(SECURE_|SESSION_|CSRF_|X_FRAME_OPTIONS$|MIDDLEWARE$)")


def production_environ() -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not OVERRIDABLE.match(k)}
    return {**environ, **PRODUCTION_ENV}


@pytest.fixture
def production(monkeypatch) -> dict:
    """The settings module's values under the production environment."""
    # django-environ keeps its own reference to os.environ.
    monkeypatch.setattr(environ.Env, "ENVIRON", production_environ())
    return runpy.run_path(str(ROOT / "safeguard" / "settings.py"))


@pytest.fixture
def production_responses(settings, production):
    for name, value in production.items():
        if RESPONSE_SETTINGS.match(name):
            setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["testserver"]
    return settings


def test_the_deployment_checks_find_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environ(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_is_https_only_with_short_idle_sessions(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["CSRF_COOKIE_HTTPONLY"]
    # A proxy header is trusted only when the operator names one.
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert production["SESSION_COOKIE_AGE"] == 30 * 60
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_passwords_are_hashed_with_argon2_and_older_hashes_still_verify(settings, production, db):
    assert production["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production["PASSWORD_HASHERS"]

    user = User.objects.create_user(email="new@oakfield.example", password=PASSWORD)

    assert user.password.startswith("argon2")
    assert check_password(PASSWORD, make_password(PASSWORD, hasher="pbkdf2_sha256"))


def test_sign_in_page_over_https_carries_every_security_header(production_responses, client, db):
    response = client.get(reverse("account_login"), secure=True)

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_plain_http_is_sent_to_https(production_responses, client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_signing_in_starts_an_idle_limited_session_ending_with_the_browser(
    production_responses, client, staff
):
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD}, secure=True)

    assert client.session.get_expiry_age() == 30 * 60
    assert client.session.get_expire_at_browser_close()


def assert_strict_html(response):
    """Nothing on the page needs the CSP relaxed: no inline styles, and every script is a
    file or carries this response's nonce."""
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.content.decode()
    assert not re.search(r"<[^>]+\sstyle\s*=", html), response.request["PATH_INFO"]
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag


def test_the_dsls_pages_need_no_inline_style_or_unsigned_script(
    production_responses, dsl, school, staff, pupils
):
    concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    client = signed_in(dsl)

    # The DSL's home is the triage queue.
    assert client.get(reverse("home"), secure=True).url == reverse("concerns:queue")
    pages = [
        client.get(path, secure=True)
        for path in (
            reverse("concerns:queue"),
            reverse("concerns:detail", args=[concern.uuid]),
            reverse("concerns:history", args=[concern.uuid]),
            reverse("concerns:chronology", args=[pupils[0].uuid]),
            reverse("oversight:dashboard"),
        )
    ]

    for page in pages:
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert_strict_html(page)


@pytest.mark.parametrize("tenant", [None, "", "common", "organizations", "Consumers"])
def test_microsoft_sign_in_refuses_to_start_without_the_schools_own_tenant(monkeypatch, tenant):
    sso = {"MICROSOFT_CLIENT_ID": "id", "MICROSOFT_CLIENT_SECRET": "secret"}
    if tenant is not None:
        sso["MICROSOFT_TENANT"] = tenant
    monkeypatch.setattr(environ.Env, "ENVIRON", {**production_environ(), **sso})

    with pytest.raises(environ.ImproperlyConfigured, match="another organisation's accounts"):
        runpy.run_path(str(ROOT / "safeguard" / "settings.py"))


def test_microsoft_sign_in_accepts_only_the_schools_tenant(monkeypatch):
    sso = {
        "MICROSOFT_CLIENT_ID": "id",
        "MICROSOFT_CLIENT_SECRET": "secret",
        "MICROSOFT_TENANT": "oakfield.example.org",
    }
    monkeypatch.setattr(environ.Env, "ENVIRON", {**production_environ(), **sso})

    settings = runpy.run_path(str(ROOT / "safeguard" / "settings.py"))

    (app,) = settings["SOCIALACCOUNT_PROVIDERS"]["microsoft"]["APPS"]
    assert app["settings"] == {"tenant": "oakfield.example.org"}


# --- make run ------------------------------------------------------------------------------


def make_run(**variables: str) -> list[str]:
    """What `make run` would do, with the database wrapper and Python replaced by stand-ins
    that print each command with the SITE_URL it runs with (and install not attempted)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    stand_ins = {
        "PYTHON": """sh -c 'echo "$$SITE_URL $$*"' python""",
        "WITH_DB": """sh -c 'shift 3; exec "$$@"' embedded_pg""",
    }
    result = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run"]
        + [f"{name}={value}" for name, value in {**stand_ins, **variables}.items()],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("SITE_URL", "MAKEFLAGS")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_make_run_serves_where_the_links_in_its_emails_point():
    *_, announced, _, served = make_run()

    assert announced.startswith("Safeguard is at http://127.0.0.1:8000/")
    assert served == "http://127.0.0.1:8000 -m safeguard.run_dev 127.0.0.1:8000"


def test_make_run_moves_both_with_site_url():
    steps = make_run(SITE_URL="http://localhost:8123/")

    assert "http://localhost:8123/ manage.py load_demo" in steps
    assert steps[-1] == "http://localhost:8123/ -m safeguard.run_dev localhost:8123"


# safeguard.run_dev, run by `make run`: the web server and the task worker, stopped together.
# Here manage.py is a stand-in that notes how it was started and how it was stopped.
STAND_IN_MANAGE = """
import signal, sys, time
from pathlib import Path

name = sys.argv[1]
def stop(signum, frame):
    Path(name + ".stopped").write_text(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
Path(name + ".args").write_text(" ".join(sys.argv[1:]))
if name == "runserver" and Path("crash").exists():
    while not Path("run_worker.args").exists():
        time.sleep(0.05)
    sys.exit(3)
time.sleep(60)
"""


def start_run_dev(folder: Path) -> subprocess.Popen:
    (folder / "manage.py").write_text(STAND_IN_MANAGE)
    return subprocess.Popen(
        [sys.executable, "-m", "safeguard.run_dev", "127.0.0.1:8123"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path):
    deadline = time.monotonic() + 20
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_make_run_starts_the_server_and_a_worker_and_a_signal_stops_both(tmp_path):
    run_dev = start_run_dev(tmp_path)
    wait_for(tmp_path / "runserver.args")
    wait_for(tmp_path / "run_worker.args")

    run_dev.send_signal(signal.SIGTERM)

    assert run_dev.wait(timeout=30) == -signal.SIGTERM  # As the signal meant, for the wrapper.
    assert (tmp_path / "runserver.args").read_text() == "runserver 127.0.0.1:8123"
    assert (tmp_path / "run_worker.args").read_text() == "run_worker --no-reload"
    assert (tmp_path / "runserver.stopped").read_text() == "SIGTERM"
    assert (tmp_path / "run_worker.stopped").read_text() == "SIGTERM"


def test_if_the_server_stops_by_itself_the_worker_is_stopped_too(tmp_path):
    (tmp_path / "crash").touch()
    run_dev = start_run_dev(tmp_path)

    assert run_dev.wait(timeout=30) == 3
    assert (tmp_path / "run_worker.stopped").read_text() == "SIGTERM"
    assert "the web server stopped; stopping the rest" in run_dev.stderr.read()


# --- Behind the reverse proxy ------------------------------------------------------------------


def test_the_client_address_is_trusted_from_the_proxy_only_when_configured(monkeypatch, production):
    assert production["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0
    assert production["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] is None
    monkeypatch.setattr(
        environ.Env, "ENVIRON", {**production_environ(), "TRUSTED_PROXY_COUNT": "1"}
    )

    behind_proxy = runpy.run_path(str(ROOT / "safeguard" / "settings.py"))

    assert behind_proxy["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT must be a whole number"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be a whole number"),
        ({"TRUSTED_CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}, "must be a header name"),
        ({"TRUSTED_CLIENT_IP_HEADER": "X-Real-IP: 1"}, "must be a header name"),
        ({"TRUSTED_PROXY_COUNT": "1", "TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}, "not both"),
    ],
)
def test_a_wrong_client_address_setting_stops_the_site_starting(monkeypatch, variables, message):
    monkeypatch.setattr(environ.Env, "ENVIRON", {**production_environ(), **variables})

    with pytest.raises(environ.ImproperlyConfigured, match=message):
        runpy.run_path(str(ROOT / "safeguard" / "settings.py"))


def gunicorn_settings(monkeypatch, *arguments):
    """gunicorn's settings as the README starts it, read by gunicorn itself."""
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", ["gunicorn", "-c", "gunicorn.conf.py", *arguments])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def test_gunicorn_leaves_https_to_django_and_trusts_only_the_local_proxy(monkeypatch):
    # Even if the environment tries to widen it.
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")

    cfg = gunicorn_settings(monkeypatch)

    assert cfg.secure_scheme_headers == {}
    assert cfg.forwarder_headers == []
    assert cfg.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert (cfg.wsgi_app, cfg.bind) == ("safeguard.wsgi", ["127.0.0.1:8001"])


def test_the_readme_starts_gunicorn_with_its_config_file():
    readme = (ROOT / "README.md").read_text()

    starts = re.findall(r"^\.venv/bin/gunicorn .*$", readme, flags=re.MULTILINE)

    assert starts, "the README no longer says how gunicorn is started"
    assert all("-c gunicorn.conf.py" in line for line in starts), starts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_client_claiming_https_through_the_proxy_is_not_believed_by_gunicorn():
    """gunicorn, started with the config file, serving a page that says which scheme it was
    told; the request comes from 127.0.0.1, as the proxy's do, with X-Forwarded-Ssl: on
    passed through from a client."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "tests.scheme_echo:application",
        ],
        cwd=ROOT,
        env={**os.environ, "FORWARDED_ALLOW_IPS": "*"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/", headers={"X-Forwarded-Ssl": "on"})
                answer = connection.getresponse().read().decode()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no gunicorn"
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert answer == "http"
