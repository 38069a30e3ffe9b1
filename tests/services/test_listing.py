"""``list_payments`` (the seed's list endpoint) and the writer dashboard."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classpay_tui.domain.errors import InvalidInput, NotFound
from tests.builders import pay, seed_bundle, writer


@pytest.fixture
def three_bundles(service, admin):
    writer(service, admin, "ann")
    writer(service, admin, "ben")
    first = seed_bundle(service, admin, writer_name="ann")
    second = seed_bundle(service, admin, writer_name="ben", total="500.00", deposit="0")
    third = seed_bundle(service, admin, writer_name=None)
    pay(service, admin, first.bundle_id, "1000.00")
    pay(service, admin, second.bundle_id, "100.00")
    return first, second, third


def test_newest_first_with_paging(service, three_bundles, admin):
    first, second, third = three_bundles
    assert [p.bundle_id for p in service.list_payments(admin)] == [third.bundle_id, second.bundle_id, first.bundle_id]
    assert [p.bundle_id for p in service.list_payments(admin, limit=1, offset=1)] == [second.bundle_id]


def test_filters(service, three_bundles, admin):
    first, second, third = three_bundles
    assert [p.bundle_id for p in service.list_payments(admin, status="paid")] == [first.bundle_id]
    assert [p.bundle_id for p in service.list_payments(admin, status="partial")] == [second.bundle_id]
    assert [p.bundle_id for p in service.list_payments(admin, writer="ben")] == [second.bundle_id]
    assert [p.bundle_id for p in service.list_payments(admin, search="ANN")] == [first.bundle_id]
    assert [p.bundle_id for p in service.list_payments(admin, search=str(third.bundle_id))] == [third.bundle_id]
    assert len(service.list_payments(admin, search="essay")) == 3


def test_overdue_filter_uses_the_clock(service, three_bundles, clock, admin):
    from datetime import UTC, datetime

    clock.at = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    overdue = service.list_payments(admin, status="overdue")
    # The second bundle's first installment (due 2024-01-15) is only part paid; the third paid nothing.
    assert {p.bundle_id for p in overdue} == {three_bundles[1].bundle_id, three_bundles[2].bundle_id}
    assert all(p.is_overdue for p in overdue)


def test_list_items_carry_the_seed_keys(service, three_bundles, admin):
    item = service.list_payments(admin, limit=1)[0].model_dump(mode="json")
    for key in ("id", "bundle_id", "balance_remaining", "payment_progress", "installments", "writer_payments"):
        assert key in item


def test_bad_list_arguments(service, three_bundles, admin):
    with pytest.raises(InvalidInput, match="not a status"):
        service.list_payments(admin, status="lost")
    with pytest.raises(InvalidInput, match="limit"):
        service.list_payments(admin, limit=0)
    with pytest.raises(NotFound):
        service.list_payments(admin, writer="nobody")


def test_writer_dashboard_shows_no_client_money(service, three_bundles, admin):
    first = three_bundles[0]
    [entry] = service.get_writer_class_payments(admin, "ann")
    assert entry.bundle_id == first.bundle_id
    assert entry.writer_compensation_amount == Decimal("600.00")
    assert entry.writer_scheduled_amount == Decimal("600.00")
    assert entry.payment_progress == Decimal("100.0")
    dumped = entry.model_dump(mode="json")
    for client_key in ("total_amount", "balance_remaining", "client_name", "deposit_amount", "ledger"):
        assert client_key not in dumped
    assert all("amount" not in item for item in dumped["installments"])
