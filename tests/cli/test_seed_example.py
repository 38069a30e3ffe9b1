"""The seed's example, end to end, through real ``classpay`` processes on a fresh SQLite file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SEED_KEYS = [
    "id",
    "bundle_id",
    "bundle_status",
    "number_of_classes",
    "assigned_writer_username",
    "total_amount",
    "deposit_amount",
    "deposit_paid",
    "balance_remaining",
    "client_payment_status",
    "payment_progress",
    "writer_compensation_amount",
    "writer_paid_amount",
    "writer_payment_status",
    "uses_installments",
    "total_installments",
    "paid_installments",
    "installments",
    "writer_payments",
]
INSTALLMENT_KEYS = ["id", "installment_number", "amount", "is_paid", "paid_at", "due_date"]
SEED_BUNDLE = [
    "bundles", "add",
    "--client", "Dana Client",
    "--title", "Essay Writing",
    "--classes", "10",
    "--total", "1000",
    "--deposit", "200",
    "--installments", "4",
    "--first-due", "2024-01-15",
    "--every", "month",
    "--writer", "writer1",
]  # fmt: skip


def classpay(db: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``python -m classpay_tui --db DB ARGS...`` in a real process."""
    done = subprocess.run(
        [sys.executable, "-m", "classpay_tui", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    if ok:
        assert done.returncode == 0, f"classpay {' '.join(args)} failed: {done.stderr}"
    return done


def classpay_json(db: Path, *args: str) -> Any:
    return json.loads(classpay(db, *args, "--json").stdout)


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite file (WAL included), for a test that changes it."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


@dataclass(frozen=True)
class Seed:
    db: Path
    writer_stdout: str
    bundle_stdout: str
    bundle_id: int
    other_bundle_id: int
    details: dict[str, Any]


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    """The seed's example: 1000.00, deposit 200.00 paid, 4 monthly installments, the first paid."""
    db = tmp_path_factory.mktemp("seed") / "classpay.db"
    classpay(db, "init")
    writer = classpay(db, "writers", "add", "writer1")
    bundle = classpay(db, *SEED_BUNDLE)
    bundle_id = int(bundle.stdout.strip())
    classpay(db, "pay", str(bundle_id), "--deposit", "--amount", "200", "--reference", "DEP-1", "--date", "2024-01-10")
    classpay(
        db, "pay", str(bundle_id), "--installment", "1", "--amount", "200", "--reference", "INST-1",
        "--date", "2024-01-15",
    )  # fmt: skip
    # A newer bundle of another client, without a writer, so list order can be checked.
    other = classpay(db, "bundles", "add", "--client", "Lee Other", "--title", "Algebra", "--classes", "5",
                     "--total", "500")  # fmt: skip
    details = classpay_json(db, "payments", "bundle", str(bundle_id))
    return Seed(db, writer.stdout, bundle.stdout, bundle_id, int(other.stdout.strip()), details)


def test_creating_commands_print_the_new_id_alone(seed: Seed) -> None:
    assert seed.writer_stdout.strip().isdigit()
    assert seed.writer_stdout == seed.writer_stdout.strip() + "\n"
    assert seed.bundle_stdout == f"{seed.bundle_id}\n"
    assert seed.details["bundle_id"] == seed.bundle_id


def test_seed_example_numbers(seed: Seed) -> None:
    details = seed.details
    assert details["total_amount"] == "1000.00"
    assert details["deposit_amount"] == "200.00"
    assert details["deposit_paid"] == "200.00"
    assert details["balance_remaining"] == "600.00"
    assert details["payment_progress"] == 40.0
    assert isinstance(details["payment_progress"], float)
    assert details["client_payment_status"] == "partial"
    assert details["paid_installments"] == 1
    assert details["total_installments"] == 4
    assert details["uses_installments"] is True
    assert details["number_of_classes"] == 10
    assert details["assigned_writer_username"] == "writer1"
    assert details["writer_compensation_amount"] == "600.00"
    assert details["writer_paid_amount"] == "0.00"
    assert details["writer_payment_status"] == "pending"
    assert details["writer_payments"] == []


def test_every_seed_key_comes_first_in_the_seeds_order(seed: Seed) -> None:
    assert list(seed.details)[: len(SEED_KEYS)] == SEED_KEYS


def test_installments_carry_the_seeds_keys(seed: Seed) -> None:
    installments = seed.details["installments"]
    assert [item["installment_number"] for item in installments] == [1, 2, 3, 4]
    for item in installments:
        assert list(item)[: len(INSTALLMENT_KEYS)] == INSTALLMENT_KEYS
        assert isinstance(item["id"], int)
        assert item["amount"] == "200.00"
    first = installments[0]
    assert first["is_paid"] is True
    assert isinstance(first["paid_at"], str)
    assert first["paid_at"].endswith("Z")
    assert first["paid_at"].startswith("2024-01-15T")
    assert first["due_date"] == "2024-01-15"
    assert [item["due_date"] for item in installments[1:]] == ["2024-02-15", "2024-03-15", "2024-04-15"]
    assert all(item["is_paid"] is False and item["paid_at"] is None for item in installments[1:])


def test_payments_list_is_newest_first_with_the_seed_keys(seed: Seed) -> None:
    listed = classpay_json(seed.db, "payments", "list")
    assert isinstance(listed, list)
    assert [item["bundle_id"] for item in listed] == [seed.other_bundle_id, seed.bundle_id]
    for item in listed:
        assert list(item)[: len(SEED_KEYS)] == SEED_KEYS
    ours = listed[1]
    assert ours["balance_remaining"] == "600.00"
    assert ours["payment_progress"] == 40.0
    assert ours["client_payment_status"] == "partial"


def test_payments_writer_lists_the_bundle(seed: Seed) -> None:
    found = classpay_json(seed.db, "payments", "writer", "writer1")
    assert isinstance(found, list)
    assert [item["bundle_id"] for item in found] == [seed.bundle_id]
    assert found[0]["writer_compensation_amount"] == "600.00"
    assert found[0]["paid_installments"] == 1


def test_paying_the_rest_schedules_one_writer_payout_and_refresh_is_idempotent(seed: Seed, tmp_path: Path) -> None:
    db = copy_database(seed.db, tmp_path / "paid.db")
    bundle = str(seed.bundle_id)
    classpay(db, "pay", bundle, "--amount", "600", "--reference", "FINAL")

    details = classpay_json(db, "payments", "bundle", bundle)
    assert details["balance_remaining"] == "0.00"
    assert details["client_payment_status"] == "paid"
    assert details["payment_progress"] == 100.0
    assert details["paid_installments"] == 4
    assert len(details["writer_payments"]) == 1
    payout = details["writer_payments"][0]
    assert payout["amount"] == "600.00"
    assert payout["status"] == "scheduled"
    assert payout["payment_type"] == "full"
    for key in ("id", "amount", "payment_type", "status", "scheduled_for", "paid_at", "reference"):
        assert key in payout
    assert details["writer_payment_status"] == "scheduled"

    payment_id = str(details["id"])
    for _ in range(3):
        classpay(db, "payments", "refresh", payment_id)

    after = classpay_json(db, "payments", "bundle", bundle)
    assert [(p["id"], p["amount"], p["status"]) for p in after["writer_payments"]] == [
        (payout["id"], "600.00", "scheduled")
    ]
    assert after["balance_remaining"] == "0.00"
    checked = classpay(db, "check")
    assert checked.stdout.startswith("ok:")


@pytest.mark.parametrize("args", [(), ("payments", "list")], ids=["no-command", "payments-list"])
def test_a_missing_database_is_one_sentence_naming_init(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "nowhere" / "classpay.db"
    done = classpay(db, *args, ok=False)
    assert done.returncode != 0
    message = done.stderr.strip()
    assert "\n" not in message
    assert message.startswith("classpay: ")
    assert "classpay init" in message
    assert done.stdout == ""
    assert not db.exists()
