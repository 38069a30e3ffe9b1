"""Storage: SQLAlchemy models, engine set-up and migrations. Imports only ``domain``."""
