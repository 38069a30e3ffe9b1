"""The error every user-facing refusal is raised as: one sentence, nothing written."""


class ClasspayError(Exception):
    """A refusal a person can act on. ``str(error)`` is the whole sentence."""


class InvalidInput(ClasspayError):
    """Typed input that cannot be accepted (bad amount, bad date, bad plan)."""


class NotFound(ClasspayError):
    """A bundle, writer, installment or payment that does not exist."""


class Refused(ClasspayError):
    """A request that breaks a rule (overpayment, paying a paid installment)."""


class Conflict(ClasspayError):
    """A reference or record that clashes with one already stored."""


class PermissionDenied(ClasspayError):
    """The operator's role does not allow the action."""
