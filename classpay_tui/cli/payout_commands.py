"""``refund``, ``reverse`` and ``payouts list|pay|cancel|run|mode``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import emit_id, emit_json, table, tell
from classpay_tui.domain.money import format_money, parse_amount
from classpay_tui.domain.statuses import PaymentMethod, PayoutMode, WriterPayoutStatus
from classpay_tui.services.export import write_csv
from classpay_tui.services.schemas import PaymentIn, WriterPaymentOut

METHODS = [m.value for m in PaymentMethod]
DATE = click.DateTime(["%Y-%m-%d"])


@click.command()
@click.argument("bundle_id", type=int)
@click.option("--amount", required=True, help="Amount returned to the client.")
@click.option("--reference", required=True, help="Reference of the refund; the same one is never recorded twice.")
@click.option("--method", type=click.Choice(METHODS), default="bank_transfer", show_default=True)
@click.option("--note")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def refund(
    runtime: Runtime, bundle_id: int, amount: str, reference: str, method: str, note: str | None, as_json: bool
) -> None:
    """Return money to the client (admin); prints the refund's ledger id."""
    result = runtime.service().refund(
        runtime.operator(),
        bundle_id,
        PaymentIn(amount=parse_amount(amount), reference=reference, method=PaymentMethod(method), note=note),
    )
    if as_json:
        emit_json(result)
        return
    emit_id(result.payment.id)
    tell(
        f"Recorded refund {result.payment.id} on bundle {bundle_id}: {result.effect}."
        if result.created
        else result.effect
    )
    if result.details.writer_owed_back > 0:
        tell(f"The writer now owes back {format_money(result.details.writer_owed_back)} on this bundle.")


@click.command()
@click.argument("payment_id", type=int)
@click.option("--reason", required=True, help="Why the payment is undone (kept in the ledger).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def reverse(runtime: Runtime, payment_id: int, reason: str, as_json: bool) -> None:
    """Undo one recorded payment with a reversal entry (admin); prints the reversal's id."""
    result = runtime.service().reverse_payment(runtime.operator(), payment_id, reason)
    if as_json:
        emit_json(result)
        return
    emit_id(result.payment.id)
    tell(f"Payment {payment_id} reversed by entry {result.payment.id}: {result.effect}.")


@click.group()
def payouts() -> None:
    """Writer payouts: list, pay, cancel, and the payout run."""


def _payout_rows(items: list[WriterPaymentOut]) -> list[tuple[object, ...]]:
    return [
        (
            p.id,
            p.writer_username,
            p.bundle_id,
            format_money(p.amount),
            p.payment_type.value,
            p.status.value,
            p.scheduled_for,
            p.paid_at.date() if p.paid_at else "",
            p.reference or "",
        )
        for p in items
    ]


PAYOUT_HEADERS = ["payout", "writer", "bundle", "amount", "type", "status", "scheduled for", "paid on", "reference"]


@payouts.command("list")
@click.option("--writer", help="Writer id or username.")
@click.option("--status", type=click.Choice([s.value for s in WriterPayoutStatus]))
@click.option("--due-by", type=DATE, help="Scheduled on or before this date.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payouts_list(
    runtime: Runtime, writer: str | None, status: str | None, due_by: datetime | None, as_json: bool
) -> None:
    """Writer payouts by scheduled date."""
    found = runtime.service().list_payouts(
        runtime.operator(), writer=writer, status=status, due_by=due_by.date() if due_by else None
    )
    if as_json:
        emit_json(found)
    else:
        table(PAYOUT_HEADERS, _payout_rows(found), right={0, 2, 3})


@payouts.command("pay")
@click.argument("payout_id", type=int)
@click.option("--reference", required=True, help="Transfer reference of the payout.")
@click.option("--method", type=click.Choice(METHODS), default="bank_transfer", show_default=True)
@click.option("--date", "paid_on", type=DATE, help="Date paid (default: today).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payouts_pay(
    runtime: Runtime, payout_id: int, reference: str, method: str, paid_on: datetime | None, as_json: bool
) -> None:
    """Mark one payout paid (admin)."""
    payout = runtime.service().pay_payout(
        runtime.operator(),
        payout_id,
        reference,
        method=PaymentMethod(method),
        paid_on=paid_on.date() if paid_on else None,
    )
    if as_json:
        emit_json(payout)
        return
    tell(f"Payout {payout.id}: {format_money(payout.amount)} to {payout.writer_username} paid ({payout.reference}).")


@payouts.command("cancel")
@click.argument("payout_id", type=int)
@click.option("--reason", default="cancelled by an admin", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payouts_cancel(runtime: Runtime, payout_id: int, reason: str, as_json: bool) -> None:
    """Cancel a scheduled payout (admin); a paid one is never undone."""
    payout = runtime.service().cancel_payout(runtime.operator(), payout_id, reason)
    if as_json:
        emit_json(payout)
        return
    tell(f"Payout {payout.id} of {format_money(payout.amount)} to {payout.writer_username} cancelled.")


@payouts.command("run")
@click.option("--due-by", type=DATE, required=True, help="Pay every payout scheduled on or before this date.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write what was paid here.")
@click.option("--reference-prefix", help="References become PREFIX-<payout id> (default RUN-<today>).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def payouts_run(
    runtime: Runtime,
    due_by: datetime,
    yes: bool,
    csv_path: Path | None,
    reference_prefix: str | None,
    as_json: bool,
) -> None:
    """Pay every scheduled payout due by a date, all in one transaction (admin)."""
    service = runtime.service()
    due = service.list_payouts(runtime.operator(), status="scheduled", due_by=due_by.date())
    if not due:
        tell(f"No payout is scheduled on or before {due_by.date()}.")
        if as_json:
            emit_json([])
        return
    total = sum(p.amount for p in due)
    if not yes:
        table(PAYOUT_HEADERS, _payout_rows(due), right={0, 2, 3})
        click.confirm(f"Pay these {len(due)} payouts, {format_money(total)} in all?", abort=True, err=True)
    paid = service.run_payouts(runtime.operator(), due_by.date(), reference_prefix=reference_prefix)
    if csv_path is not None:
        write_csv(
            csv_path,
            ["payout", "writer", "bundle", "amount", "scheduled_for", "paid_at", "reference"],
            [
                (p.id, p.writer_username, p.bundle_id, f"{p.amount:.2f}", p.scheduled_for, p.paid_at, p.reference)
                for p in paid
            ],
        )
    if as_json:
        emit_json(paid)
    tell(
        f"Paid {len(paid)} payouts, {format_money(sum(p.amount for p in paid))} in all"
        + (f"; written to {csv_path}." if csv_path else ".")
    )


@payouts.command("mode")
@click.argument("mode", required=False, type=click.Choice([m.value for m in PayoutMode]))
@click.option("--bundle", "bundle_id", type=int, help="Set the mode of one bundle instead of the office.")
@click.option("--clear", is_flag=True, help="With --bundle: go back to the office's mode.")
@click.pass_obj
def payouts_mode(runtime: Runtime, mode: str | None, bundle_id: int | None, clear: bool) -> None:
    """Show or set the payout mode: on_full_payment (default) or per_installment (admin)."""
    service = runtime.service()
    if mode is None and not clear:
        click.echo(service.payout_mode(runtime.operator(), bundle_id))
        return
    if clear and (bundle_id is None or mode is not None):
        raise click.UsageError("--clear goes with --bundle and no MODE.")
    now = service.set_payout_mode(runtime.operator(), None if clear else mode, bundle_id=bundle_id)
    tell(f"Payout mode {'of bundle ' + str(bundle_id) if bundle_id else 'of the office'}: {now}.")
