"""Who is acting, and what time it is: passed into every service call that changes data."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from classpay_tui.domain.statuses import Role


def os_login() -> str:
    """The login of the process's real user id, from the kernel; ``$USER`` can be set by anyone."""
    return pwd.getpwuid(os.getuid()).pw_name


class Clock:
    """The wall clock; tests pass a :class:`FixedClock`."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now().astimezone().date()


@dataclass
class FixedClock(Clock):
    at: datetime = field(default_factory=lambda: datetime(2024, 1, 15, 10, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class OperatorContext:
    """The person (or script) behind a call.

    ``role`` decides what they may do; ``writer_id`` ties a writer login to its writer record.
    """

    login: str
    role: Role = Role.ADMIN
    writer_id: int | None = None
