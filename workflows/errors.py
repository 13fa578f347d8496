"""Errors the domain raises; the Slack layer turns them into friendly messages."""


class WorkflowError(Exception):
    """A request that the rules refuse; ``str(error)`` is safe to show to the person who asked."""


class NotFound(WorkflowError):
    pass


class InvalidReport(WorkflowError):
    """The report form breaks a rule; ``errors`` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class NotAllowed(WorkflowError):
    """The person asking may not do this (not an organizer of the case, or named in it)."""


class InvalidInput(WorkflowError):
    """A form value breaks a rule; ``field`` names the form field to show it on."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
