"""What the benchmark and the load test share: the app under gunicorn, as in production but
with BENCH=true (Server-Timing headers and the floor page), and signed-in sessions made
directly in the database, so that no sign-in (or second factor) is timed."""

import contextlib
import dataclasses
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"

# Production settings, but plain HTTP on loopback, and the re-authentication window long
# enough that a PDF export is never sent to "confirm it is you" half-way through a run.
SERVER_ENV = {
    "BENCH": "true",
    "DEBUG": "false",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "60",
    "REAUTHENTICATION_SECONDS": "86400",
    "SESSION_IDLE_MINUTES": "600",
    "STATIC_ROOT": str(ROOT / "bench" / ".static"),
    "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
    "EMAIL_URL": "dummymail://",
    "LOG_LEVEL": "ERROR",
}


def setup_django() -> None:
    for key, value in SERVER_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclasses.dataclass(frozen=True)
class Served:
    base: str
    pid: int  # gunicorn's master process

    def worker_rss_mb(self) -> list[float]:
        """The resident memory of each worker, in MB (Linux: /proc)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        sizes = []
        for child in children:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes


@contextlib.contextmanager
def gunicorn(workers: int):
    """The app under gunicorn on BENCH_PORT, with collected static files, until the block
    ends: where it is served, and its master process."""
    env = {**os.environ, **SERVER_ENV}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "safeguard.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", PORT), 1):
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield Served(BASE, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def signed_in_session(user) -> requests.Session:
    """An HTTP session signed in as `user`: a session row as the sign-in would leave it
    (second factor done, just checked), and the CSRF cookie and token of a first page."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from safeguard.middleware import mark_active
    from safeguard.reauth import HAS_SECOND_FACTOR, SIGNED_IN_AT

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SIGNED_IN_AT] = time.time()
    store[HAS_SECOND_FACTOR] = True
    mark_active(store)
    store.create()
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key, domain="127.0.0.1")
    return http


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(http: requests.Session, page: str) -> str:
    response = http.get(BASE + page)
    response.raise_for_status()
    return CSRF_FIELD.search(response.text).group(1)
