"""The bundle list's search: the bundles whose course title, client name or writer username
contains the typed text (case-blind for ASCII letters, as SQLite's ``LIKE``; ``%``, ``_``
and backslash are plain characters), or whose id it is.

On SQLite, migration 0008 keeps the search text of every payment record in
``bundle_search`` (the three values lower-cased by SQLite's ``lower`` and joined by
SEPARATOR) and indexes it with FTS5 trigrams in ``bundle_search_index``. A search first
asks for its matches, at most DENSE + 1 of them: through the trigram index for a term of
three characters or more, else by reading the search text. Few matches become a list of
ids, which the list sorts in its order; many are tested row by row as the list walks its
order's index, so a page is full after about ``page size / share of matches`` rows.
Elsewhere (PostgreSQL, or a database without the search text) the search is ``LIKE`` over
the tables themselves.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Integer, Select, String, Text, bindparam, column, exists, func, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction

from classpay_tui.db.key_lists import in_keys, keys_value
from classpay_tui.db.models import ClassBundle, ClassPayment, Client, Writer

search_rows = table("bundle_search", column("bundle_id", Integer), column("text", Text))
search_index = table("bundle_search_index", column("rowid", Integer))
SEPARATOR = "\x1f"  # between the title, the client name and the writer username
TRIGRAM = 3  # the shortest term the trigram index finds
DENSE = 1000  # more matches than this are tested row by row, not listed
ESCAPE = "\\"
MAX_ID_DIGITS = 18  # a longer number is no bundle id (ids are 64-bit integers)


class SearchPlan(NamedTuple):
    """How a search runs: ``ids`` (its few matches are the ``ids`` parameter), ``dense`` (the
    search text is tested row by row) or ``tables`` (``LIKE`` over the tables); whether the
    term is a bundle number too; and whether the trigram index can count a ``dense`` search."""

    how: str
    number: bool = False
    indexed: bool = False


class folded(GenericFunction[str]):
    """Text made to match a lower-case LIKE pattern whatever its case: ``lower(x)``, except on
    SQLite, whose LIKE already ignores case (for ASCII letters, as its ``lower`` does), so
    the search there skips a function call per row (it halves a search over 100,000 bundles)."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _lower(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _as_is(element: folded, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


_SUPPORT: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()


def search_support(session: Session) -> str:
    """What the database offers a search, looked up once per engine: ``index`` (the search
    text and its trigram index), ``text`` (the search text only: SQLite without trigrams)
    or ``tables``."""
    connection = session.connection()
    found = _SUPPORT.get(connection.engine)
    if found is None:
        found = "tables"
        if connection.dialect.name == "sqlite":
            names = set(
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE name IN ('bundle_search', 'bundle_search_index')"
                ).scalars()
            )
            found = "index" if search_index.name in names else "text" if names else "tables"
        _SUPPORT[connection.engine] = found
    return found


def like_pattern(term: str) -> str:
    """``%term%``, the term's own ``%``, ``_`` and backslash matched as themselves."""
    escaped = term.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def fts_phrase(term: str) -> str:
    """The term as one FTS5 phrase: every character as itself, a double quote doubled."""
    return '"' + term.replace('"', '""') + '"'


def _fts_match() -> Any:
    """``bundle_search_index MATCH :phrase``."""
    return column(search_index.name).match(bindparam("phrase"))


def _text_like() -> Any:
    return search_rows.c.text.like(bindparam("pattern"), escape=ESCAPE)


def _matches(indexed: bool) -> Select[Any]:
    """The first ``found`` matches of a search, by the trigram index or the search text."""
    if indexed:
        return select(search_index.c.rowid.label("id")).where(_fts_match()).limit(bindparam("found"))
    return select(search_rows.c.bundle_id.label("id")).where(_text_like()).limit(bindparam("found"))


def _counted(indexed: bool) -> Select[Any]:
    """How many of those first matches there are, and their ids as one JSON array."""
    found = _matches(indexed).subquery()
    return select(func.count(), func.json_group_array(found.c.id)).select_from(found)


_MATCHES = {indexed: _matches(indexed) for indexed in (True, False)}
# Where the ids go as one JSON array (:mod:`classpay_tui.db.key_lists`), SQLite makes it:
# one row comes back, not a thousand.
JSON_IDS = isinstance(keys_value("sqlite", []), str)
_COUNTED = {indexed: _counted(indexed) for indexed in (True, False)}


def _found(session: Session, indexed: bool, params: dict[str, Any]) -> tuple[int, Any]:
    """How many matches there are, up to DENSE + 1, and their ids as an ``ids`` parameter."""
    params = {**params, "found": DENSE + 1}
    if JSON_IDS:
        count, ids = session.connection().execute(_COUNTED[indexed], params).one()
        return count, ids
    found = list(session.connection().execute(_MATCHES[indexed], params).scalars())
    return len(found), keys_value("sqlite", found)


def plan_search(session: Session, term: str, params: dict[str, Any]) -> SearchPlan:
    """How to run a search for ``term`` (stripped, not empty); adds its parameters to
    ``params``. On a database with the search text this finds the matches first."""
    lowered = term.lower()
    number = term.isdecimal() and len(term) <= MAX_ID_DIGITS
    if number:
        params["number"] = int(term)
    support = search_support(session)
    if support == "tables" or SEPARATOR in lowered:  # the search text joins its columns with it
        params["pattern"] = like_pattern(lowered)
        return SearchPlan("tables", number)
    indexed = support == "index" and len(lowered) >= TRIGRAM
    found_by = {"phrase": fts_phrase(lowered)} if indexed else {"pattern": like_pattern(lowered)}
    count, ids = _found(session, indexed, found_by)
    if count <= DENSE:
        params["ids"] = ids
        return SearchPlan("ids", number)
    params["pattern"] = like_pattern(lowered)
    params.update(found_by)
    return SearchPlan("dense", number, indexed)


def search_clause(plan: SearchPlan) -> Any:
    """The payment records the search matches (``tables`` needs the bundle table joined)."""
    if plan.how == "ids":
        found = in_keys(ClassPayment.bundle_id, "sqlite", "ids")
    elif plan.how == "dense":
        # Tested beside the list's own order: most records match, so a page fills quickly.
        found = exists().where(search_rows.c.bundle_id == ClassPayment.bundle_id, _text_like())
    else:
        pattern = bindparam("pattern")
        # Matching clients and writers are found once, not once per bundle.
        found = or_(
            folded(ClassBundle.title).like(pattern, escape=ESCAPE),
            ClassBundle.client_id.in_(select(Client.id).where(folded(Client.name).like(pattern, escape=ESCAPE))),
            ClassBundle.writer_id.in_(select(Writer.id).where(folded(Writer.username).like(pattern, escape=ESCAPE))),
        )
    return or_(found, ClassPayment.bundle_id == bindparam("number")) if plan.number else found


def dense_matches(plan: SearchPlan) -> Select[Any]:
    """The payment records a ``dense`` search matches, found in the search text or its index
    alone (they hold one row per payment record), for counting."""
    if plan.indexed and not plan.number:
        return select(search_index.c.rowid).where(_fts_match())
    if plan.indexed:
        found = search_rows.c.bundle_id.in_(select(search_index.c.rowid).where(_fts_match()))
    else:
        found = _text_like()
    if plan.number:
        found = or_(found, search_rows.c.bundle_id == bindparam("number"))
    return select(search_rows.c.bundle_id).where(found)
