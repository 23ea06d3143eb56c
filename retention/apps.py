from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Keeping a child's file for as long as the law asks: reviews, holds, disposal"

    def ready(self):
        # The DSL team's queue (casework, a lower layer) shows the disposals waiting for a
        # second member of the team to confirm them.
        from casework import hooks
        from retention import queue_panels

        hooks.QUEUE_PANELS.append(queue_panels.disposals_panel)
