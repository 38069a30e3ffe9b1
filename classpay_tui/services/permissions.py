"""What each role may do. Enforced here, in the service; screens only hide what is refused."""

from __future__ import annotations

import enum

from classpay_tui.domain.errors import PermissionDenied
from classpay_tui.domain.statuses import Role
from classpay_tui.services.context import OperatorContext


class Action(enum.StrEnum):
    READ_PAYMENTS = "read payments"
    READ_OWN_WRITER_PAYMENTS = "read your own writer payments"
    CREATE_BUNDLE = "create bundles"
    ADD_WRITER = "add writers"
    ASSIGN_WRITER = "assign writers"
    RECORD_PAYMENT = "record payments"
    REFRESH_STATUS = "refresh payment status"
    SCHEDULE_WRITER_PAYMENT = "schedule writer payments"
    REPRICE_AFTER_PAYMENT = "change the price of a bundle that has received money"
    SET_COMPENSATION = "set a bundle's writer compensation"
    REFUND = "refund a client"
    REVERSE = "reverse a payment"
    MANAGE_PAYOUTS = "pay, cancel or run writer payouts"
    SET_PAYOUT_MODE = "change the payout mode"
    READ_PAYOUTS = "read writer payouts"
    MANAGE_OPERATORS = "manage operators"
    READ_AUDIT = "read the audit log"
    IMPORT = "import data"
    BACKUP = "back up the database"
    CHECK = "run the integrity check"
    READ_REPORTS = "read reports"
    MAKE_REMINDERS = "make payment reminders"
    EDIT_REMINDER_TEMPLATE = "change the reminder template"
    EXPORT = "export data"


_STAFF = {
    Action.READ_PAYMENTS,
    Action.CREATE_BUNDLE,
    Action.ADD_WRITER,
    Action.ASSIGN_WRITER,
    Action.RECORD_PAYMENT,
    Action.READ_PAYOUTS,
    Action.CHECK,
    Action.READ_REPORTS,
    Action.MAKE_REMINDERS,
    Action.EXPORT,
}
ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.STAFF: frozenset(_STAFF | {Action.READ_OWN_WRITER_PAYMENTS}),
    Role.WRITER: frozenset({Action.READ_OWN_WRITER_PAYMENTS}),
}


def can(ctx: OperatorContext, action: Action) -> bool:
    return action in ALLOWED[ctx.role]


def authorize(ctx: OperatorContext, action: Action) -> None:
    if not can(ctx, action):
        raise PermissionDenied(f"{ctx.login} ({ctx.role.value}) may not {action.value}; ask an admin.")


def authorize_writer_view(ctx: OperatorContext, writer_id: int) -> None:
    """Writers read only their own writer data; staff and admins read anyone's."""
    if ctx.role is Role.WRITER and ctx.writer_id != writer_id:
        raise PermissionDenied(f"{ctx.login} (writer) may read only their own payments.")
    authorize(ctx, Action.READ_OWN_WRITER_PAYMENTS)
