"""``classpay`` reads who is signed in and the first page in a second process
(``tui.quick_start``): the same answers the service gives, and the same refusals; when that
process dies without a word, this one does the work."""

from __future__ import annotations

import os

import pytest

from classpay_tui.cli.main import Runtime
from classpay_tui.db.engine import Database
from classpay_tui.domain.errors import ClasspayError
from classpay_tui.services import ClassPaymentService
from classpay_tui.services.context import os_login
from classpay_tui.tui.opening import FIRST_QUERY, first_request
from classpay_tui.tui.quick_start import begin
from tests.tui.conftest import bundle


@pytest.fixture
def office(sqlite_url: str) -> Runtime:
    service = ClassPaymentService(Database(sqlite_url))
    service.add_first_admin(os_login())
    admin = service.operator(os_login())
    for n in range(1, 8):
        bundle(service, admin, f"Client {n}", "Essay Writing", f"{n}00.00")
    service.db.dispose()
    return Runtime(sqlite_url)


def opened(runtime: Runtime, first_screen=None):  # type: ignore[no-untyped-def]
    first_screen = first_screen or runtime.first_screen_reads
    return begin(lambda: (runtime.service(), runtime.operator()), first_screen=first_screen)


def test_the_second_process_reads_what_the_service_would(office):
    opening = opened(office)
    signed_in = opening.signed_in.result(timeout=60)
    page = opening.first_page.result(timeout=60)
    assert not opening.service.done()  # this process builds nothing until the app asks
    direct = ClassPaymentService(Database(office.target))
    assert signed_in.operator == direct.operator(os_login())
    assert signed_in.database == direct.db.describe()
    assert page == direct.bundle_list_page(signed_in.operator, FIRST_QUERY, first_request())
    assert [row.client_name for row in page.rows][:2] == ["Client 7", "Client 6"] and page.total == 7
    opening.start_service()
    opening.start_service()  # asked twice, built once
    service = opening.service.result(timeout=60)
    assert service.bundle_list_page(signed_in.operator, FIRST_QUERY, first_request()) == page


def test_an_unknown_login_is_said_in_one_sentence(office):
    def stranger():  # type: ignore[no-untyped-def]
        raise ClasspayError("nobody is not an operator of this database; an admin can add it.")

    opening = opened(office, stranger)
    with pytest.raises(ClasspayError, match="not an operator of this database"):
        opening.signed_in.result(timeout=60)
    with pytest.raises(ClasspayError):
        opening.first_page.result(timeout=60)


def test_when_the_second_process_dies_this_one_does_the_work(office):
    def dies():  # type: ignore[no-untyped-def]
        os._exit(3)  # runs in the child only

    opening = opened(office, dies)
    signed_in = opening.signed_in.result(timeout=60)
    assert signed_in.operator.login == os_login()
    assert opening.service.result(timeout=60) is not None  # built here instead
    with pytest.raises(LookupError):  # no page: the screen reads its own
        opening.first_page.result(timeout=60)
