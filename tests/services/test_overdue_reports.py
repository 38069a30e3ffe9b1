"""Overdue installments as of any day, reminders that escalate, the aging and collections
reports, and exports safe for spreadsheets — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import mailbox
import re
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

import pytest

from classpay_tui.domain.errors import ClasspayError, InvalidInput, NotFound, PermissionDenied
from classpay_tui.domain.plans import Frequency
from classpay_tui.domain.statuses import Role
from classpay_tui.services import ClassPaymentService, OperatorContext
from classpay_tui.services.reminder_files import write_batch
from classpay_tui.services.reminders import DEFAULT_SUBJECT
from classpay_tui.services.schemas import BundleIn, PaymentIn, PlanIn
from tests.builders import pay
from tests.builders import writer as add_writer

D = Decimal
WRITER = OperatorContext("wendy", Role.WRITER, writer_id=1)


def bundle(
    service: ClassPaymentService,
    ctx: OperatorContext,
    first_due: date,
    *,
    client: str = "Dana Client",
    title: str = "Essay Writing",
    total: str = "1000.00",
    deposit: str = "200.00",
    count: int = 4,
    email: str | None = "dana@example.com",
    phone: str | None = "555-0100",
    writer: str | None = None,
) -> int:
    details = service.create_bundle(
        ctx,
        BundleIn(
            client_name=client,
            title=title,
            number_of_classes=10,
            total_amount=D(total),
            deposit_amount=D(deposit),
            plan=PlanIn(count=count, first_due=first_due, every=Frequency.MONTH),
            client_email=email,
            client_phone=phone,
            writer=writer,
        ),
    )
    return details.bundle_id


def paid_on(service, ctx, bundle_id: int, amount: str, day: date, reference: str, **target: object):
    return service.record_payment(
        ctx, bundle_id, PaymentIn(amount=D(amount), reference=reference, received_on=day), **target
    )


# ---- overdue ---------------------------------------------------------------------------


def test_overdue_lists_each_unpaid_installment_with_contact_and_days_late(service, admin):
    # Due 2023-10-31, 11-30, 12-31, 2024-01-31 (month ends stay month ends); today is 2024-01-15.
    bundle_id = bundle(service, admin, date(2023, 10, 31))
    paid_on(service, admin, bundle_id, "200.00", date(2023, 10, 1), "DEP", deposit=True)
    paid_on(service, admin, bundle_id, "50.00", date(2023, 12, 5), "I1", installment_number=1)

    rows = service.overdue(admin)

    assert [(r.installment_number, r.due_date, r.days_late, r.amount_owed) for r in rows] == [
        (1, date(2023, 10, 31), 76, D("150.00")),
        (2, date(2023, 11, 30), 46, D("200.00")),
        (3, date(2023, 12, 31), 15, D("200.00")),
    ]
    first = rows[0].model_dump(mode="json")
    assert first == {
        "bundle_id": bundle_id,
        "installment_id": first["installment_id"],
        "installment_number": 1,
        "course": "Essay Writing",
        "client_id": first["client_id"],
        "client_name": "Dana Client",
        "email": "dana@example.com",
        "phone": "555-0100",
        "amount": "200.00",
        "amount_paid": "50.00",
        "amount_owed": "150.00",
        "due_date": "2023-10-31",
        "days_late": 76,
        "reminder_level": 0,
        "last_reminded_at": None,
    }


def test_payments_received_after_as_of_count_as_not_yet_received(service, admin):
    bundle_id = bundle(service, admin, date(2023, 10, 31))
    paid_on(service, admin, bundle_id, "200.00", date(2023, 10, 1), "DEP", deposit=True)
    paid_on(service, admin, bundle_id, "50.00", date(2023, 12, 5), "I1", installment_number=1)
    paid_on(service, admin, bundle_id, "200.00", date(2024, 1, 10), "I2", installment_number=2)

    def owed(day: date) -> dict[int, Decimal]:
        return {r.installment_number: r.amount_owed for r in service.overdue(admin, day)}

    assert owed(date(2023, 10, 31)) == {}  # due that day is not late yet
    assert owed(date(2023, 11, 1)) == {1: D("200.00")}
    assert owed(date(2023, 12, 4)) == {1: D("200.00"), 2: D("200.00")}
    assert owed(date(2023, 12, 5)) == {1: D("150.00"), 2: D("200.00")}  # received that day counts
    assert owed(date(2024, 1, 9)) == {1: D("150.00"), 2: D("200.00"), 3: D("200.00")}
    assert owed(date(2024, 1, 10)) == {1: D("150.00"), 3: D("200.00")}


def test_a_reversal_recorded_later_does_not_change_an_earlier_day(service, admin):
    bundle_id = bundle(service, admin, date(2023, 10, 31))
    paid_on(service, admin, bundle_id, "200.00", date(2023, 10, 1), "DEP", deposit=True)
    first = paid_on(service, admin, bundle_id, "200.00", date(2023, 11, 2), "I1", installment_number=1)
    service.reverse_payment(admin, first.payment.id, "bounced")  # recorded today, 2024-01-15

    assert [r.installment_number for r in service.overdue(admin, date(2023, 12, 1))] == [2]
    assert [r.installment_number for r in service.overdue(admin, date(2024, 1, 15))] == [1, 2, 3]


def test_a_bundle_is_overdue_as_soon_as_its_first_installment_is(service, admin):
    late = bundle(service, admin, date(2024, 1, 14), client="Late Client")
    on_time = bundle(service, admin, date(2024, 1, 15), client="On Time")

    assert [(r.bundle_id, r.installment_number) for r in service.overdue(admin)] == [(late, 1)]
    assert service.get_payment_details(admin, late).is_overdue
    assert not service.get_payment_details(admin, on_time).is_overdue
    assert [p.bundle_id for p in service.list_payments(admin, status="overdue")] == [late]


def test_refunded_and_paid_bundles_are_not_overdue(service, admin):
    refunded = bundle(service, admin, date(2023, 11, 30), deposit="0.00", count=2, total="400.00")
    paid_on(service, admin, refunded, "200.00", date(2023, 11, 1), "R-1", installment_number=1)
    service.refund(admin, refunded, PaymentIn(amount=D("200.00"), reference="REFUND-1"))
    paid = bundle(service, admin, date(2023, 11, 30), deposit="0.00", count=1, total="100.00")
    paid_on(service, admin, paid, "100.00", date(2023, 12, 10), "P-1")

    assert service.get_payment_details(admin, refunded).client_payment_status.value == "refunded"
    assert service.overdue(admin) == []
    # Before the payment came in, the paid bundle was overdue.
    assert [r.bundle_id for r in service.overdue(admin, date(2023, 12, 9))] == [paid]


def test_overdue_of_an_unknown_bundle_is_refused(service, admin):
    with pytest.raises(NotFound, match="There is no bundle 999."):
        service.overdue(admin, bundle_ids=[999])


# ---- aging -----------------------------------------------------------------------------

AGING_DAYS = [
    # Installments of 200.00 due 2024-01-31, 2024-02-29 (leap day), 2024-03-31, 2024-04-30.
    (date(2024, 1, 31), {"not_due": D("800.00")}),
    (date(2024, 2, 29), {"1-30": D("200.00"), "not_due": D("600.00")}),  # leap day: 29 days late
    (date(2024, 3, 1), {"1-30": D("400.00"), "not_due": D("400.00")}),  # Jan 31 is exactly 30 days late
    (date(2024, 3, 2), {"31-60": D("200.00"), "1-30": D("200.00"), "not_due": D("400.00")}),
    (date(2024, 3, 31), {"31-60": D("400.00"), "not_due": D("400.00")}),  # 60 and 31 days late
    (date(2024, 4, 30), {"61-90": D("400.00"), "1-30": D("200.00"), "not_due": D("200.00")}),  # 90 and 61
    (date(2024, 5, 1), {"over_90": D("200.00"), "61-90": D("200.00"), "31-60": D("200.00"), "1-30": D("200.00")}),
    (date(2024, 12, 31), {"over_90": D("800.00")}),
]


@pytest.mark.parametrize(("as_of", "expected"), AGING_DAYS, ids=[str(day) for day, _ in AGING_DAYS])
def test_aging_buckets_on_fixed_days(service, admin, as_of, expected):
    bundle_id = bundle(service, admin, date(2024, 1, 31))
    paid_on(service, admin, bundle_id, "200.00", date(2024, 1, 10), "DEP", deposit=True)

    report = service.aging_report(admin, as_of)

    amounts = {b.bucket: b.amount for b in report.buckets if b.amount}
    assert amounts == expected
    assert report.total == sum(expected.values(), D("0.00"))
    assert [b.bucket for b in report.buckets] == ["not_due", "1-30", "31-60", "61-90", "over_90", "no_due_date"]


def test_aging_in_a_year_without_a_leap_day(service, admin):
    # Due 2023-01-31, 2023-02-28, 2023-03-31, 2023-04-30: the month end of February is the 28th.
    bundle_id = bundle(service, admin, date(2023, 1, 31), deposit="0.00", total="800.00")
    report = service.aging_report(admin, date(2023, 3, 30))
    amounts = {b.bucket: (b.installments, b.amount) for b in report.buckets if b.amount}
    assert amounts == {"31-60": (1, D("200.00")), "1-30": (1, D("200.00")), "not_due": (2, D("400.00"))}
    assert [r.days_late for r in service.overdue(admin, date(2023, 3, 30), bundle_ids=[bundle_id])] == [58, 30]


def test_aging_ignores_payments_received_after_the_day_and_counts_unpaid_deposits(service, admin):
    late = bundle(service, admin, date(2023, 10, 31))
    no_plan = bundle(service, admin, date(2023, 10, 31), client="No Plan", count=0, total="300.00", deposit="100.00")
    paid_on(service, admin, late, "200.00", date(2023, 10, 1), "DEP", deposit=True)
    paid_on(service, admin, late, "200.00", date(2024, 1, 2), "I1", installment_number=1)
    paid_on(service, admin, no_plan, "50.00", date(2023, 12, 1), "NP")

    before = service.aging_report(admin, date(2024, 1, 1))
    after = service.aging_report(admin, date(2024, 1, 2))

    def amounts(report):
        return {b.bucket: b.amount for b in report.buckets if b.amount}

    # As of Jan 1 installment 1 (due Oct 31, 62 days) was unpaid; the no-plan bundle owes
    # 300.00 - 50.00 with no due date.
    assert amounts(before) == {
        "61-90": D("200.00"),
        "31-60": D("200.00"),
        "1-30": D("200.00"),
        "not_due": D("200.00"),
        "no_due_date": D("250.00"),
    }
    assert amounts(after) == {k: v for k, v in amounts(before).items() if k != "61-90"}
    assert after.total == service.get_payment_details(admin, late).balance_remaining + D("250.00")


# ---- collections -------------------------------------------------------------------------


def test_collections_by_month_net_of_refunds_and_reversals(service, admin):
    bundle_id = bundle(service, admin, date(2023, 10, 31))
    paid_on(service, admin, bundle_id, "200.00", date(2023, 10, 1), "DEP", deposit=True)
    mistake = paid_on(service, admin, bundle_id, "300.00", date(2023, 11, 20), "NOV")
    paid_on(service, admin, bundle_id, "100.00", date(2024, 1, 15), "JAN")
    service.reverse_payment(admin, mistake.payment.id, "entered twice")  # today, 2024-01-15
    service.refund(admin, bundle_id, PaymentIn(amount=D("50.00"), reference="BACK", received_on=date(2024, 1, 15)))

    report = service.collections_report(admin, date(2023, 10, 1), date(2024, 1, 15))

    assert [(m.month, m.received, m.refunded, m.reversed, m.net, m.entries) for m in report.months] == [
        ("2023-10", D("200.00"), D("0.00"), D("0.00"), D("200.00"), 1),
        ("2023-11", D("300.00"), D("0.00"), D("0.00"), D("300.00"), 1),
        ("2023-12", D("0.00"), D("0.00"), D("0.00"), D("0.00"), 0),
        ("2024-01", D("100.00"), D("50.00"), D("300.00"), D("-250.00"), 3),
    ]
    assert report.total_net == service.get_payment_details(admin, bundle_id).amount_paid == D("250.00")
    assert len(report.weeks) == 12
    assert all(w.week_start.weekday() == 0 for w in report.weeks)
    assert (report.weeks[0].week_start, report.weeks[-1].week_start) == (date(2023, 10, 30), date(2024, 1, 15))
    by_week = {w.week_start: w.net for w in report.weeks if w.net}
    assert by_week == {date(2023, 11, 20): D("300.00"), date(2024, 1, 15): D("-250.00")}


def test_collections_default_to_the_last_twelve_months_and_refuse_a_backwards_range(service, admin):
    report = service.collections_report(admin)
    assert (report.months[0].month, report.months[-1].month) == ("2023-02", "2024-01")
    assert report.date_to == date(2024, 1, 15)
    with pytest.raises(InvalidInput, match="starts on 2024-02-01, after it ends on 2024-01-01"):
        service.collections_report(admin, date(2024, 2, 1), date(2024, 1, 1))


# ---- reminders ---------------------------------------------------------------------------


def test_reminders_escalate_one_level_per_batch_up_to_three(service, admin, staff):
    # Due 2023-11-30 and 2023-12-31.
    bundle_id = bundle(service, admin, date(2023, 11, 30), count=2, deposit="0.00", total="400.00")

    levels = [[r.level for r in service.make_reminders(staff, date(2023, 12, 15)).reminders] for _ in range(3)]
    assert levels == [[1], [2], [3]]
    [row] = service.overdue(admin, date(2023, 12, 15))
    assert (row.reminder_level, row.last_reminded_at is not None) == (3, True)

    # The second installment has fallen due since: it starts at 1, the first stays at 3.
    batch = service.make_reminders(staff)
    assert [(r.installment_number, r.level) for r in batch.reminders] == [(1, 3), (2, 1)]
    assert [r.reminder_level for r in service.overdue(admin)] == [3, 1]
    events = service.audit_events(admin, entity=f"reminder_batch:{batch.id}")
    assert events[0].action == "reminders.make" and events[0].actor == "sam"
    assert events[0].after == {"as_of": "2024-01-15", "reminders": [[bundle_id, 1, 3], [bundle_id, 2, 1]]}
    assert service.check(admin).ok


def test_a_preview_and_an_empty_batch_record_nothing(service, admin):
    bundle(service, admin, date(2023, 12, 31))
    preview = service.preview_reminders(admin)
    assert preview.id is None and [r.level for r in preview.reminders] == [1]
    assert service.overdue(admin)[0].reminder_level == 0
    empty = service.make_reminders(admin, date(2023, 12, 31))
    assert empty.id is None and empty.reminders == []
    assert not [e for e in service.audit_events(admin) if e.action == "reminders.make"]


def test_a_batch_whose_file_cannot_be_written_is_not_recorded(service, admin):
    bundle(service, admin, date(2023, 12, 31))

    def broken(_batch):
        raise ClasspayError("The disk is full.")

    with pytest.raises(ClasspayError, match="disk is full"):
        service.make_reminders(admin, deliver=broken)
    assert service.overdue(admin)[0].reminder_level == 0
    assert [r.level for r in service.make_reminders(admin).reminders] == [1]


def test_reminders_are_not_made_for_a_future_day(service, admin):
    with pytest.raises(InvalidInput, match="today or an earlier day, not 2024-01-16"):
        service.make_reminders(admin, date(2024, 1, 16))


def test_reminder_text_comes_from_the_template_the_office_edits(service, admin, staff):
    bundle_id = bundle(service, admin, date(2023, 12, 31))
    default = service.reminder_template(staff)
    assert default.is_default and default.subject == DEFAULT_SUBJECT

    service.set_reminder_template(
        admin,
        "Subject: Reminder {level} for {course}\nFrom: Office <office@example.com>\n\n"
        "Dear {client_name}, {currency} {amount} was due {due_date} ({days_late} days ago), "
        "bundle {bundle_id} installment {installment_number}. {{ok}}\n",
    )
    [reminder] = service.make_reminders(staff).reminders

    assert reminder.subject == "Reminder 1 for Essay Writing"
    assert reminder.body == (
        f"Dear Dana Client, USD 200.00 was due 2023-12-31 (15 days ago), bundle {bundle_id} installment 1. {{ok}}\n"
    )
    current = service.reminder_template(staff)
    assert (current.is_default, current.sender, current.updated_by) == (False, "Office <office@example.com>", "alice")
    [event] = [e for e in service.audit_events(admin) if e.action == "reminder_template.set"]
    assert event.before["is_default"] is True and event.after["subject"] == "Reminder {level} for {course}"

    assert service.set_reminder_template(admin, None).is_default


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dear {name}", "uses {name}, which is not a placeholder"),
        ("Dear {client_name.__class__}", "uses {client_name.__class__}, which is not a placeholder"),
        ("Pay {amount:>10}", "uses {amount:>10}, which is not a placeholder"),
        ("Dear {client_name", "has a single { or }"),
        ("Subject: Hi\n\n   \n", "has no text after its header lines"),
        ("From: nobody\n\nHi", "is not a mail address"),
        ("x" * 10_001, "the limit is 10000"),
    ],
)
def test_a_bad_template_is_refused_in_one_sentence_and_changes_nothing(service, admin, text, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        service.set_reminder_template(admin, text)
    assert service.reminder_template(admin).is_default
    assert not [e for e in service.audit_events(admin) if e.action == "reminder_template.set"]


def test_only_admins_change_the_template_and_writers_see_nothing(service, admin, staff):
    with pytest.raises(PermissionDenied):
        service.set_reminder_template(staff, "Hi {client_name}")
    for call in (
        lambda: service.overdue(WRITER),
        lambda: service.aging_report(WRITER),
        lambda: service.collections_report(WRITER),
        lambda: service.make_reminders(WRITER),
        lambda: service.reminder_template(WRITER),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_reminder_batch_files(service, admin, tmp_path):
    bundle(service, admin, date(2023, 12, 31), client="Zoë O'Brien, Jr.", email="zoe@example.com")
    bundle(service, admin, date(2023, 11, 30), client="No Mail", email=None, phone="555-0199")
    service.set_reminder_template(
        admin, "Subject: Late {level}\nFrom: Office <office@example.com>\n\nFrom now on, pay."
    )
    batch = service.make_reminders(admin)

    write_batch(tmp_path / "batch.eml", batch)
    messages = list(mailbox.mbox(tmp_path / "batch.eml"))
    assert [m["X-Classpay-Reminder-Level"] for m in messages] == ["1", "1", "1"]
    parsed = [message_from_bytes(m.as_bytes(), policy=policy.default) for m in messages]
    recipients = [(a.display_name, a.addr_spec) for m in parsed for a in (m["To"].addresses if m["To"] else [])]
    assert recipients == [("Zoë O'Brien, Jr.", "zoe@example.com")]
    assert [m["To"] is None for m in parsed] == [True, False, True]
    assert {m["From"] for m in messages} == {"Office <office@example.com>"}
    # mbox quotes a body line starting "From " as ">From " (readers show it as is).
    assert messages[1].get_payload(decode=True).decode().strip() == ">From now on, pay."

    write_batch(tmp_path / "batch.csv", batch)
    with (tmp_path / "batch.csv").open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["client_name"], r["amount_owed"], r["level"]) for r in rows] == [
        ("No Mail", "200.00", "1"),
        ("Zoë O'Brien, Jr.", "200.00", "1"),
        ("No Mail", "200.00", "1"),
    ]

    write_batch(tmp_path / "batch.txt", batch)
    text = (tmp_path / "batch.txt").read_text()
    assert text.count("Subject: Late 1") == 3 and "To: No Mail (no email address)\nPhone: 555-0199" in text

    with pytest.raises(InvalidInput, match=r"must end in \.txt, \.csv or \.eml"):
        write_batch(tmp_path / "batch.pdf", batch)


# ---- exports -----------------------------------------------------------------------------

NASTY = {"client": '=HYPERLINK("http://x","y")', "title": "+SUM(1,2)", "note": "@cmd"}


def test_csv_exports_neutralise_formula_cells(service, admin, tmp_path):
    bundle_id = bundle(service, admin, date(2023, 12, 31), client=NASTY["client"], title=NASTY["title"])
    service.record_payment(
        admin, bundle_id, PaymentIn(amount=D("10.00"), reference="-1+1", note=NASTY["note"], received_on=None)
    )

    assert service.export_data(admin, "bundles", tmp_path / "bundles.csv") == 1
    assert service.export_data(admin, "payments", tmp_path / "payments.csv") == 1
    [bundle_row] = list(csv.DictReader((tmp_path / "bundles.csv").open(newline="")))
    [payment_row] = list(csv.DictReader((tmp_path / "payments.csv").open(newline="")))
    assert bundle_row["client_name"] == "'" + NASTY["client"]
    assert bundle_row["title"] == "'" + NASTY["title"]
    assert (payment_row["reference"], payment_row["note"]) == ("'-1+1", "'@cmd")
    assert (bundle_row["total_amount"], bundle_row["amount_paid"]) == ("1000.00", "10.00")


def test_json_exports_keep_values_and_types(service, admin, tmp_path):
    add_writer(service, admin)
    bundle_id = bundle(service, admin, date(2023, 12, 31), client=NASTY["client"], writer="writer1")
    pay(service, admin, bundle_id, "1000.00")

    for kind in ("bundles", "payments", "payouts", "audit"):
        service.export_data(admin, kind, tmp_path / f"{kind}.json")
    [bundle_row] = json.loads((tmp_path / "bundles.json").read_text())
    [payment] = json.loads((tmp_path / "payments.json").read_text())
    [payout] = json.loads((tmp_path / "payouts.json").read_text())
    audit = json.loads((tmp_path / "audit.json").read_text())
    assert bundle_row["client_name"] == NASTY["client"]  # JSON is data, not a spreadsheet
    assert (bundle_row["total_amount"], bundle_row["client_payment_status"]) == ("1000.00", "paid")
    assert (payment["amount"], payment["kind"], payment["received_at"]) == (
        "1000.00",
        "payment",
        "2024-01-15T10:00:00+00:00",
    )
    assert (payout["amount"], payout["status"], payout["writer_username"]) == ("600.00", "scheduled", "writer1")
    assert isinstance(audit[1]["after"], dict) and [e["action"] for e in audit[:2]] == ["writer.add", "bundle.create"]
    assert set(bundle_row) >= {"bundle_id", "client_email", "balance_remaining", "writer_owed_back"}


def test_exports_are_audited_and_the_audit_log_is_for_admins(service, admin, staff, tmp_path):
    service.export_data(staff, "payouts", tmp_path / "payouts.csv")
    with pytest.raises(PermissionDenied):
        service.export_data(staff, "audit", tmp_path / "audit.csv")
    with pytest.raises(PermissionDenied):
        service.export_data(WRITER, "bundles", tmp_path / "bundles.csv")
    assert not (tmp_path / "audit.csv").exists() and not (tmp_path / "bundles.csv").exists()
    [event] = [e for e in service.audit_events(admin) if e.action == "export"]
    assert event.actor == "sam" and event.after["kind"] == "payouts"


@pytest.mark.parametrize(
    ("kind", "target", "fmt", "message"),
    [
        ("clients", "x.csv", None, "'clients' cannot be exported"),
        ("bundles", "x.csv", "xml", "'xml' is not an export format"),
        ("bundles", "missing/x.csv", None, "There is no directory"),
        ("bundles", ".", None, "is a directory"),
    ],
)
def test_bad_exports_write_nothing(service, admin, tmp_path, kind, target, fmt, message):
    with pytest.raises(ClasspayError, match=message):
        service.export_data(admin, kind, tmp_path / target, fmt)
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".db" and "classpay.db" not in p.name] == []
