"""`make loadtest`: 50 members of staff recording concerns at once for 60 seconds (locust,
headless, against gunicorn), then a check that every concern the server accepted is in the
database with its history row: nothing lost.

    python bench/load.py [--users 50] [--seconds 60] [--workers 4] [--out bench/load.json]
"""

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import server

HERE = Path(__file__).resolve().parent


def staff_sessions(count: int) -> list[dict]:
    """`count` different members of staff, across the trust's schools, each signed in and
    with a pupil of their own school to write about."""
    from schools.models import Membership, Pupil, Role

    memberships = list(
        Membership.objects.filter(role=Role.STAFF)
        .select_related("user", "school")
        .order_by("school_id", "pk")[: count * 4]
    )
    by_school: dict[int, list] = {}
    for membership in memberships:
        by_school.setdefault(membership.school_id, []).append(membership)
    chosen = []
    while len(chosen) < count and any(by_school.values()):
        for members in by_school.values():
            if members and len(chosen) < count:
                chosen.append(members.pop(0))
    if len(chosen) < count:
        sys.exit(f"Only {len(chosen)} members of staff: run manage.py generate_trust first.")
    users = []
    for membership in chosen:
        pupil = (
            Pupil.objects.filter(school_id=membership.school_id, is_on_roll=True)
            .order_by("?")
            .first()
        )
        http = server.signed_in_session(membership.user)
        users.append(
            {
                "email": membership.user.email,
                "session_key": http.cookies.get("sessionid"),
                "pupil": str(pupil.uuid),
            }
        )
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--out", default=str(HERE / "load.json"))
    args = parser.parse_args()

    server.setup_django()
    from concerns.models import Category, Concern

    run = uuid.uuid4().hex[:8]
    category = Category.objects.filter(school__isnull=True).order_by("pk").first()
    work = Path(tempfile.mkdtemp(prefix="safeguard-load-"))
    sessions_file, accepted_file = work / "sessions.json", work / "accepted.json"
    sessions_file.write_text(
        json.dumps({"run": run, "category": str(category.pk), "users": staff_sessions(args.users)})
    )
    started = datetime.datetime.now(datetime.UTC)
    with server.gunicorn(args.workers) as served:
        base = served.base
        # Warm every worker up (imports, template compilation), as a server in use would be.
        first = server.signed_in_session(Concern.objects.first().reporter)
        for _ in range(args.workers * 5):
            first.get(base + "/concerns/new/")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(work / "stats"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **os.environ,
                "BENCH_SESSIONS": str(sessions_file),
                "BENCH_ACCEPTED": str(accepted_file),
            },
            check=False,
        )

    accepted = json.loads(accepted_file.read_text())
    with open(work / "stats_stats.csv") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    total = rows["Aggregated"]
    posts = rows["POST /concerns/new/"]

    # Nothing lost: every concern the server said it recorded is there, with its history.
    found = set(
        Concern.objects.filter(account__contains=f"[load {run} ").values_list("account", flat=True)
    )
    found_markers = {account[account.index("[load ") :] for account in found}
    history_markers = {
        account[account.index("[load ") :]
        for account in Concern.history.model.objects.filter(
            account__contains=f"[load {run} ", history_type="+"
        ).values_list("account", flat=True)
    }
    missing = [m for m in accepted if m not in found_markers]
    without_history = [m for m in accepted if m not in history_markers]
    report = {
        "measured_at": started.isoformat(timespec="seconds"),
        "users": args.users,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "concerns_accepted": len(accepted),
        "concerns_per_second": round(len(accepted) / args.seconds, 1),
        "post_p50_ms": float(posts["50%"]),
        "post_p95_ms": float(posts["95%"]),
        "concerns_in_database": len(found_markers),
        "lost": len(missing),
        "without_history_row": len(without_history),
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if report["failures"] or missing or without_history:
        sys.exit("Errors, or concerns lost: see above.")


if __name__ == "__main__":
    main()
