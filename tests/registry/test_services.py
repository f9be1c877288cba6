import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry import selectors, services
from shouzhan.registry.choices import Stage
from shouzhan.registry.models import Enterprise, Person, Project
from tests.conftest import valid_credit_code

pytestmark = pytest.mark.django_db


def test_update_changes_fields_bumps_version_and_audits_only_changes(make_enterprise):
    enterprise, owner = make_enterprise(name="星河短剧", district="徐汇", employees=3)
    updated = services.enterprise_update(
        actor=owner,
        enterprise=enterprise,
        data={"employees": 5, "annual_revenue_yuan": "1,234.50", "district": "徐汇", "in_cluster": True},
        expected_version=1,
    )
    assert updated.version == 2
    assert updated.employees == 5
    assert updated.annual_revenue_fen == 123450
    assert updated.in_cluster is True
    entry = AuditEntry.objects.get(action="registry.enterprise_update")
    assert entry.enterprise_id == enterprise.pk
    assert entry.actor_id == owner.pk
    assert entry.before == {"employees": 3, "annual_revenue_fen": None, "in_cluster": None}
    assert entry.after == {"employees": 5, "annual_revenue_fen": 123450, "in_cluster": True}


def test_update_without_changes_writes_nothing(make_enterprise):
    enterprise, owner = make_enterprise(district="徐汇")
    result = services.enterprise_update(actor=owner, enterprise=enterprise, data={"district": "徐汇"})
    assert result.version == 1
    assert not AuditEntry.objects.filter(action="registry.enterprise_update").exists()


def test_stale_version_is_refused_with_a_clear_message(make_enterprise):
    enterprise, owner = make_enterprise()
    services.enterprise_update(actor=owner, enterprise=enterprise, data={"employees": 2}, expected_version=1)
    with pytest.raises(services.StaleVersionError) as exc:
        services.enterprise_update(
            actor=owner, enterprise=enterprise, data={"employees": 9}, expected_version=1
        )
    assert exc.value.messages == ["该企业信息已被他人修改，请刷新后重试"]
    assert Enterprise.objects.get(pk=enterprise.pk).employees == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"credit_code": "91330100799655058C"}, "credit_code", "统一社会信用代码校验位错误：最后一位应为“B”"),
        ({"annual_revenue_yuan": "-5"}, "annual_revenue_yuan", "金额不能为负数"),
        ({"annual_revenue_yuan": "12.345"}, "annual_revenue_yuan", "金额最多保留两位小数（到分）"),
        (
            {"annual_revenue_yuan": "abc"},
            "annual_revenue_yuan",
            "“abc”不是有效金额：请只填阿拉伯数字，可用逗号按三位分隔，最多两位小数，如 1,234.56",
        ),
        ({"employees": -3}, "employees", "员工人数不能为负数"),
        ({"name": "  "}, "name", "企业名称不能为空"),
        ({"registered_on": dt.date(2999, 1, 1)}, "registered_on", "成立日期不能晚于今天"),
    ],
)
def test_update_refuses_bad_values(make_enterprise, data, field, message):
    enterprise, owner = make_enterprise(employees=4)
    with pytest.raises(ValidationError) as exc:
        services.enterprise_update(actor=owner, enterprise=enterprise, data=data)
    assert exc.value.message_dict[field] == [message]
    fresh = Enterprise.objects.get(pk=enterprise.pk)
    assert (fresh.version, fresh.employees) == (1, 4)


def test_update_refuses_unknown_district_and_fields(make_enterprise):
    enterprise, owner = make_enterprise()
    with pytest.raises(ValidationError) as exc:
        services.enterprise_update(actor=owner, enterprise=enterprise, data={"district": "纽约"})
    assert "district" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.enterprise_update(actor=owner, enterprise=enterprise, data={"version": 7})
    assert exc.value.message_dict["__all__"] == ["未知字段：version"]


def test_credit_code_taken_by_another_enterprise(make_enterprise):
    make_enterprise(name="甲公司", credit_code="91330100799655058B")
    enterprise, owner = make_enterprise()
    with pytest.raises(ValidationError) as exc:
        services.enterprise_update(
            actor=owner, enterprise=enterprise, data={"credit_code": "91330100799655058b"}
        )
    assert exc.value.message_dict["credit_code"] == ["该统一社会信用代码已被企业“甲公司”使用"]


def test_member_of_another_enterprise_cannot_update(make_enterprise):
    _a, owner_a = make_enterprise()
    b, _ = make_enterprise()
    with pytest.raises(Http404):
        services.enterprise_update(actor=owner_a, enterprise=b, data={"employees": 1})


def test_read_only_staff_cannot_update(make_enterprise, auditor):
    enterprise, _ = make_enterprise()
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=auditor, enterprise=enterprise, data={"employees": 1})


def test_caseworker_can_update_any_enterprise(make_enterprise, caseworker):
    enterprise, _ = make_enterprise()
    updated = services.enterprise_update(actor=caseworker, enterprise=enterprise, data={"is_startup": False})
    assert updated.is_startup is False


def test_stage_set(make_enterprise):
    enterprise, owner = make_enterprise()
    services.enterprise_stage_set(actor=owner, enterprise=enterprise, stage=Stage.IP_DESIGN)
    enterprise.refresh_from_db()
    assert (enterprise.stage, enterprise.version) == ("ip_design", 2)
    entry = AuditEntry.objects.get(action="registry.enterprise_stage_set")
    assert (entry.before, entry.after) == ({"stage": "idea"}, {"stage": "ip_design"})
    with pytest.raises(ValidationError) as exc:
        services.enterprise_stage_set(actor=owner, enterprise=enterprise, stage="moon")
    assert exc.value.message_dict["stage"] == ["“moon”不是有效的孵化阶段"]


def test_people_create_update_delete(make_enterprise):
    enterprise, owner = make_enterprise()
    person = services.person_create(
        actor=owner,
        enterprise=enterprise,
        data={"name": "李工", "title": "发明人", "mobile": "138-0013-8000"},
    )
    assert person.mobile == "13800138000"
    services.person_update(actor=owner, person=person, data={"title": "首席工程师"})
    entry = AuditEntry.objects.get(action="registry.person_update")
    assert (entry.before, entry.after) == ({"title": "发明人"}, {"title": "首席工程师"})
    with pytest.raises(ValidationError) as exc:
        services.person_update(actor=owner, person=person, data={"mobile": "12345"})
    assert exc.value.message_dict["mobile"] == ["请输入有效的 11 位手机号码（如 13800138000）。"]
    services.person_delete(actor=owner, person=person)
    assert not Person.objects.exists()
    assert AuditEntry.objects.get(action="registry.person_delete").before["name"] == "李工"


def test_project_money_in_yuan_stored_in_fen(make_enterprise):
    enterprise, owner = make_enterprise()
    project = services.project_create(
        actor=owner,
        enterprise=enterprise,
        data={
            "kind": "agent",
            "title": "法律助手智能体",
            "year": 2025,
            "rd_investment_yuan": "2,500,000.10",
            "self_developed": True,
            "market_recognized": None,
            "award_winning": True,
        },
    )
    assert project.rd_investment_fen == 250000010
    assert project.rd_investment_yuan == Decimal("2500000.10")
    assert project.extra_facts == {"award_winning": True}
    facts = selectors.enterprise_facts(enterprise=enterprise, project=project)
    assert facts["project"] == {
        "kind": "agent",
        "rd_investment_yuan": "2500000.10",
        "self_developed": True,
        "market_recognized": None,
        "national_selection": None,
        "excellent": None,
        "promotes_city_image": None,
        "trainees": None,
        "year": 2025,
        "script_copyright_holder": None,
        "award_winning": True,
        "benchmark_work": None,
        "stable_capacity": None,
        "overseas_at_scale": None,
        "voucher_item": None,
        "registered_works": None,
        "registered_versions": None,
        "ip_works": None,
        "video_minutes": None,
    }


def test_project_refuses_float_money_and_bad_kind(make_enterprise):
    enterprise, owner = make_enterprise()
    with pytest.raises(ValidationError) as exc:
        services.project_create(
            actor=owner,
            enterprise=enterprise,
            data={"kind": "agent", "title": "x", "rd_investment_yuan": 1.5},
        )
    assert exc.value.message_dict["rd_investment_yuan"] == ["金额必须是精确的数字（不接受浮点数）"]
    with pytest.raises(ValidationError) as exc:
        services.project_create(actor=owner, enterprise=enterprise, data={"kind": "rocket", "title": "x"})
    assert "kind" in exc.value.message_dict
    assert not Project.objects.exists()


def test_project_update_and_delete_audited(make_enterprise):
    enterprise, owner = make_enterprise()
    project = services.project_create(
        actor=owner, enterprise=enterprise, data={"kind": "course", "title": "AI 编剧课"}
    )
    services.project_update(actor=owner, project=project, data={"trainees": 120})
    entry = AuditEntry.objects.get(action="registry.project_update")
    assert (entry.before, entry.after, entry.enterprise_id) == (
        {"trainees": None},
        {"trainees": 120},
        enterprise.pk,
    )
    services.project_delete(actor=owner, project=project)
    assert not Project.objects.exists()


def test_project_of_other_enterprise_is_404(make_enterprise):
    a, owner_a = make_enterprise()
    b, owner_b = make_enterprise()
    project = services.project_create(
        actor=owner_b, enterprise=b, data={"kind": "agent", "title": "B 的项目"}
    )
    with pytest.raises(Http404):
        selectors.project_get(actor=owner_a, enterprise=a, pk=project.pk)
    with pytest.raises(Http404):
        services.project_update(actor=owner_a, project=project, data={"title": "偷改"})
    with pytest.raises(Http404):
        services.project_delete(actor=owner_a, project=project)


def test_enterprise_facts_exact(make_enterprise):
    enterprise, _ = make_enterprise(
        district="徐汇",
        registered_on=dt.date(2024, 3, 1),
        employees=1,
        annual_revenue_fen=123456789,
        is_one_person_company=True,
        sector="micro_drama",
    )
    assert selectors.enterprise_facts(enterprise=enterprise) == {
        "enterprise": {
            "district": "徐汇",
            "registered_on": "2024-03-01",
            "employees": 1,
            "annual_revenue_yuan": "1234567.89",
            "is_one_person_company": True,
            "sector": "micro_drama",
            "in_cluster": None,
            "is_startup": None,
        },
        "project": {},
    }


def test_next_steps(make_enterprise):
    enterprise, _ = make_enterprise(district="徐汇", stage=Stage.REGISTERED, sector="live_streaming")
    steps = selectors.enterprise_next_steps(enterprise=enterprise)
    assert [m["name"] for m in steps["missing"]] == [
        "registered_on",
        "employees",
        "annual_revenue_yuan",
        "is_one_person_company",
        "in_cluster",
        "is_startup",
    ]
    assert steps["next_stage"] == "ip_design"
    assert steps["offer"] == "IP 形象设计：品牌与 IP 形象打造，数字资产入库与版权登记"
    assert [s["state"] for s in steps["stages"]] == ["done", "current", "", "", ""]
    enterprise.stage = Stage.OVERSEAS
    assert selectors.enterprise_next_steps(enterprise=enterprise)["next_stage"] is None


def test_enterprise_list_staff_only_with_filters(make_enterprise, caseworker, make_user):
    make_enterprise(name="星河短剧", district="徐汇", sector="micro_drama", in_cluster=True)
    make_enterprise(name="远航出海", district="杨浦", sector="cross_border", legal_representative="张三")
    make_enterprise(
        name="星光直播", district="徐汇", sector="live_streaming", credit_code="91330100799655058B"
    )

    def names(**filters):
        return [e.name for e in selectors.enterprise_list(actor=caseworker, **filters)]

    assert names() == ["星光直播", "星河短剧", "远航出海"]
    assert names(q="星") == ["星光直播", "星河短剧"]
    assert names(q="张三") == ["远航出海"]
    assert names(q="91330100799655058b") == ["星光直播"]
    assert names(district="徐汇", sector="micro_drama") == ["星河短剧"]
    assert names(in_cluster=True) == ["星河短剧"]
    assert names(in_cluster=False) == []
    with pytest.raises(PermissionDenied):
        selectors.enterprise_list(actor=make_user(role=Role.ENTREPRENEUR))
    with pytest.raises(PermissionDenied):
        selectors.enterprise_list(actor=make_user(role=Role.MENTOR))


def test_enterprise_get_is_404_for_non_members(make_enterprise):
    a, owner_a = make_enterprise()
    b, _ = make_enterprise()
    assert selectors.enterprise_get(actor=owner_a, pk=a.pk) == a
    with pytest.raises(Http404):
        selectors.enterprise_get(actor=owner_a, pk=b.pk)
    with pytest.raises(Http404):
        selectors.enterprise_get(actor=owner_a, pk=999999)


def test_enterprise_create_validates_code(make_user):
    user = make_user()
    code = valid_credit_code()
    enterprise = services.enterprise_create(actor=user, name=" 新公司 ", credit_code=code.lower())
    assert (enterprise.name, enterprise.credit_code) == ("新公司", code)
