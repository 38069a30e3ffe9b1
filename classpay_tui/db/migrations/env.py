"""Alembic environment: always given an engine by ``classpay_tui.db.migrate``."""

from alembic import context

from classpay_tui.db.migrate import described_by_models
from classpay_tui.db.models import Base

engine = context.config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"

with engine.connect() as connection:
    if sqlite:
        # SQLite rebuilds a table to alter it (copy, drop, rename); with foreign keys on,
        # dropping a referenced table fails. They are switched off for the migration (the
        # pragma only works outside a transaction) and every key is checked afterwards.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
    with connection.begin():
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_name=described_by_models,
        )
        context.run_migrations()
    if sqlite:
        raw = connection.connection.dbapi_connection
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        raw.execute("PRAGMA foreign_keys = ON")
        if broken:
            raise RuntimeError(f"the migration left broken foreign keys: {broken[:5]}")
