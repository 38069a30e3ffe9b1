"""The append-only audit trail. Each event carries the SHA-256 of the one before it, so
editing or deleting any event breaks the chain where ``classpay check`` can see it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import AuditEvent, OfficeSettings
from classpay_tui.db.prepared import Prepared
from classpay_tui.services.context import OperatorContext

GENESIS_HASH = "0" * 64
_LOCK_CHAIN = select(OfficeSettings.id).where(OfficeSettings.id == 1).with_for_update()
_CHAIN_HEAD = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)


def canonical_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(
    prev_hash: str,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity_kind: str,
    entity_id: int,
    before: str | None,
    after: str | None,
) -> str:
    body = json.dumps(
        [prev_hash, occurred_at.isoformat(), actor, action, entity_kind, entity_id, before, after],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record_event(
    session: Session,
    ctx: OperatorContext,
    at: datetime,
    action: str,
    entity_kind: str,
    entity_id: int,
    *,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    session.flush()  # what the caller changed goes in before the event that records it
    event = AuditEvent(
        **event_values(chain_head(session.connection()), ctx, at, action, entity_kind, entity_id, before, after)
    )
    session.add(event)
    session.flush()
    return event


def chain_head(connection: Connection) -> str:
    """The hash the next event chains to. On PostgreSQL the settings row is locked first,
    so two transactions cannot both extend the same head (SQLite's BEGIN IMMEDIATE
    already serialises writers)."""
    if connection.dialect.name != "sqlite":
        connection.execute(_LOCK_CHAIN)
    return connection.scalar(_CHAIN_HEAD) or GENESIS_HASH


def event_values(
    prev_hash: str,
    ctx: OperatorContext,
    at: datetime,
    action: str,
    entity_kind: str,
    entity_id: int,
    before: Any,
    after: Any,
) -> dict[str, Any]:
    """The columns of the event that follows ``prev_hash``."""
    at = at.astimezone(UTC)
    before_json, after_json = canonical_json(before), canonical_json(after)
    return {
        "occurred_at": at,
        "actor": ctx.login,
        "action": action,
        "entity_kind": entity_kind,
        "entity_id": entity_id,
        "before": before_json,
        "after": after_json,
        "prev_hash": prev_hash,
        "hash": event_hash(prev_hash, at, ctx.login, action, entity_kind, entity_id, before_json, after_json),
    }


_EVENT_COLUMNS = ("occurred_at", "actor", "action", "entity_kind", "entity_id", "before", "after", "prev_hash", "hash")


@cache
def _insert_event() -> Prepared:
    return Prepared(AuditEvent.__table__.insert().values({name: bindparam(name) for name in _EVENT_COLUMNS}))


def append_event(connection: Connection, values: dict[str, Any]) -> None:
    """Insert an event built by :func:`event_values` without the ORM (no session, no flush)."""
    _insert_event().run(connection, values)


def verify_chain(session: Session) -> tuple[int, list[str]]:
    """Walk every event in order; returns how many were checked and the first break, if any."""
    expected_prev = GENESIS_HASH
    checked = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000))
    for (event,) in rows:
        checked += 1
        recomputed = event_hash(
            event.prev_hash,
            event.occurred_at,
            event.actor,
            event.action,
            event.entity_kind,
            event.entity_id,
            event.before,
            event.after,
        )
        if event.prev_hash != expected_prev or recomputed != event.hash:
            return checked, [
                f"audit event {event.id} ({event.action} {event.entity_kind}:{event.entity_id}) "
                "does not match the chain: it or an earlier event was changed or removed"
            ]
        expected_prev = event.hash
    return checked, []
