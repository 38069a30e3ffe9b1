"""Operators and roles: who may use the database, and the audit log they leave."""

from __future__ import annotations

import pytest

from classpay_tui.domain.errors import Conflict, InvalidInput, PermissionDenied, Refused
from classpay_tui.domain.statuses import Role
from tests.builders import writer


@pytest.fixture
def first_admin(service):
    assert service.add_first_admin("alice") is True
    assert service.add_first_admin("mallory") is False  # only on a database without operators
    return service.operator("alice")


def test_first_admin_and_lookup(service, first_admin):
    assert first_admin.login == "alice" and first_admin.role is Role.ADMIN


def test_unknown_login_is_refused_naming_the_fix(service, first_admin):
    with pytest.raises(PermissionDenied, match=r"bob is not an operator .* `classpay users add bob --role staff`"):
        service.operator("bob")


def test_add_list_disable_enable(service, first_admin):
    service.add_operator(first_admin, "bob", "staff")
    writer_id = writer(service, first_admin, "wendy")
    linked = service.add_operator(first_admin, "wendy", "writer", writer="wendy")
    assert linked.writer_id == writer_id and linked.writer_username == "wendy"
    assert service.operator("wendy").writer_id == writer_id
    assert [o.login for o in service.list_operators(first_admin)] == ["alice", "bob", "wendy"]
    service.set_operator_active(first_admin, "bob", False)
    with pytest.raises(PermissionDenied, match="bob is disabled .* `classpay users enable bob`"):
        service.operator("bob")
    service.set_operator_active(first_admin, "bob", True)
    assert service.operator("bob").role is Role.STAFF


def test_operator_refusals(service, first_admin, admin):
    service.add_operator(first_admin, "bob", "staff")
    with pytest.raises(Conflict, match="already an operator"):
        service.add_operator(first_admin, "bob", "admin")
    with pytest.raises(InvalidInput, match="not a role"):
        service.add_operator(first_admin, "carl", "boss")
    with pytest.raises(InvalidInput, match="needs --writer"):
        service.add_operator(first_admin, "carl", "writer")
    with pytest.raises(InvalidInput, match="not a login name"):
        service.add_operator(first_admin, "bad name", "staff")
    with pytest.raises(Refused, match="last active admin"):
        service.set_operator_active(first_admin, "alice", False)
    with pytest.raises(PermissionDenied):
        service.add_operator(service.operator("bob"), "eve", "admin")


def test_audit_log_lists_changes_by_entity(service, first_admin):
    service.add_operator(first_admin, "bob", "staff")
    events = service.audit_events(first_admin)
    assert [(e.action, e.entity, e.actor) for e in events] == [
        ("operator.add", "operator:1", "alice"),
        ("operator.add", "operator:2", "alice"),
    ]
    assert events[1].after["role"] == "staff"
    assert [e.entity for e in service.audit_events(first_admin, entity="operator:2")] == ["operator:2"]
    with pytest.raises(InvalidInput, match="KIND:ID"):
        service.audit_events(first_admin, entity="bundle")
    with pytest.raises(PermissionDenied):
        service.audit_events(service.operator("bob"))
