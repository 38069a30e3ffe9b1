"""Import files for the import benchmark: clients, writers, bundles with their installment
plans, and payments into them (deposits and installments, as an older system would have
recorded them), written as CSV the way ``classpay import`` reads them."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from classpay_tui.domain.plans import split_evenly

WRITERS = 20


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(header)
        out.writerows(rows)
    return path


def catalog_files(folder: Path, bundles: int, *, seed: int = 11, today: date) -> list[Path]:
    """clients.csv, writers.csv, bundles.csv, installments.csv: ``bundles`` bundles of 4 installments."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    writers = [[f"bw{n:03d}", f"Bench Writer {n}", f"bw{n}@example.org", 60, ""] for n in range(WRITERS)]
    clients, plans, installments = [], [], []
    for n in range(bundles):
        classes = rng.choice((4, 8, 12))
        total = Decimal(classes * rng.choice((60, 80, 100)))
        deposit = (total / 5).quantize(Decimal("1"))
        start = today - timedelta(days=rng.randint(150, 900))
        clients.append([f"BC-{n}", f"Client {n}", f"client{n}@example.com", "", ""])
        plans.append(
            [
                f"BB-{n}",
                f"BC-{n}",
                "Bench Course",
                classes,
                total,
                deposit,
                "in_progress",
                f"bw{n % WRITERS:03d}",
                start,
                "",
            ]
        )
        for number, amount in enumerate(split_evenly(total - deposit, 4), 1):
            installments.append([f"BB-{n}", number, amount, start + timedelta(days=30 * number)])
    return [
        _write(folder / "clients.csv", ["ref", "name", "email", "phone", "notes"], clients),
        _write(folder / "writers.csv", ["username", "name", "email", "percent", "per_class"], writers),
        _write(
            folder / "bundles.csv",
            [
                "ref",
                "client_ref",
                "title",
                "classes",
                "total",
                "deposit",
                "status",
                "writer",
                "start_date",
                "compensation",
            ],
            plans,
        ),
        _write(folder / "installments.csv", ["bundle_ref", "number", "amount", "due_date"], installments),
    ]


def payment_file(folder: Path, bundles: int, payments: int, *, today: date) -> Path:
    """``payments`` payments into the bundles of :func:`catalog_files`: each bundle's deposit,
    then its installments in order, as many as it takes (at most 5 per bundle)."""
    if payments > bundles * 5:
        raise ValueError("at most 5 payments per bundle")
    rng = random.Random(13)
    rows = []
    per_bundle = [payments // bundles + (1 if n < payments % bundles else 0) for n in range(bundles)]
    plan_rng = random.Random(11)
    for n in range(bundles):
        classes = plan_rng.choice((4, 8, 12))
        total = Decimal(classes * plan_rng.choice((60, 80, 100)))
        deposit = (total / 5).quantize(Decimal("1"))
        start = today - timedelta(days=plan_rng.randint(150, 900))
        amounts = split_evenly(total - deposit, 4)
        for k in range(per_bundle[n]):
            method = rng.choice(("cash", "card", "bank_transfer", "paypal"))
            if k == 0:
                rows.append([f"BB-{n}", f"BP-{n}-0", deposit, "deposit", "", method, start, ""])
            else:
                due = min(today, start + timedelta(days=30 * k))
                rows.append([f"BB-{n}", f"BP-{n}-{k}", amounts[k - 1], "installment", k, method, due, ""])
    header = ["bundle_ref", "reference", "amount", "kind", "installment", "method", "received_on", "note"]
    return _write(folder / "payments.csv", header, rows)
