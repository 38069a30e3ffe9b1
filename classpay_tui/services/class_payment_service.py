"""``ClassPaymentService``: the seed's service, over one database.

Every method that changes something takes an :class:`OperatorContext`, runs in one
transaction (all or nothing), recomputes the bundle's summary from the ledger and
appends an audit event. Read methods return pydantic models, never ORM objects. The
operations live in one module per area; this class puts them behind one name.
"""

from __future__ import annotations

from classpay_tui.services.bundle_list_ops import BundleListOperations
from classpay_tui.services.bundle_ops import BundleOperations
from classpay_tui.services.export_ops import ExportOperations
from classpay_tui.services.import_ops import ImportOperations
from classpay_tui.services.operator_ops import OperatorOperations
from classpay_tui.services.payment_ops import PaymentOperations
from classpay_tui.services.payout_ops import PayoutOperations
from classpay_tui.services.read_ops import ReadOperations
from classpay_tui.services.reminder_ops import ReminderOperations
from classpay_tui.services.report_ops import ReportOperations
from classpay_tui.services.setup_ops import SetupOperations
from classpay_tui.services.writer_pages import WriterPageOperations


class ClassPaymentService(
    SetupOperations,
    OperatorOperations,
    BundleOperations,
    PaymentOperations,
    PayoutOperations,
    ReadOperations,
    WriterPageOperations,
    BundleListOperations,
    ImportOperations,
    ReportOperations,
    ReminderOperations,
    ExportOperations,
):
    """Clients' payments for class bundles and what writers are owed and paid."""
