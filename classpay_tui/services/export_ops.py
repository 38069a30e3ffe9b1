"""``export``: bundles, payments, payouts and the audit log as CSV or JSON files."""

from __future__ import annotations

from pathlib import Path

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.export_tables import FORMATS, TABLES, write_table
from classpay_tui.services.files import check_target, replace_atomically
from classpay_tui.services.permissions import Action, authorize


class ExportOperations(ServiceCore):
    def export_data(self, ctx: OperatorContext, kind: str, target: Path, fmt: str | None = None) -> int:
        """Write every row of ``kind`` (bundles, payments, payouts, audit) to ``target`` as CSV
        (cells safe for spreadsheets) or JSON; the format defaults to the file's suffix, else
        CSV. The audit log is for admins. Returns the number of rows; the export is audited."""
        if kind not in TABLES:
            raise InvalidInput(f"{kind!r} cannot be exported; choose one of {', '.join(TABLES)}.")
        authorize(ctx, Action.READ_AUDIT if kind == "audit" else Action.EXPORT)
        chosen = fmt or ("json" if target.suffix.lower() == ".json" else "csv")
        if chosen not in FORMATS:
            raise InvalidInput(f"{fmt!r} is not an export format; use csv or json.")
        check_target(target)
        written: list[int] = []
        with self.db.read() as session:
            replace_atomically(target, lambda path: written.append(write_table(session, kind, chosen, path)))
        with self.db.write() as session:
            record_event(
                session,
                ctx,
                self.clock.now(),
                "export",
                "database",
                0,
                after={"kind": kind, "format": chosen, "rows": written[0], "target": str(target)},
            )
        return written[0]
