"""Alembic's environment for the store: runs migrations on the connection ``auditbot.store.migrate`` hands it.

``Database.migrate()`` opens the transaction (serialised across processes, see ``migrate.py``) and puts
its connection in ``config.attributes["connection"]``. Without one (``alembic`` run by hand with a
``sqlalchemy.url``), a ``Database`` is opened on that URL. ``--sql`` (offline) mode writes the SQL instead.
Batch mode is on, so future ``ALTER``s also work on SQLite.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from auditbot.store.db import Database
from auditbot.store.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url to migrate")
    with Database(url) as db, db.begin() as conn:
        _run(conn)


_main()
