"""`make run` (the demo command) prints every demo login, the two voucher service providers included."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from shouzhan.accounts.models import User


@pytest.mark.django_db
def test_the_demo_prints_every_login_including_the_providers() -> None:
    out = io.StringIO()
    call_command("demo", "--no-history", stdout=out)
    logins = out.getvalue().split("demo logins", 1)[1]
    printed = re.findall(r"^  (1\d{10})  ", logins, re.M)
    assert printed[-2:] == ["13800000011", "13800000012"]
    assert "  13800000011  周算（徐汇智算中心）" in logins
    assert "上海徐汇智算科技有限公司（券服务商：提交核销申请）" in logins
    # Every printed login exists, and every demo role, provider (13800000000–19) and department officer
    # (1380000003x), the river office and three river chiefs (1380000004x) is printed; the district's extra
    # caseworkers (1380000002x) and the other river chiefs (1380000006x, 7x) only fill the tables.
    people = User.objects.filter(mobile__regex=r"^138000000[0134]\d$").values_list("mobile", flat=True)
    assert set(printed) == set(people)
