"""``init`` and ``demo``."""

from __future__ import annotations

import click

from classpay_tui.cli.main import Runtime
from classpay_tui.cli.output import tell
from classpay_tui.config import prepare_sqlite_file, sqlite_path
from classpay_tui.services.context import os_login


def _initialize(runtime: Runtime, currency: str, payout_day: str) -> bool:
    path = sqlite_path(runtime.target)
    if path is not None:
        prepare_sqlite_file(path)
    service = runtime.service(must_exist=False)
    created = service.initialize(currency=currency, payout_day=payout_day)
    service.add_first_admin(os_login())
    return created


@click.command()
@click.option("--currency", default="USD", show_default=True, help="Three-letter currency code (new databases only).")
@click.option("--payout-day", default="friday", show_default=True, help="Weekday writer payouts are scheduled for.")
@click.pass_obj
def init(runtime: Runtime, currency: str, payout_day: str) -> None:
    """Create the database, or upgrade its schema; the first caller becomes admin."""
    path = sqlite_path(runtime.target)
    before = None if path is not None and not path.exists() else runtime.service(must_exist=False).schema_revision()
    created = _initialize(runtime, currency, payout_day)
    service = runtime.service()
    where, after = service.db.describe(), service.schema_revision()
    if created:
        tell(f"Created {where} ({currency.upper()}, payouts on {payout_day.lower()}); {os_login()} is its admin.")
    elif before != after:
        tell(f"Upgraded {where} from schema {before} to {after}.")
    else:
        tell(f"{where} is up to date (schema {after}).")


@click.command()
@click.option("--bundles", "count", default=24, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=7, show_default=True, help="Random seed, for the same sample every time.")
@click.pass_obj
def demo(runtime: Runtime, count: int, seed: int) -> None:
    """Fill a database with realistic sample clients, writers, bundles and payments."""
    from classpay_tui.services.demo import fill_demo

    _initialize(runtime, "USD", "friday")
    service = runtime.service()
    made = fill_demo(service, service.operator(os_login()), count=count, seed=seed)
    tell(
        f"Added {made.writers} writers, {made.bundles} bundles and {made.payments} payments to {service.db.describe()}."
    )
    tell("Open it with `classpay`, or list it with `classpay payments list`.")
