"""Creating and upgrading the database, and who is acting."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from classpay_tui.db.backup import backup_sqlite
from classpay_tui.db.migrate import current_revision, upgrade_to_head
from classpay_tui.db.models import (
    OfficeSettings,
    Operator,
)
from classpay_tui.db.schema_version import head_revision, stored_revisions
from classpay_tui.domain.compensation import DEFAULT_RULE, parse_weekday
from classpay_tui.domain.errors import InvalidInput, NotFound, Refused
from classpay_tui.domain.statuses import PayoutMode, Role
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.permissions import Action, authorize


class SetupOperations(ServiceCore):
    def initialize(self, currency: str = "USD", payout_day: str = "friday") -> bool:
        """Create or upgrade the schema; settings are written only on a new database.

        Returns True when the database was new.
        """
        currency_code = currency.strip().upper()
        if len(currency_code) != 3 or not currency_code.isalpha():
            raise InvalidInput(f"{currency!r} is not a three-letter currency code such as USD or EUR.")
        weekday = parse_weekday(payout_day)
        upgrade_to_head(self.db.engine)
        self.db.refresh_statistics()
        with self.db.write() as session:
            if session.get(OfficeSettings, 1) is not None:
                return False
            session.add(
                OfficeSettings(
                    id=1,
                    currency=currency_code,
                    payout_weekday=weekday,
                    payout_mode=PayoutMode.ON_FULL_PAYMENT,
                    default_rule_kind=DEFAULT_RULE.kind,
                    default_rule_value=DEFAULT_RULE.value,
                )
            )
            return True

    def schema_revision(self) -> str | None:
        return current_revision(self.db.engine)

    def require_current_schema(self) -> None:
        """Refuse to work on a database that was never set up or needs an upgrade (read
        with a plain query: every command and the app start here, and Alembic is slow to import)."""
        current, head = stored_revisions(self.db.engine), head_revision()
        where = self.db.describe()
        if not current:
            raise NotFound(f"The database {where} has not been set up; run `classpay init`.")
        if current != (head,):
            raise Refused(
                f"The database {where} is at schema {', '.join(current)}, not {head}; "
                "run `classpay init` to upgrade it."
            )

    def add_first_admin(self, login: str) -> bool:
        """Make ``login`` the first admin of a database that has no operators yet."""
        with self.db.write() as session:
            if session.scalar(select(func.count()).select_from(Operator)):
                return False
            now = self.clock.now()
            admin = Operator(login=login, role=Role.ADMIN, active=True, created_at=now)
            session.add(admin)
            session.flush()
            record_event(
                session,
                OperatorContext(login=login),
                now,
                "operator.add",
                "operator",
                admin.id,
                after={"login": login, "role": Role.ADMIN.value, "first_admin": True},
            )
            return True

    def backup(self, ctx: OperatorContext, target: Path) -> int:
        """A consistent copy of a SQLite database while others work (admin); returns pages copied."""
        authorize(ctx, Action.BACKUP)
        if not self.db.is_sqlite or not self.db.url.database:
            raise Refused("Back up a PostgreSQL database with pg_dump (or base backups), not with classpay.")
        if target.exists():
            raise Refused(f"{target} already exists; choose a new file name.")
        if not target.parent.is_dir():
            raise NotFound(f"There is no directory {target.parent}.")
        pages = backup_sqlite(Path(self.db.url.database), target)
        with self.db.write() as session:
            record_event(session, ctx, self.clock.now(), "backup", "database", 0, after={"target": str(target)})
        return pages
