"""The queue worker: django-tasks-db's, plus recovery of tasks whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it and leaves it so if that worker
is killed (out of memory, a deploy, a power cut): the task would never run. So each worker
holds a PostgreSQL advisory lock named after its id, on a connection of its own, for as long
as it lives; the server releases it when the process dies, however it dies. Before taking
its first task, and then every `recovery_seconds` while it lives (so that a long-running
worker picks up what another one left, without waiting for a restart), a worker puts every
RUNNING task whose worker's lock is free back on the queue, where it runs again (at least
once, so an e-mail may now and then go twice).
"""

import logging
import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("django_tasks_db")

# The first half of every worker's advisory lock key, to keep clear of other locks.
LOCK_NAMESPACE = 0x5AFE


class Worker(db_worker.Worker):
    def __init__(self, *args, recovery_seconds: float = 60, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery_seconds = recovery_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        self.lease = connections.create_connection(DEFAULT_DB_ALIAS)
        recovery = None
        try:
            with self.lease.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, self.worker_id]
                )
            requeue_orphans(self.lease, own_worker_id=self.worker_id)
            if not self.batch and self.recovery_seconds:
                recovery = threading.Thread(target=self.recover, name="recovery", daemon=True)
                recovery.start()
            super().run()
        finally:
            self.stopped.set()
            if recovery is not None:
                recovery.join(timeout=5)
            self.lease.close()  # Closing the session releases the lock.

    def recover(self) -> None:
        """Every recovery_seconds until the worker stops: requeue what dead workers left,
        on this thread's own connection (this worker's own lock is held by the lease, so
        its own tasks never look orphaned)."""
        try:
            while not self.stopped.wait(self.recovery_seconds):
                try:
                    requeue_orphans(connections[DEFAULT_DB_ALIAS], own_worker_id=self.worker_id)
                except Exception:
                    logger.exception("Could not look for tasks left by workers that died")
        finally:
            connections[DEFAULT_DB_ALIAS].close()


def requeue_orphans(lease, *, own_worker_id: str = "") -> int:
    """Put back on the queue each RUNNING task whose worker is gone; returns how many.

    lease is a connection of its own: the locks are tried and released on it, outside any
    transaction the caller has open.
    """
    requeued = 0
    running = DBTaskResult.objects.running().values_list("id", "worker_ids")
    for task_id, worker_ids in running:
        worker_id = worker_ids[-1] if worker_ids else ""
        if worker_id == own_worker_id:
            continue
        with lease.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, worker_id]
            )
            (gone,) = cursor.fetchone()
            if gone:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, hashtext(%s))", [LOCK_NAMESPACE, worker_id]
                )
        if not gone:
            continue
        # Only if it is still RUNNING: it may have finished since we read it.
        if DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        ):
            requeued += 1
            logger.warning(
                "Task id=%s was left running by worker %s: queued again", task_id, worker_id
            )
    return requeued
