"""Fifty members of staff recording concerns at once, as after an incident (locust).

Each simulated user is a different member of staff of the generated trust, signed in with a
session made by bench/load.py (BENCH_SESSIONS: a JSON file of session keys, pupils and a
category). Each one opens the form, then sends a concern, again and again. Every concern
carries a marker in its account, "[load <run> <user> <n>]", so that bench/load.py can then
check that each one the server accepted is in the database with its history row.
"""

import datetime
import itertools
import json
import os
import re
from pathlib import Path

from locust import HttpUser, between, events, task

SESSIONS = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
RUN = SESSIONS["run"]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_user = itertools.count()
ACCEPTED: list[str] = []


class StaffMember(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.number = next(_next_user)
        me = SESSIONS["users"][self.number % len(SESSIONS["users"])]
        self.client.cookies.set("sessionid", me["session_key"], domain="127.0.0.1")
        self.pupil = me["pupil"]
        self.sent = 0

    @task
    def record_a_concern(self):
        form = self.client.get("/concerns/new/", name="GET /concerns/new/")
        token = CSRF_FIELD.search(form.text)
        if token is None:
            return
        self.sent += 1
        marker = f"[load {RUN} {self.number} {self.sent}]"
        disclosed = datetime.datetime.now().replace(second=0, microsecond=0)
        with self.client.post(
            "/concerns/new/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "discloser_type": "child",
                "discloser_name": "The child",
                "disclosed_at": (disclosed - datetime.timedelta(minutes=30)).strftime(
                    "%Y-%m-%dT%H:%M"
                ),
                "location": "Playground",
                "account": f"She said someone at home hurt her arm. {marker}",
                "categories": [SESSIONS["category"]],
                "adult_involved": "no",
                "immediate_danger": "no",
                "other_children": "no",
                "child_1": self.pupil,
                "role_1": "subject",
                **{f"{field}_{row}": "" for row in (2, 3, 4) for field in ("child", "role")},
            },
            name="POST /concerns/new/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and "/recorded/" in response.headers.get("Location", ""):
                ACCEPTED.append(marker)
                response.success()
            else:
                response.failure(f"not recorded: {response.status_code}")


@events.quitting.add_listener
def _write_accepted(environment, **kwargs):
    with open(os.environ["BENCH_ACCEPTED"], "w") as out:
        json.dump(ACCEPTED, out)
