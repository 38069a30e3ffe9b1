"""``list_payments(order=...)``: sorting on stored summary columns, in SQL, with a stable tiebreak."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services import OperatorContext
from classpay_tui.services.schemas import BundleIn, PlanIn
from tests.builders import pay, seed_bundle

ADMIN = OperatorContext(login="alice")


def _bundle(service, ctx, client: str, total: str, first_due: date | None = None) -> int:
    plan = PlanIn(count=2, first_due=first_due) if first_due else None
    data = BundleIn(client_name=client, title="Essay", number_of_classes=4, total_amount=Decimal(total), plan=plan)
    return service.create_bundle(ctx, data).bundle_id


@pytest.fixture
def bundles(service, admin):
    """Four bundles: balances 300 / 100 / 400 / 100 (a tie), one with no due date."""
    carol = _bundle(service, admin, "carol", "300.00", date(2024, 3, 1))
    alice = _bundle(service, admin, "Alice", "500.00", date(2024, 2, 1))
    bob = _bundle(service, admin, "bob", "400.00")
    dave = _bundle(service, admin, "Dave", "100.00", date(2024, 4, 1))
    pay(service, admin, alice, "400.00")
    return {"carol": carol, "alice": alice, "bob": bob, "dave": dave}


def _ids(service, **kwargs) -> list[int]:
    return [item.bundle_id for item in service.list_payments(ADMIN, **kwargs)]


def test_default_is_newest_first(service, bundles):
    b = bundles
    assert _ids(service) == [b["dave"], b["bob"], b["alice"], b["carol"]]
    assert _ids(service, order="id") == [b["carol"], b["alice"], b["bob"], b["dave"]]


def test_by_balance_ties_newest_first_and_descending_is_the_reverse(service, bundles):
    b = bundles
    assert _ids(service, order="balance") == [b["dave"], b["alice"], b["carol"], b["bob"]]
    # Read backwards: the tied balances (alice, dave) oldest first.
    assert _ids(service, order="-balance") == [b["bob"], b["carol"], b["alice"], b["dave"]]
    for name in ("balance", "paid", "client", "id"):
        assert _ids(service, order=f"-{name}") == _ids(service, order=name)[::-1], name


def test_by_paid_client_and_due(service, bundles):
    b = bundles
    assert _ids(service, order="-paid")[0] == b["alice"]
    assert _ids(service, order="client") == [b["alice"], b["bob"], b["carol"], b["dave"]]
    assert _ids(service, order="-client") == [b["dave"], b["carol"], b["bob"], b["alice"]]
    # Alice's first installment is paid, so her next due date is her second one (2024-03-01).
    # No due date (bob, paid in full on delivery) sorts last in both directions.
    assert _ids(service, order="due")[-1] == b["bob"]
    assert _ids(service, order="-due")[-1] == b["bob"]


def test_pages_in_order_never_skip_or_repeat(service, admin):
    ids = [seed_bundle(service, admin, writer_name=None, total="500.00").bundle_id for _ in range(5)]
    for order, oldest_first in (("balance", False), ("-balance", True)):
        pages = [_ids(service, order=order, limit=2, offset=offset) for offset in (0, 2, 4)]
        assert [bundle for page in pages for bundle in page] == sorted(ids, reverse=not oldest_first)


def test_order_filters_and_refusals(service, bundles, admin):
    assert _ids(service, order="client", search="c") == [bundles["alice"], bundles["carol"]]
    with pytest.raises(InvalidInput, match="not a sort order"):
        service.list_payments(admin, order="colour")
