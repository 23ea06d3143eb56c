class WorkflowError(Exception):
    """A change the safeguarding workflow does not allow. The message is shown to the user."""
