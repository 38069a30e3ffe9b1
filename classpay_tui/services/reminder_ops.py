"""Payment reminders: the template, previews, and recorded batches that escalate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import InstallmentReminder, OfficeSettings, ReminderBatch
from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.overdue import overdue_installments, require_bundles, require_installments
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.reminders import (
    load_template,
    next_level,
    parse_template,
    render,
    reset_template,
    save_template,
)
from classpay_tui.services.schemas import ReminderBatchOut, ReminderTemplateOut


class ReminderOperations(ServiceCore):
    def reminder_template(self, ctx: OperatorContext) -> ReminderTemplateOut:
        """The template reminders are made from: the office's own, or the built-in default."""
        authorize(ctx, Action.MAKE_REMINDERS)
        with self.db.read() as session:
            return load_template(session)

    def set_reminder_template(self, ctx: OperatorContext, text: str | None) -> ReminderTemplateOut:
        """Replace the template (admin) with ``text`` (``Subject:`` and ``From:`` lines, a blank
        line, the text); ``None`` goes back to the built-in default."""
        authorize(ctx, Action.EDIT_REMINDER_TEMPLATE)
        parsed = parse_template(text) if text is not None else None
        with self.db.write() as session:
            before = load_template(session)
            if parsed is None:
                reset_template(session)
            else:
                save_template(session, *parsed, self.clock.now(), ctx.login)
            after = load_template(session)
            keys = {"subject", "sender", "body", "is_default"}
            if before.model_dump(include=keys) != after.model_dump(include=keys):
                record_event(
                    session,
                    ctx,
                    self.clock.now(),
                    "reminder_template.set",
                    "reminder_template",
                    1,
                    before=before.model_dump(mode="json", include=keys),
                    after=after.model_dump(mode="json", include=keys),
                )
            return after

    def preview_reminders(
        self,
        ctx: OperatorContext,
        as_of: date | None = None,
        *,
        bundle_ids: Sequence[int] | None = None,
        installment_ids: Sequence[int] | None = None,
    ) -> ReminderBatchOut:
        """The reminders a batch would hold now, at the levels it would send; records nothing."""
        authorize(ctx, Action.MAKE_REMINDERS)
        day = self._reminder_day(as_of)
        with self.db.read() as session:
            return self._batch(session, ctx, day, bundle_ids, installment_ids)

    def make_reminders(
        self,
        ctx: OperatorContext,
        as_of: date | None = None,
        *,
        bundle_ids: Sequence[int] | None = None,
        installment_ids: Sequence[int] | None = None,
        deliver: Callable[[ReminderBatchOut], None] | None = None,
    ) -> ReminderBatchOut:
        """A batch of reminders for the installments overdue on ``as_of`` (default today), each
        one level above the last reminder made for it (1, 2, 3, then 3 again), recorded with
        an audit event in one transaction. ``deliver`` (writing the batch file) runs inside
        that transaction: if it fails, nothing is recorded. An empty batch records nothing."""
        authorize(ctx, Action.MAKE_REMINDERS)
        day = self._reminder_day(as_of)
        with self.db.write() as session:
            # One batch at a time, so two operators never send the same level twice.
            session.execute(select(OfficeSettings.id).where(OfficeSettings.id == 1).with_for_update())
            batch = self._batch(session, ctx, day, bundle_ids, installment_ids)
            if not batch.reminders:
                return batch
            stored = ReminderBatch(
                as_of=day, made_at=batch.made_at, made_by=ctx.login, reminder_count=len(batch.reminders)
            )
            session.add(stored)
            session.flush()
            session.execute(
                insert(InstallmentReminder),
                [
                    {
                        "batch_id": stored.id,
                        "installment_id": item.installment_id,
                        "level": item.level,
                        "amount_owed": item.amount_owed,
                        "days_late": item.days_late,
                    }
                    for item in batch.reminders
                ],
            )
            record_event(
                session,
                ctx,
                batch.made_at,
                "reminders.make",
                "reminder_batch",
                stored.id,
                after={
                    "as_of": day.isoformat(),
                    "reminders": [[r.bundle_id, r.installment_number, r.level] for r in batch.reminders],
                },
            )
            made = batch.model_copy(update={"id": stored.id})
            if deliver is not None:
                deliver(made)
            return made

    def _reminder_day(self, as_of: date | None) -> date:
        today = self.clock.today()
        if as_of is not None and as_of > today:
            raise InvalidInput(f"Reminders are made for today or an earlier day, not {as_of.isoformat()}.")
        return as_of or today

    def _batch(
        self,
        session: Session,
        ctx: OperatorContext,
        as_of: date,
        bundle_ids: Sequence[int] | None,
        installment_ids: Sequence[int] | None,
    ) -> ReminderBatchOut:
        require_bundles(session, bundle_ids)
        require_installments(session, installment_ids)
        template = load_template(session)
        currency = self.currency()
        rows = overdue_installments(session, as_of, bundle_ids=bundle_ids, installment_ids=installment_ids)
        return ReminderBatchOut(
            id=None,
            as_of=as_of,
            made_at=self.clock.now(),
            made_by=ctx.login,
            sender=template.sender,
            reminders=[render(template, row, next_level(row.reminder_level), currency) for row in rows],
        )
