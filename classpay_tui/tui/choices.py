"""The bundle list's sort orders and status filters, as the service names them."""

from __future__ import annotations

# (service order, what the status line says), in the order `s` cycles through them.
SORTS: list[tuple[str, str]] = [
    ("-id", "newest first"),
    ("-balance", "largest balance first"),
    ("due", "next due first"),
    ("-paid", "most paid first"),
    ("client", "client A–Z"),
    ("id", "oldest first"),
]
REVERSED_LABELS = {
    "balance": "smallest balance first",
    "-due": "next due last",
    "paid": "least paid first",
    "-client": "client Z–A",
}
# Table column → the order a click on its header sorts by (a second click reverses it).
COLUMN_ORDERS = {"id": "-id", "client": "client", "balance": "-balance", "paid": "-paid", "due": "due"}

# `f` cycles through these; None is every bundle.
STATUSES: list[str | None] = [None, "overdue", "pending", "partial", "paid", "refunded", "cancelled"]


def sort_label(order: str) -> str:
    return dict(SORTS).get(order) or REVERSED_LABELS.get(order, order)


def next_sort(order: str) -> str:
    keys = [key for key, _ in SORTS]
    return keys[(keys.index(order) + 1) % len(keys)] if order in keys else keys[0]


def reverse(order: str) -> str:
    return order[1:] if order.startswith("-") else f"-{order}"


def next_status(status: str | None) -> str | None:
    return STATUSES[(STATUSES.index(status) + 1) % len(STATUSES)] if status in STATUSES else None
