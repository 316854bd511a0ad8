"""Failures every command may meet, said in one line instead of a traceback.

A lost database (the server was killed, restarted or is unreachable) surfaces from deep
inside SQLAlchemy with several chained tracebacks; what the user needs is what happened
and what to do. Errors the server raised about a statement (a deadlock, a constraint) are
not connection losses and keep their traceback.
"""

from __future__ import annotations

import sys

# SQLSTATE classes of a lost connection: 08 connection exception, 57P operator
# intervention (terminated by a shutdown, a crash of another server process, or "cannot
# connect now" during crash recovery).
_LOST_SQLSTATES = ("08", "57P")


def lost_database_message(error: BaseException) -> str | None:
    """The one-line message for a lost database connection, None for any other error."""
    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None or not isinstance(error, exc.OperationalError | exc.InterfaceError):
        return None
    code = getattr(error.orig, "pgcode", None)
    if not (error.connection_invalidated or code is None or code.startswith(_LOST_SQLSTATES)):
        return None
    detail = str(error.orig or error).strip().splitlines()
    return (
        f"lost the connection to PostgreSQL ({detail[0] if detail else type(error).__name__}); "
        "when the server is back (`bike-pipeline services up` for the embedded one), run the "
        "same command again: what was committed is kept and a simulation resumes from its "
        "last committed tick"
    )


def schema_too_new(error: BaseException) -> bool:
    """A database migrated by a newer release (`db.migrate.SchemaTooNew`): said in one line,
    exit status 2 (an unusable input, like a file this program cannot read)."""
    migrate = sys.modules.get("bike_pipeline.db.migrate")
    return migrate is not None and isinstance(error, migrate.SchemaTooNew)


def server_message(error: BaseException) -> str | None:
    """The embedded PostgreSQL's own refusal (`PostgresServerError`, e.g. a server of an
    earlier version still running) already says what to do: one line, not a traceback."""
    server = sys.modules.get("bike_pipeline.services.embedded_postgres_server")
    if server is not None and isinstance(error, server.PostgresServerError):
        return str(error)
    return None
