"""Query budgets: opening a bundle's details, listing a page and recording a payment each
run a fixed number of SQL statements, whatever the number of installments, payments or
bundles (counted with a ``before_cursor_execute`` listener on the service's engine)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import event

from classpay_tui.domain.plans import Frequency
from classpay_tui.services.list_schemas import ListQuery, PageFrom, PageRequest
from classpay_tui.services.schemas import PaymentIn
from tests.builders import pay, seed_bundle, writer


@contextmanager
def counted(service) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(service.db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(service.db.engine, "before_cursor_execute", count)


def small_and_large(service, admin) -> tuple[int, int]:
    """A bundle of 2 installments with its deposit paid, and one of 24 with its deposit and
    first eleven installments paid."""
    writer(service, admin)
    small = seed_bundle(service, admin, total="1000.00", deposit="200.00", installments=2)
    large = seed_bundle(service, admin, total="2600.00", deposit="200.00", installments=24, every=Frequency.WEEK)
    for bundle, paid in ((small, 0), (large, 11)):
        pay(service, admin, bundle.bundle_id, "200.00", deposit=True)
        for item in bundle.installments[:paid]:
            pay(service, admin, bundle.bundle_id, str(item.amount), installment_number=item.installment_number)
    return small.bundle_id, large.bundle_id


def test_payment_details_take_the_same_statements_for_2_or_24_installments(service, admin):
    small, large = small_and_large(service, admin)
    service.get_payment_details(admin, small)  # the currency is read once per service
    with counted(service) as few:
        details_small = service.get_payment_details(admin, small)
    with counted(service) as many:
        details_large = service.get_payment_details(admin, large)
    assert (len(details_small.installments), len(details_large.installments)) == (2, 24)
    assert (len(details_small.ledger), len(details_large.ledger)) == (1, 12)
    assert len(many) == len(few), many
    assert len(few) <= 8


# A search on SQLite first reads its matches from the search index (migration 0008): one
# statement more, whatever the number of bundles.
SEARCH_STATEMENTS = {"sqlite": 1, "postgresql": 0}


def test_a_page_takes_the_same_statements_for_3_or_60_bundles(service, admin):
    writer(service, admin)
    for _ in range(3):
        seed_bundle(service, admin)
    service.list_payments(admin, limit=50)
    with counted(service) as few:
        page = service.list_payments(admin, limit=50)
    assert len(page) == 3
    for _ in range(57):
        seed_bundle(service, admin, first_due=date(2023, 12, 1))  # overdue
    searching = SEARCH_STATEMENTS[service.db.engine.dialect.name]
    for status in (None, "pending", "overdue"):
        with counted(service) as many:
            page = service.list_payments(admin, limit=50, status=status, order="-balance", search="essay")
        assert len(page) == 50
        assert len(many) == len(few) + searching, many
    with counted(service) as by_writer:
        service.list_payments(admin, limit=50, writer="writer1", offset=10)
    assert len(by_writer) == len(few) + 1  # finding the writer by name
    assert len(few) <= 6


def test_a_keyset_page_of_the_terminal_list_takes_a_few_statements_whatever_its_size(service, admin):
    """A page walks at most three index ranges (ties, beyond, no due date), then reads its
    rows in one query: a fixed budget for 3 rows or 100, next, previous or last."""
    writer(service, admin)
    for _ in range(3):
        seed_bundle(service, admin)
    service.bundle_list_page(admin, ListQuery(), PageRequest())
    with counted(service) as few:
        page = service.bundle_list_page(admin, ListQuery(), PageRequest(count=True))
    assert len(page.rows) == 3
    for _ in range(120):
        seed_bundle(service, admin, first_due=date(2023, 12, 1))
    searching = SEARCH_STATEMENTS[service.db.engine.dialect.name]
    for query in (ListQuery(), ListQuery(order="due", status="overdue"), ListQuery(order="-balance", search="essay")):
        first = service.bundle_list_page(admin, query, PageRequest(limit=100))
        for request in (
            PageRequest(start=PageFrom.AFTER, key=first.rows[-1].key, limit=100, count=True),
            PageRequest(start=PageFrom.BEFORE, key=first.rows[-1].key, limit=99),
            PageRequest(start=PageFrom.LAST, limit=100, count=True),
        ):
            with counted(service) as many:
                service.bundle_list_page(admin, query, request)
            extra = searching if query.search else 0
            assert len(many) <= len(few) + 2 + extra, many  # at most two more index ranges
    assert len(few) <= 5


# Recording a payment, on SQLite: BEGIN IMMEDIATE; the payment record (with the check of
# the reference and the audit chain's head), its installments, its ledger; the new entry,
# its allocation, the installment it paid, the summary and the audit event. PostgreSQL
# locks the bundle, looks up the reference and locks and reads the chain's head in
# statements of their own (after the lock, so no read comes from before the wait).
PAYMENT_STATEMENTS = {"sqlite": 9, "postgresql": 12}


def test_recording_a_payment_takes_the_same_statements_for_2_or_24_installments(service, admin):
    small, large = small_and_large(service, admin)
    expected = PAYMENT_STATEMENTS[service.db.engine.dialect.name]
    for bundle_id in (small, large):
        details = service.get_payment_details(admin, bundle_id)
        item = next(i for i in details.installments if not i.is_paid)
        with counted(service) as statements:
            result = service.record_payment(
                admin,
                bundle_id,
                PaymentIn(amount=item.amount, reference=f"Q-{bundle_id}", received_on=date(2024, 1, 15)),
                installment_number=item.installment_number,
            )
        assert result.created and result.details.client_payment_status.value == "partial"
        assert len(statements) == expected, statements
    details = service.get_payment_details(admin, large)
    item = next(i for i in details.installments if not i.is_paid)
    with counted(service) as by_id:
        service.record_installment_payment(admin, item.id, PaymentIn(amount=item.amount, reference="Q-by-id"))
    assert len(by_id) == expected, by_id


def test_recording_the_payment_that_schedules_a_payout_adds_its_writes(service, admin):
    """Paying in full schedules the writer's payout: the payouts are read, and the payout
    and its bonus written, on top of the usual statements."""
    small, _ = small_and_large(service, admin)
    details = service.get_payment_details(admin, small)
    *_, last = [i for i in details.installments if not i.is_paid]
    service.record_payment(admin, small, PaymentIn(amount=details.installments[0].amount, reference="Q-1"))
    with counted(service) as statements:
        result = service.record_payment(
            admin, small, PaymentIn(amount=last.amount, reference="Q-2"), installment_number=last.installment_number
        )
    assert [p.payment_type.value for p in result.details.writer_payments] == ["full"]
    assert len(statements) == PAYMENT_STATEMENTS[service.db.engine.dialect.name] + 2, statements


def test_results_built_without_validation_equal_validated_ones(service, admin):
    """The views skip pydantic's validation for rows read from the database: what they build
    must be exactly what validating the same values gives."""
    small, large = small_and_large(service, admin)
    service.refund(admin, large, PaymentIn(amount=Decimal("50.00"), reference="BACK-1"))
    results = [
        service.get_payment_details(admin, small),
        service.get_payment_details(admin, large),
        *service.list_payments(admin),
        *service.get_writer_class_payments(admin, "writer1"),
    ]
    for result in results:
        validated = type(result).model_validate(result.model_dump())
        assert validated == result
        assert validated.model_dump_json() == result.model_dump_json()
