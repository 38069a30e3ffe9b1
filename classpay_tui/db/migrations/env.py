"""Alembic environment: always given an engine by ``classpay_tui.db.migrate``."""

from alembic import context

from classpay_tui.db.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
