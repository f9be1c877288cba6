"""Tenancies: relief decided by the rules engine (with and without), moves keep the incubation history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.roles import Role
from shouzhan.spaces import selectors, services
from shouzhan.spaces.fees import add_months

pytestmark = pytest.mark.django_db


def test_desk_relief_for_a_cluster_startup_and_move_to_office(
    make_enterprise, make_user, catalogue, desk, office
):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise(district="徐汇", is_startup=True, in_cluster=True)
    worker = make_user(role=Role.CASEWORKER)
    start = dt.date.today().replace(day=1)
    t = services.tenancy_start(actor=worker, enterprise=ent, resource=desk, start_on=start, months=12)
    assert (t.relief_percent, t.relief_months, t.relief_clause) == (100, 12, "xuhui.desk_fee_relief")
    assert "入驻初创企业可享受工位费减免福利" in t.relief_reason
    st = selectors.enterprise_statement(actor=owner, enterprise=ent, year=start.year, month=start.month)
    assert (st.gross_fen, st.relief_fen, st.net_fen) == (80000, 80000, 0)
    # Move to an office after 3 months: the desk tenancy ends, the office points back to it.
    move_on = add_months(start, 3)
    o = services.tenancy_move(actor=worker, tenancy=t, resource=office, on=move_on, months=12)
    t.refresh_from_db()
    assert (t.status, t.end_on, o.previous_id, o.relief_percent) == ("moved", move_on, t.pk, 0)
    history = selectors.incubation_history(actor=owner, enterprise=ent)
    assert [(h.resource.name, h.status) for h in history] == [
        ("工位 D-01", "moved"),
        ("办公室 201", "active"),
    ]
    st = selectors.enterprise_statement(actor=owner, enterprise=ent, year=move_on.year, month=move_on.month)
    assert (st.gross_fen, st.relief_fen, st.net_fen) == (600000, 0, 600000)


def test_no_relief_outside_the_cluster(make_enterprise, make_user, catalogue, desk):  # type: ignore[no-untyped-def]
    ent, owner = make_enterprise(district="杨浦", is_startup=True, in_cluster=False)
    worker = make_user(role=Role.CASEWORKER)
    start = dt.date.today().replace(day=1)
    t = services.tenancy_start(actor=worker, enterprise=ent, resource=desk, start_on=start, months=6)
    assert (t.relief_percent, t.relief_reason) == (0, "")
    st = selectors.enterprise_statement(actor=owner, enterprise=ent, year=start.year, month=start.month)
    assert (st.gross_fen, st.relief_fen, st.net_fen) == (80000, 0, 80000)
    with pytest.raises(ValidationError):
        services.tenancy_start(actor=worker, enterprise=ent, resource=desk, start_on=start, months=1)
    with pytest.raises(PermissionDenied):
        services.tenancy_start(actor=owner, enterprise=ent, resource=desk, start_on=start, months=1)
