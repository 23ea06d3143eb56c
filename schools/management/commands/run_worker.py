import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from schools.worker import Worker


class Command(db_worker.Command):
    help = (
        "Run queued tasks (the e-mail notifications) until stopped: django-tasks-db's "
        "db_worker, which puts back on the queue any task left running by a worker that "
        "died, when it starts and every --recovery-seconds after. Failed e-mails are retried "
        "with backoff, then shown to the school. Ctrl-C or SIGTERM stops it after the task "
        "in hand."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--recovery-seconds",
            type=float,
            default=60,
            help="How often to look for tasks left running by workers that died (default 60).",
        )

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, batch, **options):
        self.configure_logging(verbosity)
        worker = Worker(
            queue_names=queue_name.split(","),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            recovery_seconds=options["recovery_seconds"],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # Only in the reloaded child.
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
