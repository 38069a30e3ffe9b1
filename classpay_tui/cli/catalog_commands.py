"""``writers add`` and ``bundles add|assign``."""

from __future__ import annotations

from datetime import date, datetime

import click

from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import emit_id, emit_json, table, tell
from classpay_tui.domain.money import parse_amount
from classpay_tui.domain.plans import Frequency
from classpay_tui.services.schemas import BundleIn, PlanIn, WriterIn


@click.group()
def writers() -> None:
    """Writers and their compensation rules."""


@writers.command("add")
@click.argument("username")
@click.option("--name", help="Display name.")
@click.option("--email")
@click.option("--percent", help="Compensation as a percentage of the bundle total, e.g. 60.")
@click.option("--per-class", help="Compensation as an amount per class, e.g. 45.00.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole record as JSON.")
@click.pass_obj
def writers_add(
    runtime: Runtime,
    username: str,
    name: str | None,
    email: str | None,
    percent: str | None,
    per_class: str | None,
    as_json: bool,
) -> None:
    """Add a writer; prints the new writer id."""
    from decimal import Decimal, InvalidOperation

    from classpay_tui.domain.errors import InvalidInput

    percent_value = None
    if percent is not None:
        try:
            percent_value = Decimal(percent.strip().rstrip("%"))
        except InvalidOperation:
            percent_value = None
        if percent_value is None or not percent_value.is_finite():
            raise InvalidInput(f"{percent!r} is not a percentage; type something like 60 or 62.5.")
    writer = runtime.service().add_writer(
        runtime.operator(),
        WriterIn(
            username=username,
            display_name=name,
            email=email,
            percent=percent_value,
            per_class=parse_amount(per_class, allow_zero=True, what="The rate per class") if per_class else None,
        ),
    )
    emit_json(writer) if as_json else emit_id(writer.id)


@writers.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def writers_list(runtime: Runtime, as_json: bool) -> None:
    """Every writer with their compensation rule."""
    found = runtime.service().list_writers(runtime.operator())
    if as_json:
        emit_json(found)
        return
    table(
        ["id", "username", "name", "compensation", "active"],
        [(w.id, w.username, w.display_name, w.compensation_rule, "yes" if w.active else "no") for w in found],
        right={0},
    )


@click.group()
def bundles() -> None:
    """Class bundles and their installment plans."""


def _schedule_part(text: str) -> tuple[date, str]:
    day, _, amount = text.partition("=")
    try:
        return date.fromisoformat(day.strip()), amount.strip()
    except ValueError:
        raise click.BadParameter(f"{text!r} is not DATE=AMOUNT, e.g. 2025-03-01=250.00") from None


@bundles.command("add")
@click.option("--client", "client_name", required=True, help="Client name (created if new).")
@click.option("--title", required=True, help="Course title.")
@click.option("--classes", "number_of_classes", required=True, type=int, help="Number of classes.")
@click.option("--total", required=True, help="Total price, e.g. 1000 or 1,000.00.")
@click.option("--deposit", default="0", show_default=True, help="Deposit due before any installment.")
@click.option("--installments", "count", type=click.IntRange(0, 120), default=0, help="Split the balance into N.")
@click.option("--first-due", type=click.DateTime(["%Y-%m-%d"]), help="First due date (default: one period from today).")
@click.option("--every", type=click.Choice([f.value for f in Frequency]), default="month", show_default=True)
@click.option("--schedule", "custom", multiple=True, metavar="DATE=AMOUNT", help="A custom installment; repeat it.")
@click.option("--writer", help="Writer id or username to assign.")
@click.option("--client-email")
@click.option("--client-phone")
@click.option("--start", "start_date", type=click.DateTime(["%Y-%m-%d"]), help="Course start date.")
@click.option("--json", "as_json", is_flag=True, help="Print the bundle's payment details as JSON.")
@click.pass_obj
def bundles_add(
    runtime: Runtime,
    client_name: str,
    title: str,
    number_of_classes: int,
    total: str,
    deposit: str,
    count: int,
    first_due: datetime | None,
    every: str,
    custom: tuple[str, ...],
    writer: str | None,
    client_email: str | None,
    client_phone: str | None,
    start_date: datetime | None,
    as_json: bool,
) -> None:
    """Add a bundle with its installment plan; prints the new bundle id."""
    if count and custom:
        raise click.UsageError("Use --installments or --schedule, not both.")
    plan = PlanIn(
        count=count,
        first_due=first_due.date() if first_due else None,
        every=Frequency(every),
        custom=[_schedule_part(part) for part in custom],
    )
    details = runtime.service().create_bundle(
        runtime.operator(),
        BundleIn(
            client_name=client_name,
            title=title,
            number_of_classes=number_of_classes,
            total_amount=parse_amount(total, what="The total"),
            deposit_amount=parse_amount(deposit, allow_zero=True, what="The deposit"),
            plan=plan,
            writer=writer,
            start_date=start_date.date() if start_date else None,
            client_email=client_email,
            client_phone=client_phone,
        ),
    )
    if as_json:
        emit_json(details)
        return
    emit_id(details.bundle_id)
    plan_text = ", ".join(f"{i.amount:,.2f} due {i.due_date}" for i in details.installments) or "no installments"
    tell(f"Bundle {details.bundle_id} for {details.client_name}: {details.total_amount:,.2f}; {plan_text}.")


@bundles.command("assign")
@click.argument("bundle_id", type=int)
@click.argument("writer")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def bundles_assign(runtime: Runtime, bundle_id: int, writer: str, as_json: bool) -> None:
    """Assign or reassign the writer of a bundle."""
    details = runtime.service().assign_writer(runtime.operator(), bundle_id, writer)
    if as_json:
        emit_json(details)
        return
    tell(
        f"Bundle {bundle_id} is assigned to {details.assigned_writer_username}; "
        f"compensation {details.writer_compensation_amount:,.2f}."
    )


@bundles.command("reprice")
@click.argument("bundle_id", type=int)
@click.option("--total", help="New total price.")
@click.option("--deposit", help="New deposit.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def bundles_reprice(runtime: Runtime, bundle_id: int, total: str | None, deposit: str | None, as_json: bool) -> None:
    """Change a bundle's price or deposit; unpaid installments are re-planned (admin once money came in)."""
    if total is None and deposit is None:
        raise click.UsageError("Give --total, --deposit or both.")
    details = runtime.service().reprice(
        runtime.operator(),
        bundle_id,
        total=parse_amount(total, what="The total") if total else None,
        deposit=parse_amount(deposit, allow_zero=True, what="The deposit") if deposit is not None else None,
    )
    if as_json:
        emit_json(details)
        return
    plan_text = ", ".join(f"{i.amount:,.2f}" for i in details.installments) or "no installments"
    tell(f"Bundle {bundle_id}: total {details.total_amount:,.2f}, deposit {details.deposit_amount:,.2f}; {plan_text}.")


@bundles.command("compensation")
@click.argument("bundle_id", type=int)
@click.option("--amount", help="The writer's compensation for this bundle.")
@click.option("--clear", is_flag=True, help="Go back to the writer's rule or the office default.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def bundles_compensation(runtime: Runtime, bundle_id: int, amount: str | None, clear: bool, as_json: bool) -> None:
    """Set the writer's compensation for one bundle (admin)."""
    if (amount is None) == (not clear):
        raise click.UsageError("Give either --amount or --clear.")
    value = None if clear else parse_amount(amount or "", allow_zero=True, what="The compensation")
    details = runtime.service().set_compensation(runtime.operator(), bundle_id, value)
    if as_json:
        emit_json(details)
        return
    tell(f"Bundle {bundle_id}: writer compensation {details.writer_compensation_amount:,.2f}.")
