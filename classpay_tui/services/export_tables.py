"""What ``classpay export`` writes: one flat table per kind, read in SQL pages and written as
CSV (every cell spreadsheet-safe) or JSON (an array of objects), without loading everything."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from classpay_tui.db.models import (
    AuditEvent,
    ClassBundle,
    ClassPayment,
    ClassWriterPayment,
    Client,
    OrderPayment,
    Writer,
)
from classpay_tui.services.export import write_csv

PAGE = 2000


@dataclass(frozen=True)
class Table:
    query: Callable[[], Select[Any]]
    json_columns: frozenset[str] = frozenset()  # columns holding JSON text, written as JSON values


def _bundles() -> Select[Any]:
    return (
        select(
            ClassBundle.id.label("bundle_id"),
            ClassPayment.id.label("payment_record_id"),
            ClassBundle.created_at,
            Client.id.label("client_id"),
            Client.name.label("client_name"),
            Client.email.label("client_email"),
            Client.phone.label("client_phone"),
            ClassBundle.title,
            ClassBundle.number_of_classes,
            ClassBundle.status.label("bundle_status"),
            ClassBundle.start_date,
            Writer.username.label("assigned_writer_username"),
            ClassBundle.total_amount,
            ClassBundle.deposit_amount,
            ClassPayment.deposit_paid,
            ClassPayment.amount_paid,
            ClassPayment.refunded_amount,
            ClassPayment.balance_remaining,
            ClassPayment.client_payment_status,
            ClassPayment.total_installments,
            ClassPayment.paid_installments,
            ClassPayment.next_due_date,
            ClassPayment.writer_compensation_amount,
            ClassPayment.writer_paid_amount,
            ClassPayment.writer_scheduled_amount,
            ClassPayment.writer_owed_back,
            ClassPayment.writer_payment_status,
        )
        .join(Client, ClassBundle.client_id == Client.id)
        .outerjoin(Writer, ClassBundle.writer_id == Writer.id)
        .outerjoin(ClassPayment, ClassPayment.bundle_id == ClassBundle.id)
        .order_by(ClassBundle.id)
    )


def _payments() -> Select[Any]:
    return select(
        OrderPayment.id,
        OrderPayment.bundle_id,
        OrderPayment.kind,
        OrderPayment.amount,
        OrderPayment.method,
        OrderPayment.reference,
        OrderPayment.target_installment,
        OrderPayment.received_at,
        OrderPayment.recorded_at,
        OrderPayment.recorded_by,
        OrderPayment.note,
        OrderPayment.reverses_id.label("reverses"),
    ).order_by(OrderPayment.id)


def _payouts() -> Select[Any]:
    return (
        select(
            ClassWriterPayment.id,
            ClassPayment.bundle_id,
            ClassWriterPayment.class_payment_id.label("payment_record_id"),
            ClassWriterPayment.writer_id,
            Writer.username.label("writer_username"),
            ClassWriterPayment.amount,
            ClassWriterPayment.payment_type,
            ClassWriterPayment.status,
            ClassWriterPayment.scheduled_for,
            ClassWriterPayment.paid_at,
            ClassWriterPayment.reference,
            ClassWriterPayment.method,
            ClassWriterPayment.bonus_id,
            ClassWriterPayment.created_at,
            ClassWriterPayment.cancelled_at,
            ClassWriterPayment.cancel_reason,
        )
        .join(Writer, ClassWriterPayment.writer_id == Writer.id)
        .join(ClassPayment, ClassWriterPayment.class_payment_id == ClassPayment.id)
        .order_by(ClassWriterPayment.id)
    )


def _audit() -> Select[Any]:
    return select(
        AuditEvent.id,
        AuditEvent.occurred_at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.entity_kind,
        AuditEvent.entity_id,
        AuditEvent.before,
        AuditEvent.after,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    ).order_by(AuditEvent.id)


TABLES: dict[str, Table] = {
    "bundles": Table(_bundles),
    "payments": Table(_payments),
    "payouts": Table(_payouts),
    "audit": Table(_audit, frozenset({"before", "after"})),
}
FORMATS = ("csv", "json")


def _same(value: object) -> object:
    return value


def _iso(value: date) -> str:
    return value.isoformat()


def _money(value: Decimal) -> str:
    return f"{value:.2f}"  # read from a cents column: always exactly two places


# Looked up by exact type: an export converts millions of values.
_CONVERTERS: dict[type, Callable[[Any], object]] = {
    Decimal: _money,
    datetime: _iso,
    date: _iso,
    int: _same,
    str: _same,
    bool: _same,
    type(None): _same,
}


def plain(value: object) -> object:
    """A value as JSON and CSV carry it: money "12.50", dates and times ISO 8601, enums by value."""
    convert = _CONVERTERS.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def write_table(session: Session, kind: str, fmt: str, path: Path) -> int:
    """Write every row of ``kind`` to ``path``; returns how many rows were written."""
    table = TABLES[kind]
    result = session.execute(table.query().execution_options(yield_per=PAGE))
    headers = list(result.keys())
    count = 0

    def rows() -> Iterator[tuple[object, ...]]:
        nonlocal count
        for row in result:
            count += 1
            yield tuple(plain(value) for value in row)

    with path.open("w", encoding="utf-8", newline="") as stream:
        if fmt == "csv":
            write_csv(stream, headers, rows())
        else:
            _write_json(stream, headers, rows(), table.json_columns)
    return count


def _write_json(
    stream: TextIO, headers: list[str], rows: Iterator[tuple[object, ...]], json_columns: frozenset[str]
) -> None:
    stream.write("[")
    for index, row in enumerate(rows):
        item = {
            key: json.loads(value) if key in json_columns and isinstance(value, str) else value
            for key, value in zip(headers, row, strict=True)
        }
        stream.write(",\n  " if index else "\n  ")
        stream.write(json.dumps(item, ensure_ascii=False))
    stream.write("\n]\n")
