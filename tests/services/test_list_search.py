"""The bundle list's search finds exactly what ``LIKE '%term%'`` over the course title, the
client's name and the writer's username finds (plus the bundle whose id the term is), in
the list's order, whichever way it runs: through the trigram index, by reading the search
text, or over the tables themselves; with few matches or many; on names with accents,
other scripts, punctuation and the characters LIKE and FTS5 treat specially."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from classpay_tui.domain.errors import InvalidInput
from classpay_tui.services import list_search
from classpay_tui.services.list_schemas import ListQuery, PageFrom, PageRequest
from classpay_tui.services.schemas import BundleIn, WriterIn

WRITERS = ["writer1", "ada_w", "kim.lee", "per-cent", "zz9"]
# (client, course, writer)
BUNDLES = [
    ("Ada Lovelace", "Essay Writing", "writer1"),
    ("ÉMILE Zola", "ESSAY writing II", "ada_w"),
    ("émile durand", "Crème brûlée for Writers", None),
    ("Straße Weiß", "100% Grammar", "kim.lee"),
    ("STRASSE Dept", "C_programming", "per-cent"),
    ("İlker Öz", "path\\to\\file", "zz9"),
    ("ilker oz", 'The "Best" Course', "writer1"),
    ("Kelvin \u212a Smith", "AND OR NOT", "ada_w"),
    ("Σίσυφος", "Ünïcödé Memoir", None),
    ("σίσυφος", "memoir", "kim.lee"),
    ("Иван Петров", "x*y (z) ^w", "writer1"),
    ("李小龍", "Kurs für Anfänger", "zz9"),
    ("O'Brien & Sons", "NEAR(a b)", "per-cent"),
    ("50% Off Ltd", "under_score", "ada_w"),
    ("back\\slash", "two  spaces", None),
    ('Quote "Q" Co', "ﬁne ligature", "writer1"),
    ("Zoë 🎉 Party", "Memoir Writing", "kim.lee"),
    ("123 Numbers Inc", "Course 7", "zz9"),
]
TERMS = [
    # 1 and 2 characters (no trigram can find them)
    "a",
    "A",
    "é",
    "É",
    "%",
    "_",
    "\\",
    '"',
    "*",
    "7",
    "1",
    "ß",
    "σ",
    "Σ",
    "k",
    "\u212a",
    "ﬁ",
    "🎉",
    "'",
    "ad",
    "AD",
    "üb",
    "oz",
    "Öz",
    "50",
    "%_",
    "\\t",
    "  ",
    # 3 characters and more
    "ada",
    "ADA",
    "Émi",
    "émile",
    "EMILE",
    "ssay",
    "writ",
    "straße",
    "strasse",
    "ilker",
    "İlker",
    "i̇lk",
    "kelvin",
    "kelvin k",
    "σίσ",
    "ΣΊΣ",
    "иван",
    "ИВАН",
    "李小龍",
    "小龍",
    "o'b",
    "o'brien &",
    "50%",
    "0% o",
    "r_s",
    "der_s",
    "k\\s",
    "h\\to\\",
    '"best"',
    'e "b',
    "AND",
    "and or",
    "or not",
    "near(",
    "(a b)",
    "x*y",
    "^w",
    "two  sp",
    "ﬁne",
    "fine",
    "zoë",
    "🎉 pa",
    "memoir",
    "MEMOIR",
    "ünïc",
    "anfänger",
    "per-cent",
    "kim.",
    "zz9",
    "123",
    "course 7",
    "nothing here",
    "writer1",
    "  ada  ",
]


def fill(service, admin):
    for username in WRITERS:
        service.add_writer(admin, WriterIn(username=username))
    for client, title, writer in BUNDLES:
        service.create_bundle(
            admin,
            BundleIn(
                client_name=client, title=title, number_of_classes=2, total_amount=Decimal("100.00"), writer=writer
            ),
        )
    return service


@pytest.fixture
def varied(service, admin):
    return fill(service, admin)


def reference(service, term: str, order: str = "p.bundle_id DESC", status: str | None = None) -> list[int]:
    """The search written out as plain SQL over the tables: LIKE with the term's ``%``, ``_``
    and backslash escaped, lower-cased as the list does (SQLite's LIKE ignores the case of
    ASCII letters only; PostgreSQL compares ``lower()`` of both)."""
    term = term.strip()
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sqlite = service.db.engine.dialect.name == "sqlite"

    def like(column: str) -> str:
        return f"{column if sqlite else f'lower({column})'} LIKE :pattern ESCAPE '\\'"

    number = term.isdecimal() and len(term) <= 18
    statement = f"""
        SELECT p.bundle_id FROM class_payments p JOIN class_bundles b ON b.id = p.bundle_id
        JOIN clients c ON c.id = b.client_id LEFT JOIN writers w ON w.id = b.writer_id
        WHERE ({like("b.title")} OR {like("c.name")} OR {like("w.username")} {"OR b.id = :number" if number else ""})
        {"AND p.client_payment_status = :status" if status else ""}
        ORDER BY {order}"""
    params = {"pattern": f"%{escaped}%", "number": int(term) if number else None, "status": status}
    with service.db.engine.connect() as connection:
        return list(connection.execute(text(statement), params).scalars())


def ascii_lower(value: str) -> str:
    return "".join(chr(ord(ch) + 32) if "A" <= ch <= "Z" else ch for ch in value)


def found(service, admin, term: str, **query: object) -> list[int]:
    return [row.bundle_id for row in service.list_payments(admin, search=term, limit=500, **query)]  # type: ignore[arg-type]


def without_index(service, what: str) -> None:
    """Make the database what an older SQLite leaves (``text``: no trigram index) or what a
    database without migration 0008's search text is (``tables``)."""
    triggers = {
        "text": "bundle_search_index_%",
        "tables": "bundle_search_%",
    }[what]
    with service.db.engine.begin() as connection:
        names = connection.exec_driver_sql(
            f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '{triggers}'"
        ).scalars()
        for name in list(names):
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        connection.exec_driver_sql("DROP TABLE bundle_search_index")
        if what == "tables":
            connection.exec_driver_sql("DROP TABLE bundle_search")


@pytest.mark.parametrize("many", [False, True], ids=["few-matches", "many-matches"])
@pytest.mark.parametrize("support", ["index", "text", "tables"])
def test_every_way_of_searching_finds_what_like_finds(varied, admin, support, many, monkeypatch):
    sqlite = varied.db.engine.dialect.name == "sqlite"
    if not sqlite and support != "tables":
        pytest.skip("PostgreSQL searches the tables themselves")
    if sqlite and support != "index":
        without_index(varied, support)
    if many:  # every search with a match takes the row-by-row way
        monkeypatch.setattr(list_search, "DENSE", 0)
    seen_plans = set()
    for term in TERMS:
        want = reference(varied, term)
        assert found(varied, admin, term) == want, term
        page = varied.bundle_list_page(admin, ListQuery(search=term), PageRequest(limit=500, count=True))
        assert ([row.bundle_id for row in page.rows], page.total) == (want, len(want)), term
        by_balance = reference(varied, term, order="p.balance_remaining DESC, p.bundle_id ASC", status="pending")
        assert found(varied, admin, term, order="-balance", status="pending") == by_balance, term
        with varied.db.read() as session:
            seen_plans.add(list_search.plan_search(session, term.strip(), {}).how)
    assert seen_plans == ({"tables"} if support == "tables" else {"dense", "ids"} if many else {"ids"})


def test_the_like_it_matches_ignores_the_case_of_ascii_letters_only(sqlite_service, admin):
    """On SQLite the reference is SQLite's own LIKE; this pins down what that means, so the
    trigram index (which compares characters exactly) is shown to agree with it."""
    service = fill(sqlite_service, admin)
    rows = [
        (row.bundle_id, row.title, row.client_name, row.assigned_writer_username) for row in found_all(service, admin)
    ]
    for term in TERMS:
        needle = ascii_lower(term.strip().lower())
        by_hand = [
            bundle_id
            for bundle_id, *values in rows
            if any(needle in ascii_lower(value) for value in values if value)
            or (term.strip().isdecimal() and int(term) == bundle_id)
        ]
        assert found(service, admin, term) == by_hand, term


def found_all(service, admin):
    return service.bundle_list_page(admin, ListQuery(), PageRequest(limit=500)).rows


def test_like_wildcards_and_fts_syntax_in_a_term_are_plain_characters(varied, admin):
    titles = {row.bundle_id: row.title for row in found_all(varied, admin)}
    clients = {row.bundle_id: row.client_name for row in found_all(varied, admin)}
    assert sorted(clients[i] for i in found(varied, admin, "50%")) == ["50% Off Ltd"]
    assert sorted(titles[i] for i in found(varied, admin, "%")) == ["100% Grammar", "under_score"]  # 50% Off's
    assert sorted(titles[i] for i in found(varied, admin, "r_s")) == ["under_score"]
    assert [clients[i] for i in found(varied, admin, "k\\s")] == ["back\\slash"]
    assert [titles[i] for i in found(varied, admin, '"best"')] == ['The "Best" Course']
    assert [titles[i] for i in found(varied, admin, "and or")] == ["AND OR NOT"]
    assert found(varied, admin, "near(") == found(varied, admin, "NEAR(a b)") != []


def test_a_term_holding_the_separator_searches_the_tables(varied, admin):
    with varied.db.engine.begin() as connection:
        connection.execute(text("UPDATE class_bundles SET title = 'one\x1ftwo' WHERE id = 1"))
    assert found(varied, admin, "e\x1ft") == [1]
    assert found(varied, admin, "two") == reference(varied, "two")


def test_a_long_number_or_an_odd_digit_is_text(varied, admin):
    assert found(varied, admin, "9" * 30) == []
    assert found(varied, admin, "²") == []  # a digit, but not a decimal one: int() refuses it
    assert found(varied, admin, "٣") == reference(varied, "٣")  # Arabic-Indic 3: bundle 3


def search_text_is_current(service) -> None:
    """``bundle_search`` holds every payment record's text as the tables say now, and its
    FTS5 index agrees with it."""
    with service.db.engine.begin() as connection:
        stored = connection.exec_driver_sql("SELECT bundle_id, text FROM bundle_search ORDER BY bundle_id").all()
        current = connection.exec_driver_sql(
            """SELECT p.bundle_id, lower(b.title) || char(31) || lower(c.name) || char(31)
                   || coalesce(lower(w.username), '')
               FROM class_payments p JOIN class_bundles b ON b.id = p.bundle_id
               JOIN clients c ON c.id = b.client_id LEFT JOIN writers w ON w.id = b.writer_id
               ORDER BY p.bundle_id"""
        ).all()
        assert stored == current
        connection.exec_driver_sql("INSERT INTO bundle_search_index (bundle_search_index) VALUES ('integrity-check')")


def test_the_search_follows_every_change_to_what_it_looks_in(sqlite_service, admin):
    service = sqlite_service
    for username in ("first", "second"):
        service.add_writer(admin, WriterIn(username=username))

    def bundle(client: str, title: str, writer: str | None) -> int:
        data = BundleIn(
            client_name=client, title=title, number_of_classes=1, total_amount=Decimal("10.00"), writer=writer
        )
        return service.create_bundle(admin, data).bundle_id

    one = bundle("Harriet Quimby", "Aviation Basics", "first")
    two = bundle("Bessie Coleman", "Stunt Flying", None)
    search_text_is_current(service)
    assert found(service, admin, "quimby") == [one] and found(service, admin, "first") == [one]

    service.assign_writer(admin, two, "second")  # assigned
    service.assign_writer(admin, one, "second")  # reassigned
    assert found(service, admin, "first") == [] and found(service, admin, "second") == [two, one]
    search_text_is_current(service)

    # No service call renames these; the triggers follow any write, from any tool.
    updates = [
        "UPDATE clients SET name = 'Harriet Q. Aviator' WHERE name = 'Harriet Quimby'",
        "UPDATE writers SET username = 'third' WHERE username = 'second'",
        "UPDATE class_bundles SET title = 'Barnstorming' WHERE title = 'Stunt Flying'",
        f"UPDATE class_bundles SET client_id = (SELECT client_id FROM class_bundles WHERE id = {two}) WHERE id = {one}",
        f"UPDATE class_bundles SET writer_id = NULL WHERE id = {two}",
    ]
    for statement in updates:
        with service.db.engine.begin() as connection:
            connection.exec_driver_sql(statement)
        search_text_is_current(service)
    assert found(service, admin, "aviator") == [] and found(service, admin, "coleman") == [two, one]
    assert found(service, admin, "third") == [one] and found(service, admin, "barn") == [two]
    assert found(service, admin, "quimby") == []

    three = bundle("Amelia Earhart", "Navigation", "first")  # no installments: nothing refers to its record
    with service.db.engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM class_payments WHERE bundle_id = {three}")
    search_text_is_current(service)
    assert found(service, admin, "earhart") == []
    service.get_payment_details(admin, three)  # the record is made again the first time the bundle is read
    search_text_is_current(service)
    assert found(service, admin, "earhart") == [three]


def test_keyset_pages_of_a_search_walk_the_same_list(varied, admin, monkeypatch):
    for many in (False, True):
        if many:
            monkeypatch.setattr(list_search, "DENSE", 0)
        for term, order in (("e", "-id"), ("e", "due"), ("writ", "client"), ("ri", "-paid")):
            query = ListQuery(search=term, order=order)
            want = [row.bundle_id for row in varied.bundle_list_page(admin, query, PageRequest(limit=500)).rows]
            page = varied.bundle_list_page(admin, query, PageRequest(limit=3))
            walked = [row.bundle_id for row in page.rows]
            while page.rows:
                page = varied.bundle_list_page(
                    admin, query, PageRequest(start=PageFrom.AFTER, key=page.rows[-1].key, limit=3)
                )
                walked += [row.bundle_id for row in page.rows]
            assert walked == want == reference(varied, term, order=REFERENCE_ORDERS[order]), (term, order, many)


REFERENCE_ORDERS = {
    "-id": "p.bundle_id DESC",
    "due": "p.next_due_date IS NULL, p.next_due_date, p.bundle_id DESC",
    "client": "lower(c.name), p.bundle_id DESC",
    "-paid": "p.amount_paid DESC, p.bundle_id ASC",
}


@pytest.mark.parametrize("many", [False, True], ids=["few-matches", "many-matches"])
def test_a_count_can_stop_at_a_limit_and_say_there_are_more(varied, admin, many, monkeypatch):
    if many:
        monkeypatch.setattr(list_search, "DENSE", 0)
    for query in (ListQuery(search="e"), ListQuery(search="writ", status="pending"), ListQuery()):
        exact = varied.bundle_list_page(admin, query, PageRequest(limit=1, count=True)).total
        assert exact is not None and exact > 2, query
        for limit, total, more in ((exact + 1, exact, False), (exact, exact, False), (exact - 1, exact - 1, True)):
            page = varied.bundle_list_page(admin, query, PageRequest(limit=1, count=True, count_limit=limit))
            assert (page.total, page.more) == (total, more), (query, limit)
    with pytest.raises(InvalidInput, match="count limit"):
        varied.bundle_list_page(admin, ListQuery(), PageRequest(count=True, count_limit=0))
