"""``pay``, ``payments list|bundle|writer|refresh|schedule-writer`` and ``check``."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import emit_id, emit_json, table, tell
from classpay_tui.domain.money import format_money, parse_amount
from classpay_tui.domain.statuses import ClientPaymentStatus, PaymentMethod
from classpay_tui.services.schemas import PaymentDetails, PaymentIn

STATUS_CHOICES = [status.value for status in ClientPaymentStatus] + ["overdue"]


@click.command()
@click.argument("bundle_id", type=int)
@click.option("--amount", required=True, help="Amount received, e.g. 200 or 1,200.50.")
@click.option(
    "--reference", required=True, help="Receipt or transfer reference; the same reference is never recorded twice."
)
@click.option("--deposit", is_flag=True, help="Pay the deposit.")
@click.option("--installment", "installment_number", type=int, help="Pay installment N.")
@click.option("--method", type=click.Choice([m.value for m in PaymentMethod]), default="cash", show_default=True)
@click.option("--date", "received_on", type=click.DateTime(["%Y-%m-%d"]), help="Date received (default: today).")
@click.option("--note")
@click.option("--json", "as_json", is_flag=True, help="Print the recorded payment and its effect as JSON.")
@click.pass_obj
def pay(
    runtime: Runtime,
    bundle_id: int,
    amount: str,
    reference: str,
    deposit: bool,
    installment_number: int | None,
    method: str,
    received_on: datetime | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Record a client payment: to the deposit, one installment, or allocated oldest first."""
    result = runtime.service().record_payment(
        runtime.operator(),
        bundle_id,
        PaymentIn(
            amount=parse_amount(amount),
            reference=reference,
            method=PaymentMethod(method),
            received_on=received_on.date() if received_on else None,
            note=note,
        ),
        deposit=deposit,
        installment_number=installment_number,
    )
    if as_json:
        emit_json(result)
        return
    emit_id(result.payment.id)
    if result.created:
        tell(f"Recorded payment {result.payment.id} on bundle {bundle_id}: {result.effect}.")
    else:
        tell(result.effect)


@click.group()
def payments() -> None:
    """Bundle payment records (the seed's class-payments endpoints)."""


@payments.command("list")
@click.option("--status", type=click.Choice(STATUS_CHOICES), help="Client payment status, or overdue.")
@click.option("--writer", help="Writer id or username.")
@click.option("--search", help="Client, course, writer or bundle id.")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payments_list(
    runtime: Runtime,
    status: str | None,
    writer: str | None,
    search: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Bundles newest first, with their payment summary."""
    found = runtime.service().list_payments(
        runtime.operator(), status=status, writer=writer, search=search, limit=limit, offset=offset
    )
    if as_json:
        emit_json(found)
        return
    table(
        ["bundle", "client", "course", "writer", "total", "paid", "balance", "progress", "status", "next due"],
        [
            (
                item.bundle_id,
                item.client_name,
                item.title,
                item.assigned_writer_username or "-",
                format_money(item.total_amount),
                format_money(item.amount_paid),
                format_money(item.balance_remaining),
                f"{item.payment_progress}%",
                item.client_payment_status.value + (" (overdue)" if item.is_overdue else ""),
                item.next_due_date or "-",
            )
            for item in found
        ],
        right={0, 4, 5, 6, 7},
    )


def _print_details(details: PaymentDetails) -> None:
    click.echo(f"Bundle {details.bundle_id}: {details.title} for {details.client_name} ({details.bundle_status.value})")
    click.echo(
        f"  payment record {details.id}, {details.number_of_classes} classes, writer "
        f"{details.assigned_writer_username or '-'}"
    )
    click.echo(
        f"  total {format_money(details.total_amount)}  deposit {format_money(details.deposit_amount)} "
        f"(paid {format_money(details.deposit_paid)})"
    )
    click.echo(
        f"  paid {format_money(details.amount_paid)}  balance {format_money(details.balance_remaining)}  "
        f"progress {details.payment_progress}%  status {details.client_payment_status.value}"
    )
    click.echo(
        f"  writer compensation {format_money(details.writer_compensation_amount)}  paid "
        f"{format_money(details.writer_paid_amount)}  status {details.writer_payment_status.value}"
    )
    if details.installments:
        click.echo("")
        table(
            ["#", "amount", "due", "status", "paid", "paid at"],
            [
                (
                    i.installment_number,
                    format_money(i.amount),
                    i.due_date,
                    i.status.value,
                    format_money(i.paid_amount),
                    i.paid_at.date() if i.paid_at else "",
                )
                for i in details.installments
            ],
            right={0, 1, 4},
        )
    if details.writer_payments:
        click.echo("")
        table(
            ["payout", "writer", "amount", "type", "status", "scheduled for"],
            [
                (p.id, p.writer_username, format_money(p.amount), p.payment_type.value, p.status.value, p.scheduled_for)
                for p in details.writer_payments
            ],
            right={0, 2},
        )


@payments.command("bundle")
@click.argument("bundle_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payments_bundle(runtime: Runtime, bundle_id: int, as_json: bool) -> None:
    """One bundle's payment details (the seed's response)."""
    details = runtime.service().get_payment_details(runtime.operator(), bundle_id)
    emit_json(details) if as_json else _print_details(details)


@payments.command("writer")
@click.argument("writer")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payments_writer(runtime: Runtime, writer: str, as_json: bool) -> None:
    """A writer's class payments (the seed's writer dashboard)."""
    found = runtime.service().get_writer_class_payments(runtime.operator(), writer)
    if as_json:
        emit_json(found)
        return
    table(
        [
            "bundle",
            "course",
            "progress",
            "compensation",
            "paid",
            "scheduled",
            "owed back",
            "status",
            "installments paid",
        ],
        [
            (
                item.bundle_id,
                item.title,
                f"{item.payment_progress}%",
                format_money(item.writer_compensation_amount),
                format_money(item.writer_paid_amount),
                format_money(item.writer_scheduled_amount),
                format_money(item.writer_owed_back),
                item.writer_payment_status.value,
                f"{item.paid_installments}/{item.total_installments}",
            )
            for item in found
        ],
        right={0, 2, 3, 4, 5, 6},
    )


@payments.command("refresh")
@click.argument("payment_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payments_refresh(runtime: Runtime, payment_id: int, as_json: bool) -> None:
    """Recompute a payment record's status from the ledger (admin)."""
    details = runtime.service().refresh_status(runtime.operator(), payment_id)
    if as_json:
        emit_json(details)
        return
    tell(
        f"Payment record {payment_id} (bundle {details.bundle_id}): {details.client_payment_status.value}, "
        f"balance {format_money(details.balance_remaining)}, writer {details.writer_payment_status.value}."
    )


@payments.command("schedule-writer")
@click.argument("payment_id", type=int)
@click.option("--amount", help="Amount to schedule (default: all compensation not yet paid or scheduled).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payments_schedule_writer(runtime: Runtime, payment_id: int, amount: str | None, as_json: bool) -> None:
    """Schedule a writer payout for a payment record (admin); prints the payout id."""
    payout = runtime.service().schedule_writer_payment(
        runtime.operator(), payment_id, parse_amount(amount, what="The payout amount") if amount else None
    )
    if as_json:
        emit_json(payout)
        return
    emit_id(payout.id)
    tell(f"Scheduled {format_money(payout.amount)} to {payout.writer_username} for {payout.scheduled_for}.")


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--quiet", is_flag=True, help="Print nothing when all is well (for cron, which mails any output).")
@click.pass_obj
def check(runtime: Runtime, as_json: bool, quiet: bool) -> None:
    """Prove every stored summary equals the ledger and the audit chain is unbroken (exit 1 if not)."""
    report = runtime.service().check(runtime.operator())
    if as_json:
        emit_json(report.model_dump(mode="json") | {"ok": report.ok})
    else:
        for problem in report.problems:
            click.echo(problem)
        if report.ok and not quiet:
            click.echo(
                f"ok: {report.bundles_checked} bundles, {report.payments_checked} payments and "
                f"{report.audit_events_checked} audit events match the ledger."
            )
    sys.exit(0 if report.ok else 1)
