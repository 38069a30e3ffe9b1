"""Column types: money as integer cents, timestamps always UTC, enums as checked text."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Dialect, Enum, MetaData
from sqlalchemy.types import TypeDecorator

from classpay_tui.domain.money import from_cents, to_cents


class Cents(TypeDecorator[Decimal]):
    """A ``Decimal`` with two places, stored as an integer count of hundredths.

    Money (cents) and percentages with two decimals (60.00 % → 6000) both use it, so no
    float or REAL column ever holds an amount. A value with a third decimal is refused
    on the way in instead of being rounded silently.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else to_cents(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_cents(int(value))

    @property
    def python_type(self) -> type:
        return Decimal


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite has no time zones), always returned aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def text_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """An enum stored as its string values, the same on every database; its CHECK
    constraint comes from :func:`add_enum_checks`."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def add_enum_checks(metadata: MetaData) -> None:
    """Each enum column's CHECK constraint, named after its enum, written as comparisons
    (``kind = 'deposit' OR kind = ...``): SQLite runs ``kind IN (...)``, SQLAlchemy's own
    form, about six times slower, on every row written (migration 0009)."""
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Enum):
                allowed = " OR ".join(f"{column.name} = '{value}'" for value in column.type.enums)
                table.append_constraint(CheckConstraint(allowed, name=column.type.name))
