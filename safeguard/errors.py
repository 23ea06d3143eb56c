class WorkflowError(Exception):
    """A change the safeguarding workflow does not allow. The message is shown to the user,
    beside `field` (the name of the form field it is about) where there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
