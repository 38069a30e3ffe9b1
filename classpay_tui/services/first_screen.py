"""What the terminal app's first screen reads, without the rest of the service: the schema
check, who is signed in and the bundle list's first page.

``classpay`` reads them at start-up in a second process (``tui.quick_start``) while the
app's own process imports Textual; importing every other operation there would only
delay the first rows (about 25 ms of a start-up of half a second).
"""

from __future__ import annotations

from classpay_tui.services.bundle_list_ops import BundleListOperations
from classpay_tui.services.operator_ops import OperatorOperations
from classpay_tui.services.setup_ops import SetupOperations


class FirstScreenReads(SetupOperations, OperatorOperations, BundleListOperations):
    """A part of :class:`ClassPaymentService`: the same methods, the same results."""
