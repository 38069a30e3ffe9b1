"""classpay: client payments for class bundles, and what writers are owed and paid."""

__version__ = "0.1.0"
