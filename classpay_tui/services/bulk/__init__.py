"""Set-based settling of many bundles at once, for ``classpay import`` and ``classpay demo``.

The per-bundle path (``records.create_payment_record`` / ``link_existing_payments`` /
``ledger.recompute_*`` / ``payouts.schedule_due_payouts``) runs several queries per bundle
and per payment. Here the same work is done for every touched bundle together: a handful
of queries load what is stored (:mod:`.load`), the same pure domain functions allocate the
new ledger entries and summarise each bundle in Python (:mod:`.client`, :mod:`.writer`),
and bulk inserts and updates write the result (:mod:`.write`). :mod:`.settle` ties them
together. ``classpay check`` proves that the outcome equals what the ledger says.
"""

from classpay_tui.services.bulk.settle import Loading, Settlement, SettleProblem, entries_by_bundle, settle_bundles
from classpay_tui.services.bulk.state import BonusPayout, Entry

__all__ = ["BonusPayout", "Entry", "Loading", "SettleProblem", "Settlement", "entries_by_bundle", "settle_bundles"]
