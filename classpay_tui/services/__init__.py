"""The service layer: every screen and command goes through here, never to the ORM."""

from classpay_tui.services.class_payment_service import ClassPaymentService
from classpay_tui.services.context import OperatorContext

__all__ = ["ClassPaymentService", "OperatorContext"]
