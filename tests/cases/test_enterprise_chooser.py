"""Who a case is about, on the page `/cases/new/<type>/` (issue #11, defect 9 follow-up).

A case about an enterprise needs one. Staff choose it from the register by name or credit code
(an autocomplete over the enterprises they may see, the error inline); a member of several
enterprises chooses among theirs only.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from shouzhan.cases.models import Case
from shouzhan.core.roles import Role

pytestmark = pytest.mark.django_db

URL = "/cases/new/service.financing/"
NEED = {"title": "融资对接", "need": "需要一笔 500 万元的流动资金贷款。"}


def options(html: str) -> list[str]:
    """The values of the <option>s of the enterprise chooser's list (a <datalist> or a <select>)."""
    box = re.search(
        r'<(datalist id="enterprise-names"|select name="enterprise"[^>]*)>(.*?)</(datalist|select)>',
        html,
        re.S,
    )
    assert box is not None, "no enterprise chooser on the page"
    return re.findall(r'<option value="([^"]*)"', box.group(2))


@pytest.fixture
def register(make_enterprise: Any) -> dict[str, Any]:
    """Three enterprises; two of them have 光影 in their names."""
    studio, owner = make_enterprise(name="光影工作室", district="徐汇")
    lab, _ = make_enterprise(name="光影实验室", district="徐汇")
    other, _ = make_enterprise(name="云帆科技", district="杨浦")
    return {"studio": studio, "owner": owner, "lab": lab, "other": other}


def test_staff_choose_the_enterprise_by_name_or_credit_code(
    register: dict[str, Any], make_user: Any, login_client: Any
) -> None:
    staff = login_client(make_user(role=Role.CASEWORKER, name="王专员"))
    page = staff.get(URL)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="enterprise"' in body and 'list="enterprise-names"' in body
    # The list offers the register's names (words, not ids).
    assert sorted(options(body)) == sorted(["光影工作室", "光影实验室", "云帆科技"])

    # Left empty: the refusal sits on the field, not at the top of the form.
    empty = staff.post(URL, {**NEED, "enterprise": ""})
    assert empty.status_code == 400
    assert empty.context["form"].errors == {"enterprise": ["请填写申请企业的名称或统一社会信用代码。"]}
    unknown = staff.post(URL, {**NEED, "enterprise": "不存在的公司"})
    assert unknown.status_code == 400
    assert unknown.context["form"].errors == {
        "enterprise": ["企业库中没有找到“不存在的公司”，请检查名称或统一社会信用代码。"]
    }
    ambiguous = staff.post(URL, {**NEED, "enterprise": "光影"})
    assert ambiguous.status_code == 400
    assert ambiguous.context["form"].errors == {
        "enterprise": ["“光影”对应多家企业，请填写完整名称或统一社会信用代码。"]
    }
    assert Case.objects.count() == 0

    by_code = staff.post(URL, {**NEED, "enterprise": register["lab"].credit_code.lower()})
    by_name = staff.post(URL, {**NEED, "enterprise": "光影工作室"})
    lab_case, studio_case = Case.objects.order_by("pk")
    assert by_code.status_code == 302 and by_code["Location"] == f"/cases/{lab_case.pk}/"
    assert by_name.status_code == 302 and by_name["Location"] == f"/cases/{studio_case.pk}/"
    assert (lab_case.enterprise_id, studio_case.enterprise_id) == (register["lab"].pk, register["studio"].pk)
    # The enterprise follows its case in 我的办件.
    assert "融资对接" in login_client(register["owner"]).get("/cases/mine/").content.decode()


def test_the_chooser_autocompletes_over_what_the_user_may_see(
    register: dict[str, Any], make_user: Any, login_client: Any
) -> None:
    staff = login_client(make_user(role=Role.CASEWORKER))
    found = staff.get("/cases/enterprise-options/", {"enterprise": "光影"})
    assert found.status_code == 200
    # Each name with its credit code beside it, to tell apart two of the same name.
    assert sorted(re.findall(r'<option value="([^"]*)">([^<]*)</option>', found.content.decode())) == sorted(
        [("光影实验室", register["lab"].credit_code), ("光影工作室", register["studio"].credit_code)]
    )
    by_code = staff.get("/cases/enterprise-options/", {"enterprise": register["other"].credit_code})
    assert re.findall(r'<option value="([^"]*)"', by_code.content.decode()) == ["云帆科技"]
    # A member is offered their own enterprises only, whatever they type.
    member = login_client(register["owner"])
    assert re.findall(
        r'<option value="([^"]*)"', member.get("/cases/enterprise-options/").content.decode()
    ) == ["光影工作室"]
    assert "云帆科技" not in member.get("/cases/enterprise-options/", {"enterprise": "云帆"}).content.decode()


def test_member_of_several_enterprises_chooses_among_theirs(
    register: dict[str, Any], make_enterprise: Any, login_client: Any
) -> None:
    owner = register["owner"]
    second, _ = make_enterprise(name="光影二厂", owner=owner)
    member = login_client(owner)
    page = member.get(URL).content.decode()
    # Theirs only (by name), and none chosen for them: submitting for the wrong one is easy otherwise.
    values = options(page)
    assert values[0] == "" and sorted(values[1:]) == sorted([str(register["studio"].pk), str(second.pk)])
    assert sorted(re.findall(r'<option value="\d+">([^<]*)</option>', page)) == sorted(
        ["光影工作室", "光影二厂"]
    )
    assert "光影实验室" not in page and "云帆科技" not in page

    unchosen = member.post(URL, NEED)
    assert unchosen.status_code == 400
    assert unchosen.context["form"].errors == {"enterprise": ["请选择申请企业。"]}
    not_theirs = member.post(URL, {**NEED, "enterprise": register["other"].pk})
    assert not_theirs.status_code == 400
    assert not_theirs.context["form"].errors == {"enterprise": ["请从列表中选择您的企业。"]}
    assert Case.objects.count() == 0
    ok = member.post(URL, {**NEED, "enterprise": second.pk})
    assert ok.status_code == 302
    assert Case.objects.get().enterprise_id == second.pk


def test_member_of_one_enterprise_is_not_asked(register: dict[str, Any], login_client: Any) -> None:
    member = login_client(register["owner"])
    assert 'name="enterprise"' not in member.get(URL).content.decode()
    assert member.post(URL, NEED).status_code == 302
    assert Case.objects.get().enterprise_id == register["studio"].pk
