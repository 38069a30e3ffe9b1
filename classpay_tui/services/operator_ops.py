"""Operators: who may use the database, with which role, and the audit log they leave."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import AuditEvent, Operator, Writer
from classpay_tui.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from classpay_tui.domain.statuses import Role
from classpay_tui.services import catalog
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.schemas import AuditEventOut, OperatorOut

LOGIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$")
ENTITY = re.compile(r"^(?P<kind>[a-z_]+):(?P<id>[0-9]+)$")
AUDIT_PAGE = 1000


class OperatorOperations(ServiceCore):
    def operator(self, login: str) -> OperatorContext:
        """The operator behind an operating-system login, or a refusal naming the fix."""
        with self.db.read() as session:
            found = session.scalar(select(Operator).where(Operator.login == login))
            if found is None:
                raise PermissionDenied(
                    f"{login} is not an operator of this database; an admin can add it with "
                    f"`classpay users add {login} --role staff`."
                )
            if not found.active:
                raise PermissionDenied(
                    f"{login} is disabled on this database; "
                    f"an admin can enable it with `classpay users enable {login}`."
                )
            return OperatorContext(login=found.login, role=found.role, writer_id=found.writer_id)

    def add_operator(
        self, ctx: OperatorContext, login: str, role: str, *, writer: str | int | None = None
    ) -> OperatorOut:
        authorize(ctx, Action.MANAGE_OPERATORS)
        name = (login or "").strip()
        if not LOGIN.match(name):
            raise InvalidInput(f"{login!r} is not a login name: use letters, digits, '.', '_' or '-'.")
        try:
            wanted = Role(role)
        except ValueError:
            raise InvalidInput(f"{role!r} is not a role; use admin, staff or writer.") from None
        if (wanted is Role.WRITER) != (writer is not None):
            raise InvalidInput("A writer login needs --writer, and only a writer login takes one.")
        now = self.clock.now()
        with self.db.write() as session:
            if session.scalar(select(Operator.id).where(Operator.login == name)) is not None:
                raise Conflict(f"{name} is already an operator; use `classpay users list` to see its role.")
            writer_id = catalog.find_writer(session, writer).id if writer is not None else None
            added = Operator(login=name, role=wanted, writer_id=writer_id, active=True, created_at=now)
            session.add(added)
            session.flush()
            out = _operator_out(session, added)
            record_event(session, ctx, now, "operator.add", "operator", added.id, after=out.model_dump(mode="json"))
            return out

    def list_operators(self, ctx: OperatorContext) -> list[OperatorOut]:
        authorize(ctx, Action.MANAGE_OPERATORS)
        with self.db.read() as session:
            return [_operator_out(session, o) for o in session.scalars(select(Operator).order_by(Operator.login))]

    def set_operator_active(self, ctx: OperatorContext, login: str, active: bool) -> OperatorOut:
        authorize(ctx, Action.MANAGE_OPERATORS)
        now = self.clock.now()
        with self.db.write() as session:
            found = session.scalar(select(Operator).where(Operator.login == login).with_for_update())
            if found is None:
                raise NotFound(f"There is no operator {login!r}.")
            if found.active == active:
                return _operator_out(session, found)
            if not active and found.role is Role.ADMIN:
                admins = session.scalar(
                    select(func.count()).select_from(Operator).where(Operator.role == Role.ADMIN, Operator.active)
                )
                if admins <= 1:
                    raise Refused(f"{login} is the last active admin; add another admin first.")
            found.active = active
            out = _operator_out(session, found)
            record_event(
                session,
                ctx,
                now,
                "operator.enable" if active else "operator.disable",
                "operator",
                found.id,
                before={"active": not active},
                after={"active": active},
            )
            return out

    def audit_events(
        self,
        ctx: OperatorContext,
        *,
        entity: str | None = None,
        since: date | None = None,
        limit: int = AUDIT_PAGE,
    ) -> list[AuditEventOut]:
        """The audit log, oldest first; ``entity`` is ``kind:id`` such as ``bundle:12``."""
        authorize(ctx, Action.READ_AUDIT)
        query = select(AuditEvent).order_by(AuditEvent.id)
        if entity:
            match = ENTITY.match(entity.strip())
            if not match:
                raise InvalidInput(f"{entity!r} is not KIND:ID, e.g. bundle:12 or operator:3.")
            query = query.where(AuditEvent.entity_kind == match["kind"], AuditEvent.entity_id == int(match["id"]))
        if since:
            query = query.where(AuditEvent.occurred_at >= datetime.combine(since, time(0), tzinfo=UTC))
        with self.db.read() as session:
            return [
                AuditEventOut(
                    id=event.id,
                    occurred_at=event.occurred_at,
                    actor=event.actor,
                    action=event.action,
                    entity=f"{event.entity_kind}:{event.entity_id}",
                    before=json.loads(event.before) if event.before else None,
                    after=json.loads(event.after) if event.after else None,
                    hash=event.hash,
                )
                for event in session.scalars(query.limit(limit))
            ]


def _operator_out(session: Session, operator: Operator) -> OperatorOut:
    username = (
        session.scalar(select(Writer.username).where(Writer.id == operator.writer_id)) if operator.writer_id else None
    )
    return OperatorOut(
        id=operator.id,
        login=operator.login,
        role=operator.role,
        writer_id=operator.writer_id,
        writer_username=username,
        active=operator.active,
        created_at=operator.created_at,
    )
