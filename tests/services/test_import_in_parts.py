"""A big payments file is taken in parts: each part is written while the next is checked,
and a bundle is settled once no later part names it. Still all or nothing: a bad row
anywhere, however late, and nothing is imported, every bad row named with its line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from classpay_tui.db.models import ClassBundle, ClassPayment, OrderPayment, PaymentAllocation
from classpay_tui.services.bulk import settle
from classpay_tui.services.import_ops import ImportRejected
from classpay_tui.services.importing import files as import_files
from tests.builders import write_csv

BUNDLES = 30
HEADER = ["bundle_ref", "reference", "amount", "kind", "installment", "method", "received_on", "note"]


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_files, "CHUNK", 10)
    monkeypatch.setattr(settle, "BATCH", 4)


@pytest.fixture
def catalog(service, admin, tmp_path: Path) -> dict[str, int]:
    """BUNDLES bundles of 400.00: a deposit of 100.00 and three installments of 100.00; ref → id."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    paths = [
        write_csv(folder / "clients.csv", ["ref", "name"], [[f"C{n}", f"Client {n}"] for n in range(BUNDLES)]),
        write_csv(
            folder / "bundles.csv",
            ["ref", "client_ref", "title", "classes", "total", "deposit", "start_date"],
            [[f"B{n}", f"C{n}", "Course", 4, "400.00", "100.00", "2023-09-01"] for n in range(BUNDLES)],
        ),
        write_csv(
            folder / "installments.csv",
            ["bundle_ref", "number", "amount", "due_date"],
            [[f"B{n}", k, "100.00", f"2023-1{k - 1}-01"] for n in range(BUNDLES) for k in (1, 2, 3)],
        ),
    ]
    service.import_files(admin, paths)
    with service.db.read() as session:
        return dict(session.execute(select(ClassBundle.external_ref, ClassBundle.id)).all())


def _payments(n: int) -> list[list[object]]:
    """Bundle n's deposit and first installment."""
    return [
        [f"B{n}", f"P{n}-0", "100.00", "deposit", "", "cash", "2023-09-01", ""],
        [f"B{n}", f"P{n}-1", "100.00", "installment", 1, "card", "2023-10-01", ""],
    ]


def _ledger(service) -> tuple[int, int, int]:
    with service.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(OrderPayment)),
            session.scalar(select(func.count()).select_from(PaymentAllocation)),
            session.scalar(select(func.count()).where(ClassPayment.amount_paid > 0)),
        )


def test_a_file_in_many_parts_imports_every_bundle(service, admin, catalog, tmp_path):
    rows = [row for n in range(BUNDLES) for row in _payments(n)]
    report = service.import_files(admin, [write_csv(tmp_path / "payments.csv", HEADER, rows)])
    assert report.added == {"payments": 2 * BUNDLES}
    for summary in service.list_payments(admin, limit=BUNDLES):
        assert (summary.deposit_paid, summary.paid_installments, summary.balance_remaining) == (
            Decimal("100.00"),
            1,
            Decimal("200.00"),
        )
    assert service.check(admin).ok


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (["B3", "LATE", "12.345", "", "", "", "2023-12-01", ""], "amount 12.345 has more than two decimal places"),
        (
            ["B404", "LATE", "10.00", "", "", "", "2023-12-01", ""],
            "there is no bundle 'B404' in this import or in classpay",
        ),
        (["B3", "P3-0", "100.00", "", "", "", "2023-12-01", ""], "reference P3-0 appears twice"),
    ],
)
def test_a_bad_row_late_in_a_big_file_imports_nothing(service, admin, catalog, tmp_path, bad, problem):
    """By the last row, the parts before it are written and most bundles settled: all of it
    is rolled back, and the bad row is named with its line."""
    rows = [row for n in range(BUNDLES) for row in _payments(n)] + [bad]
    with pytest.raises(ImportRejected) as rejected:
        service.import_files(admin, [write_csv(tmp_path / "payments.csv", HEADER, rows)])
    assert rejected.value.problems == [f"payments.csv line {len(rows) + 1}: {problem}"]
    assert _ledger(service) == (0, 0, 0)
    assert service.check(admin).ok


def test_an_overpayment_in_an_early_part_is_only_reported_when_no_row_is_bad(service, admin, catalog, tmp_path):
    """The overpaid bundle is settled (and refused) while later parts are checked; as when the
    file is taken whole, an allocation problem is only reported if no row is bad."""
    over = ["B0", "BIG", "900.00", "payment", "", "cash", "2023-09-02", ""]
    rows = [over] + [row for n in range(1, BUNDLES) for row in _payments(n)]
    with pytest.raises(ImportRejected) as rejected:
        service.import_files(admin, [write_csv(tmp_path / "payments.csv", HEADER, rows)])
    [problem] = rejected.value.problems
    assert problem.startswith("payments.csv line 2: payment BIG cannot be allocated: 900.00 is 500.00 more than")
    late = ["B5", "LATE", "10.00", "", "", "wire", "2023-12-01", ""]
    with pytest.raises(ImportRejected) as rejected:
        service.import_files(admin, [write_csv(tmp_path / "payments.csv", HEADER, [*rows, late])])
    assert rejected.value.problems == [
        f"payments.csv line {len(rows) + 2}: method 'wire' is not one of cash, card, bank_transfer, paypal, other"
    ]
    assert _ledger(service) == (0, 0, 0)


def test_a_bundle_named_by_ref_and_by_id_is_settled_once_with_all_its_payments(service, admin, catalog, tmp_path):
    """B0 by ref in the first part, by id in the last: its deposit must not be settled alone."""
    header = ["bundle_id", *HEADER]
    rows = [["", *row] for n in range(BUNDLES) for row in _payments(n)[:1]]
    rows.append([catalog["B0"], "", "ID-1", "100.00", "installment", 1, "cash", "2023-10-01", ""])
    report = service.import_files(admin, [write_csv(tmp_path / "payments.csv", header, rows)])
    assert report.added == {"payments": BUNDLES + 1}
    details = service.get_payment_details(admin, catalog["B0"])
    assert (details.deposit_paid, details.paid_installments) == (Decimal("100.00"), 1)
    assert service.check(admin).ok


def test_a_bonus_for_a_bundle_whose_payments_end_early_is_its_payout(service, admin, catalog, tmp_path):
    """B0's payments are all in the first part, and a bonus names it: it is settled last, with the bonus."""
    rows = [row for n in range(BUNDLES) for row in _payments(n)]
    bonus = write_csv(
        tmp_path / "bonuses.csv",
        ["ref", "writer", "bundle_ref", "amount", "granted_on", "is_paid"],
        [["WB-1", "wa", "B0", "20.00", "2023-10-02", "true"]],
    )
    writers = write_csv(tmp_path / "writers.csv", ["username", "name"], [["wa", "Writer A"]])
    service.import_files(admin, [writers])
    service.assign_writer(admin, catalog["B0"], "wa")
    report = service.import_files(admin, [write_csv(tmp_path / "payments.csv", HEADER, rows), bonus])
    assert report.added == {"payments": 2 * BUNDLES, "bonuses": 1}
    [payout] = service.get_payment_details(admin, catalog["B0"]).writer_payments
    assert (payout.amount, payout.status.value) == (Decimal("20.00"), "paid")
    assert service.check(admin).ok


def test_digits_that_are_not_ascii_are_bad_rows_not_a_crash(service, admin, catalog, tmp_path):
    header = ["bundle_id", *HEADER]
    rows = [
        ["²", "", "R-1", "100.00", "", "", "", "2023-09-01", ""],
        ["", "B1", "R-2", "100.00", "", "٣", "", "2023-09-01", ""],
    ]
    with pytest.raises(ImportRejected) as rejected:
        service.import_files(admin, [write_csv(tmp_path / "payments.csv", header, rows)])
    assert rejected.value.problems == [
        "payments.csv line 2: bundle_id '²' is not a number",
        "payments.csv line 3: installment '٣' is not a whole number from 1 to 120",
    ]


def test_a_bundle_in_two_payment_files_is_settled_once_both_are_taken(service, admin, catalog, tmp_path):
    first = [row for n in range(BUNDLES) for row in _payments(n)[:1]]  # every deposit
    second = [row for n in range(BUNDLES) for row in _payments(n)[1:]]  # every first installment
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [
        write_csv(tmp_path / "a" / "payments.csv", HEADER, first),
        write_csv(tmp_path / "b" / "payments.csv", HEADER, second),
    ]
    report = service.import_files(admin, paths)
    assert report.added == {"payments": 2 * BUNDLES}
    for summary in service.list_payments(admin, limit=BUNDLES):
        assert (summary.deposit_paid, summary.paid_installments) == (Decimal("100.00"), 1)
    assert service.check(admin).ok
