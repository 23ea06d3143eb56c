from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "subject_access"
    verbose_name = "Subject access requests for a child's safeguarding file"

    def ready(self):
        # The DSL team's queue (casework, a lower layer) shows the requests whose one-month
        # deadline is near or past.
        from casework import hooks
        from subject_access import queue_panels

        hooks.QUEUE_PANELS.append(queue_panels.deadlines_panel)
