"""What every screen works with: the service, who is signed in, and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from classpay_tui.domain.statuses import Role
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.context import Clock
from classpay_tui.services.permissions import Action, can


@dataclass(frozen=True)
class Desk:
    service: ClassPaymentService
    operator: OperatorContext
    clock: Clock

    def today(self) -> date:
        return self.clock.today()

    def can(self, action: Action) -> bool:
        return can(self.operator, action)

    @property
    def is_writer(self) -> bool:
        return self.operator.role is Role.WRITER

    def allow(self, action: Action) -> bool | None:
        """For ``check_action``: allowed, or shown dimmed (``None``) for a role that cannot."""
        return True if self.can(action) else None
