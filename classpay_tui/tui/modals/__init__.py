"""Dialogs: each a typed ``ModalScreen`` that returns what it did, or ``None`` when cancelled."""
