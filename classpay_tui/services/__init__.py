"""The service layer: every screen and command goes through here, never to the ORM.

The two names below are loaded when first used, so importing one small module of the
package (``services.context``, ``services.text``) does not import the whole service and
SQLAlchemy with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from classpay_tui.services.class_payment_service import ClassPaymentService
    from classpay_tui.services.context import OperatorContext

__all__ = ["ClassPaymentService", "OperatorContext"]

_HOMES = {
    "ClassPaymentService": "classpay_tui.services.class_payment_service",
    "OperatorContext": "classpay_tui.services.context",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
