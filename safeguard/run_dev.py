"""Run the development web server and the task worker side by side, and stop them together.

    python -m safeguard.run_dev ADDRESS

`make run` runs this inside safeguard.embedded_pg, so both use its database. Ctrl-C (or
SIGTERM, SIGHUP) stops both; if either stops by itself, the other is stopped too. Like
embedded_pg, this must not import Django.
"""

import signal
import sys
import time
from subprocess import Popen, TimeoutExpired

from safeguard.embedded_pg import HANDLED_SIGNALS, die_by_signal, in_terminal_foreground

# Seconds a child has to stop after being asked, before it is killed.
GRACE = 30


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit("usage: python -m safeguard.run_dev ADDRESS")
    received = []
    children = {}

    def on_signal(signum, frame):
        received.append(signum)
        # Ctrl-C in a terminal already reached both (same process group); passing it on
        # would be a second Ctrl-C, which makes the worker drop the task in hand.
        if signum != signal.SIGINT or not in_terminal_foreground():
            stop(children, signum)

    for signum in HANDLED_SIGNALS:
        signal.signal(signum, on_signal)
    manage = [sys.executable, "manage.py"]
    children["web server"] = Popen([*manage, "runserver", argv[0]])
    # Without the autoreloader: it would leave its child running if sent SIGTERM.
    children["task worker"] = Popen([*manage, "run_worker", "--no-reload"])
    while all(child.poll() is None for child in children.values()):
        time.sleep(0.2)
    first, code = next(
        (name, child.returncode) for name, child in children.items() if child.returncode is not None
    )
    if not received:
        print(f"run_dev: the {first} stopped; stopping the rest", file=sys.stderr, flush=True)
        stop(children, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    for child in children.values():
        try:
            child.wait(timeout=max(0, deadline - time.monotonic()))
        except TimeoutExpired:
            child.kill()
            child.wait()
    if received:
        return die_by_signal(received[0])
    return code


def stop(children, signum):
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signum)


if __name__ == "__main__":
    sys.exit(main())
