"""The writer half of settling one bundle, in memory: compensation (``records.bundle_compensation``),
payouts for imported bonuses, the payout that is due now (``payouts.schedule_due_payouts``)
and the writer summary (``ledger.recompute_writer``), from loaded payout sums."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from classpay_tui.db.models import OfficeSettings
from classpay_tui.domain.compensation import CompensationRule, compensation_for
from classpay_tui.domain.money import ZERO
from classpay_tui.domain.statuses import BundleStatus, WriterPaymentType, WriterPayoutStatus
from classpay_tui.services.bulk.client import Summary
from classpay_tui.services.bulk.state import BonusPayout, BundleWork, WriterFacts
from classpay_tui.services.ledger import WriterSummary, writer_summary
from classpay_tui.services.payouts import due_payout
from classpay_tui.services.records import default_rule


class CompensationExceeded(Exception):
    def __init__(self, committed: Decimal, compensation: Decimal) -> None:
        super().__init__(f"bonuses of {committed} are more than the compensation {compensation}")


@dataclass(frozen=True)
class WriterOutcome:
    compensation: Decimal
    summary: WriterSummary
    due: tuple[Decimal, WriterPaymentType] | None  # a payout to schedule now


class Compensations:
    """The compensation of each bundle (``records.bundle_compensation``), with the rules
    built once per settle and each distinct (writer, total, classes, override) worked out once."""

    def __init__(self, writers: dict[int, WriterFacts], settings: OfficeSettings) -> None:
        self.default = default_rule(settings)
        self.rules = {
            writer.id: CompensationRule(writer.rule_kind, writer.rule_value)
            if writer.rule_kind is not None and writer.rule_value is not None
            else None
            for writer in writers.values()
        }
        self.known: dict[tuple[int, Decimal, int, Decimal | None], Decimal] = {}

    def of(self, work: BundleWork) -> Decimal:
        """The first rule that applies; nothing without the bundle's writer."""
        bundle = work.bundle
        writer_id = bundle.writer_id
        if writer_id is None or writer_id not in self.rules:
            return ZERO
        key = (writer_id, bundle.total_amount, bundle.number_of_classes, bundle.compensation_override)
        amount = self.known.get(key)
        if amount is None:
            amount = self.known[key] = compensation_for(
                bundle.total_amount,
                bundle.number_of_classes,
                bundle_override=bundle.compensation_override,
                writer_rule=self.rules[writer_id],
                default_rule=self.default,
            )
        return amount


def settle_writer(
    work: BundleWork,
    client: Summary,
    compensations: Compensations,
    bonuses: list[BonusPayout],
    settings: OfficeSettings,
    known: dict[tuple[Any, ...], WriterOutcome] | None = None,
) -> WriterOutcome:
    """Raises :class:`CompensationExceeded` when imported bonuses pay the writer more than
    the compensation (the importer reports it as a bad row). ``known``: outcomes already
    worked out for bundles with no payouts yet, by everything they depend on (most
    bundles of an import share a handful)."""
    writer_id = work.writer_id
    amount = compensations.of(work)
    total, paid = work.bundle.total_amount, client.amount_paid
    cancelled = work.bundle.status is BundleStatus.CANCELLED
    mode = work.bundle.payout_mode or settings.payout_mode
    key = None
    if known is not None and not bonuses and not work.payout_sums:
        key = (writer_id is None, amount, total, paid, cancelled, mode, client.client_payment_status)
        outcome = known.get(key)
        if outcome is not None:
            return outcome
    sums: dict[WriterPayoutStatus, Decimal] = {
        status: total for (payee, status), total in work.payout_sums.items() if payee == writer_id
    }
    for bonus in bonuses:
        if bonus.writer_id == writer_id:
            status = WriterPayoutStatus.PAID if bonus.is_paid else WriterPayoutStatus.SCHEDULED
            sums[status] = sums.get(status, ZERO) + bonus.amount
    summary = writer_summary(amount, paid, total, sums, bundle_cancelled=cancelled)
    if writer_id is None:
        outcome = WriterOutcome(amount, summary, None)
    else:
        if summary.paid + summary.scheduled > amount:
            raise CompensationExceeded(summary.paid + summary.scheduled, amount)
        due = due_payout(mode, client.client_payment_status, amount, paid, total, summary.paid, summary.scheduled)
        if due is not None:
            sums[WriterPayoutStatus.SCHEDULED] = sums.get(WriterPayoutStatus.SCHEDULED, ZERO) + due[0]
            summary = writer_summary(amount, paid, total, sums, bundle_cancelled=cancelled)
        outcome = WriterOutcome(amount, summary, due)
    if key is not None:
        known[key] = outcome  # type: ignore[index]
    return outcome
