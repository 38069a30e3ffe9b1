"""``overdue``, ``report``, ``reminders`` and ``export`` from the command line: JSON shapes,
the charts people read, files for spreadsheets and mail programs, and bad input refused in
one sentence with nothing written."""

from __future__ import annotations

import csv
import json
import mailbox
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from classpay_tui.cli.main import cli
from tests.cli.test_bad_input import copy_database, dump

OVERDUE_KEYS = {
    "bundle_id",
    "installment_id",
    "installment_number",
    "course",
    "client_id",
    "client_name",
    "email",
    "phone",
    "amount",
    "amount_paid",
    "amount_owed",
    "due_date",
    "days_late",
    "reminder_level",
    "last_reminded_at",
}
EVIL_CLIENT = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def classpay_cli() -> click.Group:
    assert {"overdue", "report", "reminders", "export"} <= set(cli.list_commands(click.Context(cli)))
    return cli


def invoke(group: click.Group, db: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(group, ["--db", str(db), *args], prog_name="classpay", input=stdin)


def ok(group: click.Group, db: Path, *args: str, stdin: str | None = None) -> Result:
    result = invoke(group, db, *args, stdin=stdin)
    assert result.exit_code == 0, f"classpay {' '.join(args)}: {result.stderr} {result.exception!r}"
    return result


@pytest.fixture(scope="module")
def template_db(classpay_cli: click.Group, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bundle 1: 1000.00, deposit paid, 200.00 due 2023-10-31, 11-30, 12-31, 2024-01-31, 50.00
    of the first paid on 2023-12-05. Bundle 2 (a client named like a formula): 400.00 in two,
    due 2023-12-31 and 2024-01-31, 150.00 paid on 2023-11-20."""
    db = tmp_path_factory.mktemp("reports") / "template.db"
    ok(classpay_cli, db, "init")
    ok(classpay_cli, db, "writers", "add", "writer1")
    ok(
        classpay_cli, db, "bundles", "add", "--client", "Dana Client", "--title", "Essay Writing", "--classes", "10",
        "--total", "1000", "--deposit", "200", "--installments", "4", "--first-due", "2023-10-31",
        "--every", "month", "--writer", "writer1", "--client-email", "dana@example.com",
        "--client-phone", "555-0100",
    )  # fmt: skip
    ok(classpay_cli, db, "pay", "1", "--deposit", "--amount", "200", "--reference", "DEP-1", "--date", "2023-10-01")
    ok(
        classpay_cli, db, "pay", "1", "--installment", "1", "--amount", "50", "--reference", "I-1",
        "--date", "2023-12-05",
    )  # fmt: skip
    ok(
        classpay_cli, db, "bundles", "add", "--client", EVIL_CLIENT, "--title", "+Poetry", "--classes", "4",
        "--total", "400", "--installments", "2", "--first-due", "2023-12-31", "--every", "month",
    )  # fmt: skip
    ok(classpay_cli, db, "pay", "2", "--amount", "150", "--reference", "P-2", "--date", "2023-11-20")
    return db


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Path:
    return copy_database(template_db, tmp_path / "classpay.db")


def run_json(group: click.Group, db: Path, *args: str) -> object:
    return json.loads(ok(group, db, *args, "--json").stdout)


# ---- overdue -----------------------------------------------------------------------------


def test_overdue_json_as_of_a_day(classpay_cli, db):
    rows = run_json(classpay_cli, db, "overdue", "--as-of", "2024-01-01")
    assert all(set(row) == OVERDUE_KEYS for row in rows)
    assert [(r["bundle_id"], r["installment_number"], r["amount_owed"], r["days_late"]) for r in rows] == [
        (1, 1, "150.00", 62),
        (1, 2, "200.00", 32),
        (1, 3, "200.00", 1),
        (2, 1, "50.00", 1),
    ]
    assert (rows[0]["email"], rows[0]["phone"], rows[3]["client_name"]) == ("dana@example.com", "555-0100", EVIL_CLIENT)
    # The 50.00 received on 2023-12-05 had not come in yet on 2023-12-04.
    earlier = run_json(classpay_cli, db, "overdue", "--as-of", "2023-12-04")
    assert [(r["installment_number"], r["amount_owed"]) for r in earlier] == [(1, "200.00"), (2, "200.00")]


def test_overdue_text(classpay_cli, db):
    result = ok(classpay_cli, db, "overdue", "--as-of", "2024-01-01", "--bundle", "1")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["bundle", "inst", "client", "course", "due", "late", "owed", "level", "email", "phone"]
    assert lines[1].split() == [
        "1", "1", "Dana", "Client", "Essay", "Writing", "2023-10-31", "62d", "150.00", "-", "dana@example.com",
        "555-0100",
    ]  # fmt: skip
    assert result.stderr == "3 installments on 1 bundle overdue on 2024-01-01: 550.00 USD owed.\n"


# ---- reports -----------------------------------------------------------------------------

COLLECTIONS = """\
Collections 2023-10-01 to 2023-12-31, net of refunds and reversals (USD)
month    received  refunded  reversed     net
2023-10    200.00      0.00      0.00  200.00  ██████████████████████████████
2023-11    150.00      0.00      0.00  150.00  ██████████████████████▌
2023-12     50.00      0.00      0.00   50.00  ███████▌
total                                  400.00

Last 12 weeks 2023-10-09 to 2023-12-31: ▁▁▁▁▁▁█▁▄▁▁▁  200.00 in all, 0.00 this week
"""


def test_collections_as_bars_and_a_sparkline(classpay_cli, db):
    result = ok(classpay_cli, db, "report", "collections", "--from", "2023-10-01", "--to", "2023-12-31")
    assert result.stdout == COLLECTIONS


def test_collections_as_json_and_csv(classpay_cli, db, tmp_path):
    found = run_json(classpay_cli, db, "report", "collections", "--from", "2023-10-01", "--to", "2023-12-31")
    assert set(found) == {"date_from", "date_to", "months", "weeks", "total_net"}
    assert found["months"][0] == {
        "month": "2023-10",
        "received": "200.00",
        "refunded": "0.00",
        "reversed": "0.00",
        "net": "200.00",
        "entries": 1,
    }
    assert [w["net"] for w in found["weeks"]][6:9] == ["150.00", "0.00", "50.00"]
    target = tmp_path / "collections.csv"
    result = ok(
        classpay_cli, db, "report", "collections", "--from", "2023-10-01", "--to", "2023-12-31", "--csv", str(target)
    )
    assert result.stdout == "" and f"Wrote 3 rows to {target}." in result.stderr
    assert list(csv.reader(target.open(newline=""))) == [
        ["month", "received", "refunded", "reversed", "net", "entries"],
        ["2023-10", "200.00", "0.00", "0.00", "200.00", "1"],
        ["2023-11", "150.00", "0.00", "0.00", "150.00", "1"],
        ["2023-12", "50.00", "0.00", "0.00", "50.00", "1"],
    ]


def test_aging_on_the_leap_day(classpay_cli, db):
    found = run_json(classpay_cli, db, "report", "aging", "--as-of", "2024-02-29")
    assert found["as_of"] == "2024-02-29" and found["total"] == "1000.00"
    assert {b["bucket"]: (b["installments"], b["bundles"], b["amount"]) for b in found["buckets"]} == {
        "not_due": (0, 0, "0.00"),
        "1-30": (2, 2, "400.00"),  # both due 2024-01-31: 29 days
        "31-60": (2, 2, "250.00"),  # both due 2023-12-31: 60 days
        "61-90": (0, 0, "0.00"),
        "over_90": (2, 1, "350.00"),  # 2023-10-31 (121 days, 150.00 left) and 2023-11-30 (91 days)
        "no_due_date": (0, 0, "0.00"),
    }
    text = ok(classpay_cli, db, "report", "aging", "--as-of", "2024-02-29").stdout
    assert text.splitlines()[0] == "Receivables as of 2024-02-29 by days past due (USD)"
    assert "1–30 days                2        2    400.00    40%  ██████████████████████████████" in text
    assert text.splitlines()[-1].split() == ["total", "1,000.00"]


def test_writer_liabilities(classpay_cli, db, tmp_path):
    [line] = run_json(classpay_cli, db, "report", "writers")
    assert (line["username"], line["compensation"], line["paid"], line["scheduled"], line["owed_back"]) == (
        "writer1",
        "600.00",
        "0.00",
        "0.00",
        "0.00",
    )
    ok(classpay_cli, db, "report", "writers", "--csv", str(tmp_path / "writers.csv"))
    rows = list(csv.DictReader((tmp_path / "writers.csv").open(newline="")))
    assert [(r["username"], r["earned"], r["unscheduled"]) for r in rows] == [("writer1", "600.00", "600.00")]


# ---- reminders ---------------------------------------------------------------------------


def test_reminder_batches_escalate_and_go_to_files(classpay_cli, db, tmp_path):
    outputs = ["one.eml", "two.csv", "three.txt", "four.eml"]
    ids = []
    for name in outputs:
        result = ok(classpay_cli, db, "reminders", "make", "--as-of", "2024-01-01", "--out", str(tmp_path / name))
        ids.append(result.stdout)
    assert ids == ["1\n", "2\n", "3\n", "4\n"]
    assert "Batch 4: 4 reminders (level 3: 4) on 2 bundles overdue on 2024-01-01" in result.stderr
    assert "1 of them has no email address." in result.stderr

    first = list(mailbox.mbox(tmp_path / "one.eml"))
    assert [(m["X-Classpay-Bundle"], m["X-Classpay-Reminder-Level"]) for m in first] == [
        ("1", "1"),
        ("1", "1"),
        ("1", "1"),
        ("2", "1"),
    ]
    assert first[0]["To"] == "Dana Client <dana@example.com>" and first[3]["To"] is None
    text = first[0].get_payload(decode=True).decode()
    assert "USD 150.00 for Essay Writing (bundle 1, installment 1) was due on 2023-10-31" in text
    second = list(csv.DictReader((tmp_path / "two.csv").open(newline="")))
    assert {r["level"] for r in second} == {"2"}
    assert second[3]["client_name"] == "'" + EVIL_CLIENT  # neutralised for spreadsheets
    assert (tmp_path / "three.txt").read_text().count("Subject: Payment reminder 3: ") == 4
    assert {m["X-Classpay-Reminder-Level"] for m in mailbox.mbox(tmp_path / "four.eml")} == {"3"}
    levels = run_json(classpay_cli, db, "overdue", "--as-of", "2024-01-01")
    assert [r["reminder_level"] for r in levels] == [3, 3, 3, 3]


def test_a_preview_records_nothing_and_bundles_can_be_picked(classpay_cli, db, tmp_path):
    before = dump(db)
    result = ok(
        classpay_cli, db, "reminders", "make", "--as-of", "2024-01-01", "--bundle", "2", "--preview",
        "--out", str(tmp_path / "preview.txt"),
    )  # fmt: skip
    assert result.stdout == "" and result.stderr.startswith("Previewed (nothing recorded) 1 reminder (level 1: 1)")
    assert dump(db) == before
    batch = run_json(classpay_cli, db, "reminders", "make", "--as-of", "2024-01-01", "--bundle", "2", "--out",
                     str(tmp_path / "b.csv"))  # fmt: skip
    assert set(batch) == {"id", "as_of", "made_at", "made_by", "sender", "reminders"}
    assert [(r["bundle_id"], r["level"], r["amount_owed"]) for r in batch["reminders"]] == [(2, 1, "50.00")]


def test_nothing_overdue_writes_no_file(classpay_cli, db, tmp_path):
    result = ok(classpay_cli, db, "reminders", "make", "--as-of", "2023-10-31", "--out", str(tmp_path / "r.eml"))
    assert result.stdout == "" and "Nothing is overdue on 2023-10-31" in result.stderr
    assert not (tmp_path / "r.eml").exists()


def test_editing_the_reminder_template(classpay_cli, db, tmp_path):
    shown = ok(classpay_cli, db, "reminders", "template").stdout
    assert shown.startswith(
        "Subject: Payment reminder {level}: {course}, {currency} {amount} overdue\n\nDear {client_name},"
    )
    edited = "Subject: Late payment for {course}\nFrom: Office <office@example.com>\n\nHello {client_name}: {amount}.\n"
    (tmp_path / "template.txt").write_text(edited)
    ok(classpay_cli, db, "reminders", "template", "--set", str(tmp_path / "template.txt"))
    assert ok(classpay_cli, db, "reminders", "template").stdout == edited  # shown as it is edited
    ok(
        classpay_cli,
        db,
        "reminders",
        "make",
        "--as-of",
        "2024-01-01",
        "--bundle",
        "2",
        "--out",
        str(tmp_path / "r.eml"),
    )
    [message] = list(mailbox.mbox(tmp_path / "r.eml"))
    assert (message["Subject"], message["From"]) == ("Late payment for +Poetry", "Office <office@example.com>")
    assert message.get_payload(decode=True).decode().strip() == f"Hello {EVIL_CLIENT}: 50.00."
    ok(classpay_cli, db, "reminders", "template", "--set", "-", stdin="Subject: From stdin\n\nHi {client_name}\n")
    assert run_json(classpay_cli, db, "reminders", "template")["subject"] == "From stdin"
    ok(classpay_cli, db, "reminders", "template", "--reset")
    assert run_json(classpay_cli, db, "reminders", "template")["is_default"] is True


# ---- export ------------------------------------------------------------------------------


def test_exports_for_spreadsheets_and_scripts(classpay_cli, db, tmp_path):
    result = ok(classpay_cli, db, "export", "bundles", "--out", str(tmp_path / "bundles.csv"))
    assert result.stderr == f"Wrote 2 rows (bundles) to {tmp_path / 'bundles.csv'}.\n"
    rows = list(csv.DictReader((tmp_path / "bundles.csv").open(newline="")))
    assert [(r["client_name"], r["title"], r["balance_remaining"]) for r in rows] == [
        ("Dana Client", "Essay Writing", "750.00"),
        ("'" + EVIL_CLIENT, "'+Poetry", "250.00"),
    ]
    ok(classpay_cli, db, "export", "payments", "--out", str(tmp_path / "payments.json"))
    payments = json.loads((tmp_path / "payments.json").read_text())
    assert [(p["reference"], p["kind"], p["amount"]) for p in payments] == [
        ("DEP-1", "deposit", "200.00"),
        ("I-1", "installment", "50.00"),
        ("P-2", "payment", "150.00"),
    ]
    ok(classpay_cli, db, "export", "payouts", "--out", str(tmp_path / "payouts.csv"))
    assert (tmp_path / "payouts.csv").read_text().startswith("id,bundle_id,payment_record_id,writer_id,")
    ok(classpay_cli, db, "export", "audit", "--format", "json", "--out", str(tmp_path / "audit.txt"))
    audit = json.loads((tmp_path / "audit.txt").read_text())
    assert audit[0]["action"] == "operator.add" and audit[-1]["action"] == "export"


# ---- who may, and bad input --------------------------------------------------------------


def set_role(db: Path, role: str) -> None:
    with sqlite3.connect(db) as connection:
        writer_id = 1 if role == "writer" else None
        connection.execute("UPDATE operators SET role = ?, writer_id = ?", (role, writer_id))
    connection.close()


@pytest.mark.parametrize(
    ("role", "args", "phrase"),
    [
        ("staff", ["reminders", "template", "--reset"], "(staff) may not change the reminder template"),
        ("staff", ["export", "audit", "--out", "OUT/audit.csv"], "(staff) may not read the audit log"),
        ("writer", ["overdue"], "(writer) may not read payments"),
        ("writer", ["report", "aging"], "(writer) may not read reports"),
        ("writer", ["report", "collections"], "(writer) may not read reports"),
        ("writer", ["reminders", "make", "--out", "OUT/r.eml"], "(writer) may not make payment reminders"),
        ("writer", ["export", "bundles", "--out", "OUT/b.csv"], "(writer) may not export data"),
    ],
)
def test_roles_are_refused_in_one_sentence(classpay_cli, db, tmp_path, role, args, phrase):
    set_role(db, role)
    out = tmp_path / "out"
    out.mkdir()
    refused(classpay_cli, db, [a.replace("OUT", str(out)) for a in args], phrase)
    assert list(out.iterdir()) == []


def refused(classpay_cli: click.Group, db: Path, args: list[str], phrase: str) -> None:
    before = dump(db)
    result = invoke(classpay_cli, db, *args)
    assert result.exit_code == 1, result.stdout
    assert result.stdout == "" and "Traceback" not in result.output
    message = result.stderr.rstrip("\n")
    assert message.startswith("classpay: ") and message.endswith(".") and "\n" not in message, message
    assert phrase in message, message
    assert dump(db) == before


BAD = [
    ("overdue-bad-date", ["overdue", "--as-of", "2023-02-29"], "--as-of '2023-02-29' is not a date"),
    ("overdue-unknown-bundle", ["overdue", "--bundle", "99"], "There is no bundle 99."),
    (
        "collections-backwards",
        ["report", "collections", "--from", "2024-02-01", "--to", "2024-01-01"],
        "starts on 2024-02-01, after it ends on 2024-01-01",
    ),
    ("aging-bad-date", ["report", "aging", "--as-of", "yesterday"], "--as-of 'yesterday' is not a date"),
    ("json-and-csv", ["report", "collections", "--json", "--csv", "OUT/c.csv"], "Choose --json or --csv, not both."),
    ("csv-in-missing-dir", ["report", "writers", "--csv", "OUT/no/w.csv"], "There is no directory"),
    ("reminders-bad-suffix", ["reminders", "make", "--out", "OUT/r.pdf"], "r.pdf must end in .txt, .csv or .eml"),
    ("reminders-missing-dir", ["reminders", "make", "--out", "OUT/no/r.eml"], "There is no directory"),
    (
        "reminders-future",
        ["reminders", "make", "--as-of", "2999-01-01", "--out", "OUT/r.eml"],
        "today or an earlier day, not 2999-01-01",
    ),
    ("reminders-unknown-bundle", ["reminders", "make", "--bundle", "99", "--out", "OUT/r.eml"], "no bundle 99."),
    ("template-missing-file", ["reminders", "template", "--set", "OUT/none.txt"], "There is no file"),
    ("template-bad-placeholder", ["reminders", "template", "--set", "IN/bad.txt"], "uses {name}, which is not"),
    ("template-set-and-reset", ["reminders", "template", "--set", "IN/bad.txt", "--reset"], "not both"),
    ("export-unknown-kind", ["export", "clients", "--out", "OUT/x.csv"], "'clients' cannot be exported"),
    ("export-bad-format", ["export", "bundles", "--out", "OUT/x.csv", "--format", "xml"], "'xml' is not an export"),
    ("export-to-a-directory", ["export", "bundles", "--out", "OUT"], "is a directory; name a file."),
]


@pytest.mark.parametrize(("args", "phrase"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_one_sentence_and_writes_nothing(classpay_cli, db, tmp_path, args, phrase):
    out, given = tmp_path / "out", tmp_path / "in"
    out.mkdir()
    given.mkdir()
    (given / "bad.txt").write_text("Subject: Hi\n\nDear {name}\n")
    refused(classpay_cli, db, [a.replace("OUT", str(out)).replace("IN", str(given)) for a in args], phrase)
    assert list(out.iterdir()) == []
