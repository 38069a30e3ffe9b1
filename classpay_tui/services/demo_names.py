"""Names, courses and writers for demo databases; the ``MORE_`` ones are for large demos
(many thousands of distinct clients)."""

from __future__ import annotations

from decimal import Decimal

FIRST_NAMES = (
    "Amelia",
    "Noah",
    "Priya",
    "Mateo",
    "Chloe",
    "Kwame",
    "Sofia",
    "Liam",
    "Aisha",
    "Lucas",
    "Hana",
    "Omar",
    "Grace",
    "Diego",
    "Freya",
    "Ravi",
    "Elena",
    "Jonah",
    "Mei",
    "Samuel",
)
LAST_NAMES = (
    "Okafor",
    "Nguyen",
    "Schmidt",
    "Rossi",
    "Patel",
    "Garcia",
    "Kowalski",
    "Haddad",
    "Brown",
    "Silva",
    "Tanaka",
    "Murphy",
    "Novak",
    "Cohen",
    "Larsen",
    "Mendes",
    "Ibrahim",
    "Walsh",
)
COURSES = (
    "Academic Writing Essentials",
    "Research Paper Workshop",
    "Creative Nonfiction",
    "Thesis Coaching",
    "Business English Writing",
    "Grant Proposal Writing",
    "Poetry Masterclass",
    "Technical Writing",
    "College Application Essays",
    "Screenwriting Basics",
    "Copywriting Intensive",
    "Editing and Style",
)
WRITERS = (
    ("jlee", "Jordan Lee", Decimal("60"), None),
    ("mgarcia", "Marta Garcia", Decimal("55"), None),
    ("tokoye", "Tunde Okoye", None, Decimal("45.00")),
    ("sbauer", "Sara Bauer", None, None),
    ("kpatel", "Kiran Patel", Decimal("65"), None),
)


MORE_FIRST_NAMES = (
    "Ada", "Bruno", "Carmen", "Dmitri", "Esther", "Farid", "Gemma", "Hiro", "Ines", "Jamal",
    "Katya", "Leon", "Maya", "Nikolai", "Olga", "Pablo", "Quinn", "Rosa", "Stefan", "Tara",
    "Umar", "Vera", "Wendell", "Ximena", "Yusuf", "Zara", "Anton", "Bea", "Cyrus", "Delia",
    "Emeka", "Fatima", "Gustav", "Helga", "Ivan", "Joy", "Kenji", "Lucia", "Marek", "Nadia",
)  # fmt: skip
MORE_LAST_NAMES = (
    "Abbott", "Berg", "Castro", "Dubois", "Eriksen", "Fischer", "Gallo", "Horvat", "Iyer", "Jansen",
    "Kaur", "Lindqvist", "Moreau", "Nakamura", "Obi", "Pereira", "Quist", "Romero", "Sato", "Torres",
    "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer", "Adeyemi", "Baptiste", "Chen", "Dlamini",
    "Esposito", "Fontaine", "Grant", "Holm", "Ito", "Jovanovic", "Kim", "Lopez", "Mwangi", "Novotny",
)  # fmt: skip
MORE_COURSES = (
    "Persuasive Essay Clinic",
    "Literature Review Bootcamp",
    "Memoir Writing",
    "Scientific Writing for Beginners",
    "Dissertation Support",
    "Short Story Workshop",
    "Speechwriting",
    "Journalism Fundamentals",
    "Blogging for Professionals",
    "Report Writing at Work",
)
