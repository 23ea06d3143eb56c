"""A mail server that refuses, and a task that waits: for tests/test_durable_notifications.py.

The task is imported by path by a worker in another process, so it lives in a module.
"""

import smtplib
import time
from pathlib import Path

from django.core.mail.backends.locmem import EmailBackend
from django.tasks import task


class RefusingMailServer(EmailBackend):
    """Django's test outbox behind a server that refuses the next `refusals` sends, as an
    SMTP server that is down or overloaded does (421)."""

    refusals = 0

    def send_messages(self, messages):
        if RefusingMailServer.refusals > 0:
            RefusingMailServer.refusals -= 1
            raise smtplib.SMTPConnectError(421, "Service not available, try again later")
        return super().send_messages(messages)


@task
def wait_for_release(folder: str) -> int:
    """Note each start in `folder`/started, then wait until `folder`/release exists; returns
    how many times it has started."""
    started = Path(folder) / "started"
    with started.open("a") as log:
        log.write("started\n")
    deadline = time.monotonic() + 60
    while not (Path(folder) / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    return len(started.read_text().splitlines())
