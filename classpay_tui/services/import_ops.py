"""Importing from the older system: every row checked, all or nothing, safe to repeat."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.orm import Session

from classpay_tui.db.bulk import bulk_work, paused_gc
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.services.audit import record_event
from classpay_tui.services.context import OperatorContext
from classpay_tui.services.core import ServiceCore
from classpay_tui.services.permissions import Action, authorize
from classpay_tui.services.schemas import ImportReport

if TYPE_CHECKING:
    from classpay_tui.services.importing.apply import Outcome


class ImportRejected(ClasspayError):
    """Bad rows: nothing was imported. ``problems`` has one "where: why" line per row."""

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        super().__init__(f"{count} bad row{'s' if count != 1 else ''}; nothing was imported.")
        self.problems = problems


class ImportOperations(ServiceCore):
    def import_files(self, ctx: OperatorContext, paths: list[Path]) -> ImportReport:
        """Clients, writers, bundles, installments, payments and writer bonuses from CSV or
        JSON files, in one transaction. Any bad row in any file: nothing is imported."""
        authorize(ctx, Action.IMPORT)
        # The rows become millions of small objects, none of them cyclic: the collector would
        # walk them again and again. It resumes once they are gone (when the helper returns).
        with paused_gc():
            return self._import_files(ctx, paths)

    def _import_files(self, ctx: OperatorContext, paths: list[Path]) -> ImportReport:
        # Imported here, not at start-up: the terminal app never imports files.
        from classpay_tui.db.statement_thread import StatementThread
        from classpay_tui.services.importing.apply import Importer
        from classpay_tui.services.importing.files import ImportFiles

        files = ImportFiles(paths)  # every file read (not yet checked) before the transaction begins
        now, today = self.clock.now(), self.clock.today()
        # The statement thread is left (waiting for what still runs) before the transaction ends.
        with self.db.bulk_write() as session, bulk_work(session), StatementThread() as statements:
            importer = Importer(session, ctx.login, now, today, statements)
            outcome = importer.run(files)
            if files.problems or outcome.problems:
                raise ImportRejected(files.problems + outcome.problems)  # rolls the transaction back
            report = _report(outcome, files.names)
            record_event(session, ctx, now, "import", "import", 0, after=report.model_dump(mode="json"))
            release = _released_when_committing(session, [importer, files])
            del importer, files, outcome
        if release.ident is not None:  # started
            release.join()
        return report


def _report(outcome: Outcome, names: list[str]) -> ImportReport:
    """Made here, not where the importer is a local: the first report built reads its
    caller's local variables (pydantic, resolving the deferred model), and that copy would
    keep the importer's rows alive until that frame ends, past the commit."""
    return ImportReport(added=outcome.added, unchanged=outcome.unchanged, files=names)


# How long the releasing thread lets the committing thread go first (see below).
_COMMIT_HEAD_START = 0.002


def _released_when_committing(session: Session, objects: list[object]) -> threading.Thread:
    """A thread that lets go of ``objects`` (the caller has dropped its own references) as
    the transaction commits. Freeing an import's rows and working state (millions of small
    objects, ~75 ms for 100,000 payments) holds the interpreter lock throughout; started by
    the commit, it runs while the caller waits on SQLite's commit, which does not. It first
    gives the caller a moment to get into the commit: freeing cannot be interrupted, and a
    caller still in Python would otherwise wait for all of it before committing."""

    def release() -> None:
        time.sleep(_COMMIT_HEAD_START)
        objects.clear()

    thread = threading.Thread(target=release, name="classpay-release")
    event.listen(session.connection(), "commit", lambda _connection: thread.start(), once=True)
    return thread
