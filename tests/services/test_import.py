"""``import_files``: the seed's migration path, all or nothing, safe to repeat."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from classpay_tui.db.models import ClassBundle, OrderPayment, WriterBonus
from classpay_tui.domain.errors import PermissionDenied
from classpay_tui.services.bulk import settle
from classpay_tui.services.import_ops import ImportRejected
from classpay_tui.services.importing import files as import_files

EXAMPLES = Path(__file__).parents[2] / "examples" / "import"


@pytest.fixture(autouse=True, params=["whole", "row by row"])
def parts(request, monkeypatch) -> None:
    """Every test twice: the files taken whole, and taken a row at a time (each bundle
    settled as soon as no later row names it), as the parts of a big file are."""
    if request.param == "row by row":
        monkeypatch.setattr(import_files, "CHUNK", 1)
        monkeypatch.setattr(settle, "BATCH", 1)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "import"
    shutil.copytree(EXAMPLES, folder)
    return folder


def everything(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def counts(service) -> tuple[int, int, int]:
    with service.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(ClassBundle)),
            session.scalar(select(func.count()).select_from(OrderPayment)),
            session.scalar(select(func.count()).select_from(WriterBonus)),
        )


def test_sample_files_import_and_link(service, admin, files):
    report = service.import_files(admin, everything(files))
    assert report.added == {"clients": 2, "writers": 2, "bundles": 2, "installments": 3, "payments": 3, "bonuses": 1}
    [thesis, essentials] = service.list_payments(admin)
    assert essentials.deposit_paid == Decimal("200.00") and essentials.paid_installments == 1
    assert essentials.balance_remaining == Decimal("400.00") and essentials.is_overdue
    assert thesis.client_payment_status.value == "paid"
    # The older system's paid bonus is the writer's payout: nothing is scheduled twice.
    [payout] = thesis.writer_payments
    assert (payout.amount, payout.status.value, payout.bonus_id is not None) == (Decimal("540.00"), "paid", True)
    assert thesis.writer_payment_status.value == "paid"
    assert service.check(admin).ok


def test_importing_twice_changes_nothing(service, admin, files):
    service.import_files(admin, everything(files))
    before = [p.model_dump() for p in service.list_payments(admin)], counts(service)
    again = service.import_files(admin, everything(files))
    assert again.added == {"payments": 0}
    assert again.unchanged == {"clients": 2, "writers": 2, "bundles": 2, "installments": 3, "payments": 3, "bonuses": 1}
    assert ([p.model_dump() for p in service.list_payments(admin)], counts(service)) == before


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(service, admin, files):
    (files / "payments.csv").write_text(
        "bundle_ref,reference,amount,kind,installment,method,received_on\n"
        "B-2023-17,OK-1,200.00,deposit,,cash,2023-09-01\n"
        "B-2023-17,BAD-1,12.345,,,,2023-09-02\n"
        "B-2023-99,BAD-2,10.00,,,,2023-09-02\n"
        "B-2023-17,BAD-3,10.00,,,,2099-01-01\n"
        "B-2023-17,BAD-4,10.00,,,wire,2023-09-02\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        service.import_files(admin, everything(files))
    assert rejected.value.problems == [
        "payments.csv line 3: amount 12.345 has more than two decimal places",
        "payments.csv line 6: method 'wire' is not one of cash, card, bank_transfer, paypal, other",
        "payments.csv line 4: there is no bundle 'B-2023-99' in this import or in classpay",
        "payments.csv line 5: received_on 2099-01-01 is in the future",
    ]
    assert str(rejected.value) == "4 bad rows; nothing was imported."
    assert counts(service) == (0, 0, 0)


def test_overpayment_and_plan_errors_are_reported_with_their_line(service, admin, files):
    (files / "installments.csv").write_text("bundle_ref,number,amount,due_date\nB-2023-17,1,600.01,2023-10-01\n")
    (files / "payments.csv").write_text(
        "bundle_ref,reference,amount,kind,installment,method,received_on\nB-2023-18,BIG,1300.00,,,card,2023-06-01\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        service.import_files(
            admin, [files / "clients.csv", files / "writers.csv", files / "bundles.csv", files / "installments.csv"]
        )
    assert rejected.value.problems == [
        "installments.csv line 2: the installments of bundle B-2023-17 add up to 600.01, not the balance 600.00"
    ]
    with pytest.raises(ImportRejected) as rejected:
        service.import_files(
            admin, [files / "clients.csv", files / "writers.csv", files / "bundles.csv", files / "payments.csv"]
        )
    [problem] = rejected.value.problems
    assert problem.startswith("payments.csv line 2: payment BIG cannot be allocated: 1,300.00 is 100.00 more than")
    assert counts(service) == (0, 0, 0)


def test_clashes_with_stored_records_are_bad_rows(service, admin, files):
    service.import_files(admin, everything(files))
    (files / "payments.csv").write_text(
        "bundle_ref,reference,amount,kind,installment,method,received_on\nB-2023-17,OLD-5501,150.00,,,cash,2023-09-01\n"
    )
    with pytest.raises(ImportRejected, match="1 bad row") as rejected:
        service.import_files(admin, [files / "payments.csv"])
    assert "reference OLD-5501 is already recorded" in rejected.value.problems[0]


def test_json_object_of_kinds_and_payments_into_existing_bundles(service, admin, files, tmp_path):
    service.import_files(admin, everything(files))
    bundle_id = next(p.bundle_id for p in service.list_payments(admin) if p.title == "Academic Writing Essentials")
    data = {
        "payments": [{"bundle_id": bundle_id, "reference": "LATE-1", "amount": "200.00", "received_on": "2023-11-03"}]
    }
    path = tmp_path / "more.json"
    path.write_text(json.dumps(data))
    report = service.import_files(admin, [path])
    assert report.added == {"payments": 1}
    details = service.get_payment_details(admin, bundle_id)
    assert details.paid_installments == 2 and details.balance_remaining == Decimal("200.00")
    assert service.check(admin).ok


def test_unreadable_files_are_refused(service, admin, tmp_path):
    stray = tmp_path / "notes.csv"
    stray.write_text("a,b\n1,2\n")
    with pytest.raises(Exception, match="cannot tell what it holds"):
        service.import_files(admin, [stray])
    broken = tmp_path / "payments.json"
    broken.write_text("{not json")
    with pytest.raises(Exception, match="not valid JSON"):
        service.import_files(admin, [broken])


def test_import_is_for_admins(service, staff, files):
    with pytest.raises(PermissionDenied):
        service.import_files(staff, everything(files))
