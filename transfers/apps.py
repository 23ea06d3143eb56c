from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "Child protection files that follow a child to a new school"

    def ready(self):
        # The DSL team's queue and a child's chronology (casework, a lower layer) show what
        # this app knows: files to send and incoming, and the parts of a file received.
        from casework import hooks
        from transfers import queue_panels

        hooks.QUEUE_PANELS.append(queue_panels.files_panel)
        hooks.CHRONOLOGY_PARTS.append(queue_panels.earlier_parts)
