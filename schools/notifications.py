"""E-mail notifications that are not lost when the mail server is down.

A notification is a task on the database queue (django-tasks-db, run by `manage.py
run_worker`). If sending raises, the same task is queued again after a growing delay; after
the last attempt the failure is recorded as a FailedNotification, which the school's
administrators and DSL team see in the app until one of them deals with it.

Each attempt is its own row on the queue, so the queue keeps every error.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.tasks import Task, task
from django.utils import timezone

logger = logging.getLogger(__name__)

# The wait before each retry: the fifth attempt is about 21 minutes after the first, and if
# it fails too the school is told in the app.
RETRY_DELAYS = (
    timedelta(seconds=15),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
)
ATTEMPTS = len(RETRY_DELAYS) + 1
# The keyword argument carrying the attempt number from one try to the next.
ATTEMPT = "attempt"


@dataclass(frozen=True)
class Notice:
    """What a failed notification was, for the people who must now act on it."""

    school_id: int
    what: str
    recipients: list[str]
    link: str = ""
    dsl_team_only: bool = False


def notification(describe: Callable[..., Notice]) -> Callable[[Callable], Task]:
    """Make a function sending e-mail into a task that is retried with backoff, and that
    records a FailedNotification described by describe(*args) once every attempt failed.

    The function's own arguments must be positional; `attempt` is reserved.
    """

    def decorate(func: Callable) -> Task:
        @wraps(func)
        def attempt_once(*args, attempt: int = 1):
            try:
                return func(*args)
            except Exception as error:
                if attempt < ATTEMPTS:
                    retry_at = timezone.now() + RETRY_DELAYS[attempt - 1]
                    the_task.using(run_after=retry_at).enqueue(*args, attempt=attempt + 1)
                    logger.warning(
                        "%s failed (attempt %d of %d), retrying at %s: %r",
                        the_task.name,
                        attempt,
                        ATTEMPTS,
                        retry_at,
                        error,
                    )
                else:
                    record_failure(the_task, describe, args, error, attempts=attempt)
                raise  # The queue row of this attempt keeps the traceback.

        the_task = task(attempt_once)
        return the_task

    return decorate


def record_failure(the_task: Task, describe, args, error: Exception, *, attempts: int) -> None:
    from schools.services import failed_notification_record

    try:
        notice = describe(*args)
    except Exception:
        # Nothing to show it against (its concern or school is gone): the queue keeps it.
        logger.exception("%s failed for good and cannot be described", the_task.name)
        return
    failed_notification_record(
        notice=notice,
        reason=f"{type(error).__name__}: {error}"[:1000],
        attempts=attempts,
        task_path=the_task.module_path,
        task_args=list(args),
    )
