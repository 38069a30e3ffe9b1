"""Every bad input: one sentence on stderr, a non-zero exit, no traceback, and nothing written."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from classpay_tui.cli.main import cli

Dump = dict[str, list[tuple[object, ...]]]


@pytest.fixture(scope="module")
def classpay_cli() -> click.Group:
    """The ``classpay`` group as ``main()`` runs it (its commands are imported when used)."""
    assert {"init", "writers", "bundles", "pay", "payments", "check"} <= set(cli.list_commands(click.Context(cli)))
    return cli


def invoke(group: click.Group, db: Path, *args: str) -> Result:
    return CliRunner().invoke(group, ["--db", str(db), *args], prog_name="classpay")


def ok(group: click.Group, db: Path, *args: str) -> str:
    result = invoke(group, db, *args)
    assert result.exit_code == 0, f"classpay {' '.join(args)}: {result.stderr} {result.exception!r}"
    return result.stdout


def dump(db: Path) -> Dump:
    """Every row of every table, so "nothing written" can be compared exactly."""
    connection = sqlite3.connect(db)
    try:
        tables = [
            name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {table: connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables}
    finally:
        connection.close()


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite file (WAL included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


@dataclass(frozen=True)
class Seeded:
    db: Path
    installment_payment_id: str


@pytest.fixture(scope="module")
def seed_template(classpay_cli: click.Group, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The seed's example: bundle 1, 1000.00, deposit 200.00 and installment 1 of 4 paid, 600.00 owed."""
    db = tmp_path_factory.mktemp("bad-input") / "template.db"
    ok(classpay_cli, db, "init")
    ok(classpay_cli, db, "writers", "add", "writer1")
    bundle = ok(
        classpay_cli, db, "bundles", "add", "--client", "Dana Client", "--title", "Essay Writing", "--classes", "10",
        "--total", "1000", "--deposit", "200", "--installments", "4", "--first-due", "2024-01-15", "--every", "month",
        "--writer", "writer1",
    )  # fmt: skip
    assert bundle == "1\n"
    ok(classpay_cli, db, "pay", "1", "--deposit", "--amount", "200", "--reference", "DEP-1", "--date", "2024-01-10")
    paid = ok(
        classpay_cli, db, "pay", "1", "--installment", "1", "--amount", "200", "--reference", "INST-1",
        "--date", "2024-01-15",
    )  # fmt: skip
    details = ok(classpay_cli, db, "payments", "bundle", "1", "--json")
    assert '"id": 1,' in details  # the payment record's id, used by refresh and schedule-writer below
    assert '"balance_remaining": "600.00"' in details
    return Seeded(db, paid.strip())


@pytest.fixture
def seeded_db(seed_template: Seeded, tmp_path: Path) -> Path:
    return copy_database(seed_template.db, tmp_path / "classpay.db")


def pay(amount: str, *extra: str, bundle: str = "1", reference: str = "NEW-1") -> list[str]:
    return ["pay", bundle, "--amount", amount, "--reference", reference, *extra]


def bundle_add(*extra: str, total: str = "1000", deposit: str = "200", classes: str = "10") -> list[str]:
    return [
        "bundles", "add", "--client", "New Client", "--title", "Poetry", "--classes", classes,
        "--total", total, "--deposit", deposit, *extra,
    ]  # fmt: skip


CASES: list[tuple[str, Sequence[str], str]] = [
    ("amount-negative", pay("-5"), "Amount cannot be negative."),
    ("amount-zero", pay("0"), "Amount must be more than 0.00."),
    ("amount-three-decimals", pay("1.234"), "more than two decimal places"),
    ("amount-text", pay("abc"), "'abc' is not a number"),
    ("amount-NaN", pay("NaN"), "must be a number, not NaN"),
    ("amount-nan", pay("nan"), "must be a number, not nan"),
    ("amount-inf", pay("inf"), "must be a number, not inf"),
    ("amount-Infinity", pay("Infinity"), "must be a number, not Infinity"),
    ("amount-empty", pay(""), "Amount is empty"),
    ("amount-over-limit", pay("1000000000.01"), "over the limit of 1,000,000,000.00"),
    ("overpay-bundle", pay("700"), "700.00 is 100.00 more than the 600.00 still owed on bundle 1"),
    (
        "overpay-installment",
        pay("250", "--installment", "2"),
        "250.00 is 50.00 more than the 200.00 still owed on installment 2",
    ),
    ("unknown-bundle", pay("100", bundle="999"), "There is no bundle 999."),
    ("unknown-installment", pay("100", "--installment", "9"), "has installments 1 to 4, not 9"),
    ("installment-already-paid", pay("200", "--installment", "1"), "Installment 1 of bundle 1 is already paid"),
    (
        "reference-reused-other-amount",
        pay("300", "--installment", "1", reference="INST-1"),
        "Reference INST-1 was already used",
    ),
    ("deposit-and-installment", pay("100", "--deposit", "--installment", "2"), "not both"),
    ("future-date", pay("100", "--date", "2999-01-01"), "The payment date 2999-01-01 is in the future."),
    ("assign-unknown-writer", ["bundles", "assign", "1", "nobody"], "There is no writer 'nobody'"),
    ("add-with-unknown-writer", bundle_add("--writer", "nobody"), "There is no writer 'nobody'"),
    ("deposit-above-total", bundle_add(total="100", deposit="200"), "The deposit 200.00 is more than the total 100.00"),
    ("zero-classes", bundle_add(classes="0"), "number of classes must be between 1 and"),
    (
        "schedule-does-not-add-up",
        bundle_add("--schedule", "2024-02-01=300", "--schedule", "2024-03-01=300"),
        "The schedule adds up to 600.00, 200.00 short of the balance of 800.00.",
    ),
    ("bundle-total-text", bundle_add(total="abc"), "The total 'abc' is not a number"),
    ("bundle-deposit-negative", bundle_add(deposit="-1"), "The deposit cannot be negative."),
    ("bad-username", ["writers", "add", "Bad Name!"], "'Bad Name!' is not a usable username"),
    ("writer-percent-nan", ["writers", "add", "writer2", "--percent", "nan"], "'nan' is not a percentage"),
    ("writer-percent-inf", ["writers", "add", "writer2", "--percent", "inf"], "'inf' is not a percentage"),
    ("duplicate-username", ["writers", "add", "writer1"], "There is already a writer named writer1."),
    ("refresh-unknown-record", ["payments", "refresh", "999"], "There is no payment record 999."),
    (
        "schedule-writer-above-compensation",
        ["payments", "schedule-writer", "1", "--amount", "700"],
        "700.00 is 100.00 more than the 600.00 of compensation not yet paid or scheduled",
    ),
]


@pytest.mark.parametrize(("args", "phrase"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_is_one_sentence_and_writes_nothing(
    classpay_cli: click.Group, seeded_db: Path, args: Sequence[str], phrase: str
) -> None:
    before = dump(seeded_db)
    result = invoke(classpay_cli, seeded_db, *args)

    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    message = result.stderr.rstrip("\n")
    assert "\n" not in message, message
    assert message.startswith("classpay: "), message
    assert message.endswith("."), message
    assert phrase in message
    assert dump(seeded_db) == before


def test_the_same_payment_again_is_a_safe_retry(
    classpay_cli: click.Group, seeded_db: Path, seed_template: Seeded
) -> None:
    before = dump(seeded_db)
    args = pay("200", "--installment", "1", "--date", "2024-01-15", reference="INST-1")
    for _ in range(2):
        result = invoke(classpay_cli, seeded_db, *args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"{seed_template.installment_payment_id}\n"
        assert "already recorded" in result.stderr
        assert "Traceback" not in result.output
    assert dump(seeded_db) == before


def test_the_dump_sees_a_real_change(classpay_cli: click.Group, seeded_db: Path) -> None:
    """The "nothing written" check would catch a write: a good payment changes the dump."""
    before = dump(seeded_db)
    ok(classpay_cli, seeded_db, *pay("100", "--installment", "2"))
    assert dump(seeded_db) != before
