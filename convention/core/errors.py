"""Domain errors: services raise them, views turn them into a form message or a 4xx.

The message is read by a person: services pass ``gettext(...)`` (or a module-level
``lazy_gettext`` constant), and the error keeps it as a plain string in the request's
language.
"""


class DomainError(Exception):
    """A rule was broken; the message is safe to show to the person who asked."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        message = str(message)
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Unauthorized(DomainError):
    """No credentials, or credentials that are not (or no longer) valid: an API answers 401."""

    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (double submit, sold out, stale edit)."""

    status_code = 409


class InvalidTransition(DomainError):
    """A state machine refused a move that its transition table does not allow."""

    status_code = 409
