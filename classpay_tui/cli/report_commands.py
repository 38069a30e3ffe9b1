"""``overdue`` and ``report collections|aging|writers``: text with bars for people, JSON or
CSV for scripts and spreadsheets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from classpay_tui.cli.charts import bars, sparkline
from classpay_tui.cli.days import day_option
from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import emit_json, table, tell
from classpay_tui.domain.errors import InvalidInput
from classpay_tui.domain.money import ZERO, format_money, money_str
from classpay_tui.services.export import write_csv
from classpay_tui.services.files import check_target, replace_atomically

CSV_FILE = click.Path(dir_okay=False, path_type=Path)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _one_output(as_json: bool, csv_path: Path | None) -> None:
    if as_json and csv_path is not None:
        raise InvalidInput("Choose --json or --csv, not both.")
    if csv_path is not None:
        check_target(csv_path)


def _write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    def write(temporary: Path) -> None:
        write_csv(temporary, headers, rows)

    replace_atomically(path, write)
    tell(f"Wrote {_plural(len(rows), 'row')} to {path}.")


@click.command()
@day_option("--as-of", "Overdue on this day (default today); payments received later count as not yet received.")
@click.option("--bundle", "bundle_ids", type=int, multiple=True, help="Only this bundle (repeat for more).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def overdue(runtime: Runtime, as_of: date | None, bundle_ids: tuple[int, ...], as_json: bool) -> None:
    """Unpaid installments past due: days late, client contact, amount still owed, reminder level."""
    service = runtime.service()
    rows = service.overdue(runtime.operator(), as_of, bundle_ids=list(bundle_ids) or None)
    if as_json:
        emit_json(rows)
        return
    day = as_of or service.clock.today()
    if not rows:
        tell(f"Nothing is overdue on {day.isoformat()}.")
        return
    table(
        ["bundle", "inst", "client", "course", "due", "late", "owed", "level", "email", "phone"],
        [
            (
                r.bundle_id,
                r.installment_number,
                r.client_name,
                r.course,
                r.due_date,
                f"{r.days_late}d",
                format_money(r.amount_owed),
                r.reminder_level or "-",
                r.email or "",
                r.phone or "",
            )
            for r in rows
        ],
        right={0, 1, 5, 6, 7},
    )
    owed = sum((r.amount_owed for r in rows), ZERO)
    bundles = len({r.bundle_id for r in rows})
    tell(
        f"{_plural(len(rows), 'installment')} on {_plural(bundles, 'bundle')} overdue on {day.isoformat()}: "
        f"{format_money(owed)} {service.currency()} owed."
    )


@click.group()
def report() -> None:
    """Collections by month, receivables aging, writer liabilities."""


@report.command("collections")
@day_option("--from", "First day (default: the first of the month 11 months before --to).", "date_from")
@day_option("--to", "Last day (default today).", "date_to")
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "csv_path", type=CSV_FILE, help="Write the months to this CSV file.")
@click.pass_obj
def collections(
    runtime: Runtime, date_from: date | None, date_to: date | None, as_json: bool, csv_path: Path | None
) -> None:
    """Money received per month, net of refunds and reversals, as bars; the last 12 weeks as a sparkline."""
    _one_output(as_json, csv_path)
    service = runtime.service()
    found = service.collections_report(runtime.operator(), date_from, date_to)
    if as_json:
        emit_json(found)
        return
    if csv_path is not None:
        _write_csv(
            csv_path,
            ["month", "received", "refunded", "reversed", "net", "entries"],
            [
                (
                    m.month,
                    money_str(m.received),
                    money_str(m.refunded),
                    money_str(m.reversed),
                    money_str(m.net),
                    m.entries,
                )
                for m in found.months
            ],
        )
        return
    click.echo(
        f"Collections {found.date_from.isoformat()} to {found.date_to.isoformat()}, "
        f"net of refunds and reversals ({service.currency()})"
    )
    chart = bars([m.net for m in found.months])
    table(
        ["month", "received", "refunded", "reversed", "net", ""],
        [
            (
                m.month,
                format_money(m.received),
                format_money(m.refunded),
                format_money(m.reversed),
                format_money(m.net),
                line,
            )
            for m, line in zip(found.months, chart, strict=True)
        ]
        + [("total", "", "", "", format_money(found.total_net), "")],
        right={1, 2, 3, 4},
    )
    weeks = found.weeks
    click.echo(
        f"\nLast 12 weeks {weeks[0].week_start.isoformat()} to {found.date_to.isoformat()}: "
        f"{sparkline([w.net for w in weeks])}  "
        f"{format_money(sum((w.net for w in weeks), ZERO))} in all, {format_money(weeks[-1].net)} this week"
    )


@report.command("aging")
@day_option("--as-of", "Owed at the end of this day (default today).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "csv_path", type=CSV_FILE, help="Write the buckets to this CSV file.")
@click.pass_obj
def aging(runtime: Runtime, as_of: date | None, as_json: bool, csv_path: Path | None) -> None:
    """Receivables by days past due: not due, 1–30, 31–60, 61–90, over 90 days."""
    _one_output(as_json, csv_path)
    service = runtime.service()
    found = service.aging_report(runtime.operator(), as_of)
    if as_json:
        emit_json(found)
        return
    if csv_path is not None:
        _write_csv(
            csv_path,
            ["bucket", "installments", "bundles", "amount"],
            [(b.bucket, b.installments, b.bundles, money_str(b.amount)) for b in found.buckets],
        )
        return
    click.echo(f"Receivables as of {found.as_of.isoformat()} by days past due ({service.currency()})")
    chart = bars([b.amount for b in found.buckets])
    table(
        ["", "installments", "bundles", "owed", "share", ""],
        [
            (
                b.label,
                b.installments if b.bucket != "no_due_date" else "-",
                b.bundles,
                format_money(b.amount),
                _share(b.amount, found.total),
                line,
            )
            for b, line in zip(found.buckets, chart, strict=True)
        ]
        + [("total", "", "", format_money(found.total), "", "")],
        right={1, 2, 3, 4},
    )


def _share(amount: Decimal, total: Decimal) -> str:
    if total <= 0:
        return ""
    return f"{(amount * 100 / total).quantize(Decimal('1'))}%"


@report.command("writers")
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "csv_path", type=CSV_FILE, help="Write the writers to this CSV file.")
@click.pass_obj
def writers(runtime: Runtime, as_json: bool, csv_path: Path | None) -> None:
    """Writer liabilities: compensation earned, scheduled, paid, not yet scheduled, owed back."""
    _one_output(as_json, csv_path)
    totals = runtime.service().writer_totals(runtime.operator())
    if as_json:
        emit_json(totals)
        return
    if csv_path is not None:
        _write_csv(
            csv_path,
            [
                "writer_id",
                "username",
                "display_name",
                "active",
                "bundles",
                "earned",
                "scheduled",
                "paid",
                "unscheduled",
                "owed_back",
            ],
            [
                (
                    t.writer_id,
                    t.username,
                    t.display_name,
                    t.active,
                    t.bundles,
                    money_str(t.compensation),
                    money_str(t.scheduled),
                    money_str(t.paid),
                    money_str(t.unscheduled),
                    money_str(t.owed_back),
                )
                for t in totals
            ],
        )
        return
    table(
        ["writer", "name", "bundles", "earned", "scheduled", "paid", "not scheduled", "owed back"],
        [
            (
                t.username,
                t.display_name,
                t.bundles,
                format_money(t.compensation),
                format_money(t.scheduled),
                format_money(t.paid),
                format_money(t.unscheduled),
                format_money(t.owed_back),
            )
            for t in totals
        ]
        + [
            (
                "total",
                "",
                sum(t.bundles for t in totals),
                *(
                    format_money(sum((getattr(t, key) for t in totals), ZERO))
                    for key in ("compensation", "scheduled", "paid", "unscheduled", "owed_back")
                ),
            )
        ],
        right={2, 3, 4, 5, 6, 7},
    )
