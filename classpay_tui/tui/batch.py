"""Bulk entry's checks: each typed line validated in place, and what it would do to its
bundle after the lines above it. Pure (no widgets, no database), so it is tested on its own.

The service records the batch as payments to each bundle (deposit first, then the oldest
installment), in one transaction; the checks here use the same allocation rules and the
same sentences, so a line the screen accepts is one the service accepts, unless another
desk changed the bundle meanwhile (then the service's refusal names the line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from classpay_tui.domain.allocation import Allocation, BundleDebt, allocate_to_bundle
from classpay_tui.domain.errors import ClasspayError, InvalidInput
from classpay_tui.domain.money import ZERO, parse_amount
from classpay_tui.domain.statuses import PaymentMethod
from classpay_tui.services.schemas import PaymentSummary
from classpay_tui.tui import effects
from classpay_tui.tui.safe import clean

METHOD_NAMES = {method.value.replace("_", " "): method for method in PaymentMethod}
NO_REFERENCE = "The reference is empty; type one, or retype the bundle # for a suggestion."
_REFUSED_LINE = re.compile(r"^Line (\d+): (.*)$", re.DOTALL)
# What a lookup knows about a bundle: its payment record, or the sentence saying why not.
Known = Mapping[int, PaymentSummary | str]


@dataclass(frozen=True)
class Typed:
    """One line as typed: bundle #, amount, reference, method."""

    bundle: str = ""
    amount: str = ""
    reference: str = ""
    method: str = ""

    @property
    def blank(self) -> bool:
        """A line with neither bundle nor amount is left out of the batch."""
        return not self.bundle.strip() and not self.amount.strip()


@dataclass(frozen=True)
class Checked:
    """One line checked: its values, or the first thing wrong with it (``field`` and ``problem``)."""

    bundle_id: int | None = None
    amount: Decimal | None = None
    method: PaymentMethod = PaymentMethod.CASH
    reference: str = ""
    summary: PaymentSummary | None = None
    field: str | None = None
    problem: str | None = None
    waiting: bool = False
    owed: Decimal | None = None  # what the bundle still owes after the lines above
    effect: str = ""

    @property
    def ready(self) -> bool:
        return self.problem is None and not self.waiting and self.summary is not None and self.amount is not None


def parse_bundle(text: str) -> int:
    typed = clean(text).strip().removeprefix("#").strip()
    if not typed.isdigit() or int(typed) == 0 or len(typed) > 12:
        raise InvalidInput(f"Bundle {clean(text).strip()!r} is not a bundle number; type the # from the bundle list.")
    return int(typed)


def parse_method(text: str) -> PaymentMethod:
    """Blank is cash; otherwise the method whose name starts with what was typed (``b`` → bank transfer)."""
    typed = " ".join(clean(text).lower().replace("_", " ").split())
    if not typed:
        return PaymentMethod.CASH
    if typed in METHOD_NAMES:
        return METHOD_NAMES[typed]
    matches = [method for name, method in METHOD_NAMES.items() if name.startswith(typed)]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(METHOD_NAMES)
    if not matches:
        raise InvalidInput(f"Method {typed!r} is not one of {names}; leave it empty for cash.")
    choices = " or ".join(method.value.replace("_", " ") for method in matches)
    raise InvalidInput(f"Method {typed!r} could be {choices}; type another letter.")


def after(debt: BundleDebt, allocations: Sequence[Allocation]) -> BundleDebt:
    """What the bundle owes once ``allocations`` are made (the lines above, in the same batch)."""
    paid: dict[tuple[object, int], Decimal] = {}
    for allocation in allocations:
        key = (allocation.slot.kind, allocation.slot.number)
        paid[key] = paid.get(key, ZERO) + allocation.amount
    slots = tuple(
        replace(slot, allocated=slot.allocated + paid.get((slot.kind, slot.number), ZERO)) for slot in debt.slots
    )
    return BundleDebt(debt.bundle_id, slots)


def check_lines(lines: Sequence[Typed], known: Known) -> list[Checked | None]:
    """Every line checked in order (``None`` for a blank one). A bundle on several lines
    owes less on each later line; a reference may be used once in the batch."""
    debts: dict[int, BundleDebt] = {}
    balances: dict[int, Decimal] = {}
    references: dict[str, int] = {}
    checked: list[Checked | None] = []
    for number, typed in enumerate(lines, 1):
        if typed.blank:
            checked.append(None)
            continue
        line = _check(typed, known, debts, balances)
        if line.reference and line.problem is None:
            first = references.setdefault(line.reference, number)
            if first != number:
                line = replace(line, field="reference", problem=f"Line {first} has the same reference; use another.")
        checked.append(line)
    return checked


def _check(typed: Typed, known: Known, debts: dict[int, BundleDebt], balances: dict[int, Decimal]) -> Checked:
    line = Checked(reference=clean(typed.reference).strip())
    try:
        bundle_id = parse_bundle(typed.bundle) if typed.bundle.strip() else None
    except ClasspayError as error:
        return replace(line, field="bundle", problem=str(error))
    if bundle_id is None:
        return replace(line, field="bundle", problem="Type the bundle # this amount is for.")
    found = known.get(bundle_id)
    line = replace(line, bundle_id=bundle_id, waiting=found is None)
    if isinstance(found, str):
        return replace(line, waiting=False, field="bundle", problem=found)
    if found is not None:
        line = replace(line, summary=found, owed=balances.get(bundle_id, found.balance_remaining))
    try:
        amount = parse_amount(typed.amount)
    except ClasspayError as error:
        return replace(line, field="amount", problem=str(error))
    line = replace(line, amount=amount)
    try:
        method = parse_method(typed.method)
    except ClasspayError as error:
        return replace(line, field="method", problem=str(error))
    line = replace(line, method=method)
    if not line.reference:
        return replace(line, field="reference", problem=NO_REFERENCE)
    if found is None:
        return line
    debt = debts.get(bundle_id) or effects.debt(found)
    balance = balances.get(bundle_id, found.balance_remaining)
    try:
        allocations = allocate_to_bundle(debt, amount)
    except ClasspayError as error:
        return replace(line, field="amount", problem=str(error))
    debts[bundle_id] = after(debt, allocations)
    balances[bundle_id] = balance - amount
    return replace(line, effect=effects.describe(allocations, found.total_installments, balance, amount))


def refused_line(sentence: str) -> tuple[int | None, str]:
    """The line number a refusal of the batch names ("Line 3: ..."), and its sentence without it."""
    match = _REFUSED_LINE.match(sentence)
    if match is None:
        return None, sentence
    return int(match.group(1)), match.group(2)
