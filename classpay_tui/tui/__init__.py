"""The terminal app: screens over ``ClassPaymentService``, never over the database."""
