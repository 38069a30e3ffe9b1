"""The bulk read steps (:func:`fetch_raw`, :func:`fetch_raw_together`, :func:`decoded`,
:func:`converted`) give exactly the rows a plain select gives, with the usual Python
values, however the keys are split into pieces: on SQLite (a JSON array of columns per
piece) and on PostgreSQL (the driver's rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from classpay_tui.db.bulk import converted, decoded, fetch_raw, fetch_raw_together, prebuilt_read
from classpay_tui.db.key_lists import in_keys, keys_value
from classpay_tui.db.models import ClassBundle, ClassInstallment
from classpay_tui.services import ClassPaymentService, OperatorContext
from tests.builders import seed_bundle, writer

_INSTALLMENTS = select(
    ClassInstallment.bundle_id,
    ClassInstallment.installment_number,
    ClassInstallment.amount,
    ClassInstallment.due_date,
)


def _bundles(service: ClassPaymentService, admin: OperatorContext) -> list[int]:
    writer(service, admin)
    plans = [("1000.00", "200.00", 4), ("800.00", "0.00", 3), ("90.10", "0.10", 1), ("500.00", "500.00", 0)]
    return [
        seed_bundle(service, admin, total=total, deposit=deposit, installments=count).bundle_id
        for total, deposit, count in plans
    ]


def _read(session, query, keys: list[list[int]]) -> list[tuple]:  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect
    statement, processors = prebuilt_read(dialect, query)
    pieces = [fetch_raw(session, statement, {"ids": keys_value(dialect.name, part)}) for part in keys]
    return sorted(converted(decoded(pieces), processors))


def test_pieces_read_as_one_plain_select(service: ClassPaymentService, admin: OperatorContext) -> None:
    bundle_ids = _bundles(service, admin)
    with service.db.read() as session:
        dialect = session.get_bind().dialect.name
        query = _INSTALLMENTS.where(in_keys(ClassInstallment.bundle_id, dialect, "ids"))
        expected = sorted(tuple(row) for row in session.execute(_INSTALLMENTS).all())
        assert len(expected) == 8
        # One piece, a piece per bundle, and pieces that find nothing (the fourth bundle has
        # no installments, 0 is no bundle), in any order.
        splits = [
            [bundle_ids],
            [[bundle_id] for bundle_id in bundle_ids],
            [[0], bundle_ids[2:], [], bundle_ids[:2], [bundle_ids[3]]],
        ]
        for keys in splits:
            assert _read(session, query, keys) == expected
        first = _read(session, query, [[bundle_ids[0]]])
        assert [row[2] for row in first] == [Decimal("200.00")] * 4  # money from cents
        assert all(isinstance(row[3], date) for row in first)
        assert _read(session, query, [[0], []]) == []
        assert converted(decoded([]), []) == []


def test_statements_read_together_as_one_by_one(service: ClassPaymentService, admin: OperatorContext) -> None:
    bundle_ids = _bundles(service, admin)
    with service.db.read() as session:
        dialect = session.get_bind().dialect
        queries = [
            _INSTALLMENTS.where(in_keys(ClassInstallment.bundle_id, dialect.name, "ids")),
            select(ClassBundle.id, ClassBundle.total_amount, ClassBundle.title).where(
                in_keys(ClassBundle.id, dialect.name, "ids")
            ),
            select(ClassBundle.id).where(in_keys(ClassBundle.id, dialect.name, "ids"), ClassBundle.id < 0),
        ]
        prepared = [prebuilt_read(dialect, query) for query in queries]
        params = {"ids": keys_value(dialect.name, bundle_ids[1:])}
        together = fetch_raw_together(session, [statement for statement, _ in prepared], params)
        assert len(together) == len(queries)
        for piece, (statement, processors) in zip(together, prepared, strict=True):
            alone = fetch_raw(session, statement, params)
            assert sorted(converted(decoded([piece]), processors)) == sorted(converted(decoded([alone]), processors))
        bundles = sorted(converted(decoded([together[1]]), prepared[1][1]))
        assert [(row[0], row[1]) for row in bundles] == [
            (bundle_ids[1], Decimal("800.00")),
            (bundle_ids[2], Decimal("90.10")),
            (bundle_ids[3], Decimal("500.00")),
        ]
        assert converted(decoded([together[2]]), prepared[2][1]) == []
