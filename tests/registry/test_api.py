import json

import pytest

from shouzhan.core.models import AuditEntry
from shouzhan.registry import services
from shouzhan.registry.models import Enterprise, Project

pytestmark = pytest.mark.django_db


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_detail_exact_json(make_enterprise, login_client):
    enterprise, owner = make_enterprise(
        name="星河短剧",
        credit_code="91330100799655058B",
        district="徐汇",
        annual_revenue_fen=123450,
        employees=2,
    )
    response = login_client(owner).get(f"/api/v1/enterprises/{enterprise.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": enterprise.pk,
        "name": "星河短剧",
        "credit_code": "91330100799655058B",
        "district": "徐汇",
        "registered_on": None,
        "employees": 2,
        "annual_revenue_yuan": "1234.50",
        "is_one_person_company": None,
        "sector": "",
        "in_cluster": None,
        "is_startup": None,
        "stage": "idea",
        "legal_representative": "",
        "address": "",
        "phone": "",
        "description": "",
        "version": 1,
    }


def test_other_enterprise_is_404_everywhere(make_enterprise, login_client):
    _a, owner_a = make_enterprise()
    b, owner_b = make_enterprise(name="乙企业")
    services.project_create(actor=owner_b, enterprise=b, data={"kind": "agent", "title": "乙项目"})
    client = login_client(owner_a)
    for url in (
        f"/api/v1/enterprises/{b.pk}",
        f"/api/v1/enterprises/{b.pk}/facts",
        f"/api/v1/enterprises/{b.pk}/projects",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        patch(client, f"/api/v1/enterprises/{b.pk}", {"expected_version": 1, "name": "x"}).status_code == 404
    )
    assert (
        post(client, f"/api/v1/enterprises/{b.pk}/projects", {"kind": "agent", "title": "x"}).status_code
        == 404
    )
    assert Enterprise.objects.get(pk=b.pk).name == "乙企业"
    assert Project.objects.count() == 1


def test_list_staff_filters_and_entrepreneur_sees_own(make_enterprise, login_client, caseworker):
    mine, owner = make_enterprise(name="星河短剧", district="徐汇")
    make_enterprise(name="远航出海", district="杨浦", in_cluster=True)
    body = login_client(owner).get("/api/v1/enterprises").json()
    assert body["count"] == 1
    assert [e["id"] for e in body["items"]] == [mine.pk]
    staff = login_client(caseworker)
    assert [e["name"] for e in staff.get("/api/v1/enterprises").json()["items"]] == ["星河短剧", "远航出海"]
    assert [e["name"] for e in staff.get("/api/v1/enterprises?district=杨浦").json()["items"]] == ["远航出海"]
    assert [e["name"] for e in staff.get("/api/v1/enterprises?in_cluster=true").json()["items"]] == [
        "远航出海"
    ]
    assert [e["name"] for e in staff.get("/api/v1/enterprises?q=星河").json()["items"]] == ["星河短剧"]
    paged = staff.get("/api/v1/enterprises?limit=1&offset=1").json()
    assert (paged["count"], [e["name"] for e in paged["items"]]) == (2, ["远航出海"])
    assert staff.get("/api/v1/enterprises?limit=0").status_code == 422


def test_patch_updates_and_bumps_version(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    response = patch(
        login_client(owner),
        f"/api/v1/enterprises/{enterprise.pk}",
        {
            "expected_version": 1,
            "annual_revenue_yuan": "1,000,000.05",
            "is_startup": True,
            "registered_on": "2024-03-01",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["annual_revenue_yuan"], body["is_startup"], body["registered_on"], body["version"]) == (
        "1000000.05",
        True,
        "2024-03-01",
        2,
    )
    enterprise.refresh_from_db()
    assert enterprise.annual_revenue_fen == 100000005
    assert AuditEntry.objects.get(action="registry.enterprise_update").after == {
        "registered_on": "2024-03-01",
        "annual_revenue_fen": 100000005,
        "is_startup": True,
    }


def test_patch_stale_version_is_409(make_enterprise, login_client):
    enterprise, owner = make_enterprise(employees=1)
    client = login_client(owner)
    assert (
        patch(
            client, f"/api/v1/enterprises/{enterprise.pk}", {"expected_version": 1, "employees": 2}
        ).status_code
        == 200
    )
    response = patch(client, f"/api/v1/enterprises/{enterprise.pk}", {"expected_version": 1, "employees": 3})
    assert response.status_code == 409
    assert response.json() == {
        "error": "the enterprise was changed by someone else; reload and retry / "
        "该企业信息已被他人修改，请刷新后重试",
        "detail": {"current_version": 2},
    }
    enterprise.refresh_from_db()
    assert enterprise.employees == 2


def test_patch_bad_values_are_422_with_field_errors(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    client = login_client(owner)
    url = f"/api/v1/enterprises/{enterprise.pk}"
    response = patch(
        client, url, {"expected_version": 1, "credit_code": "91330100799655058C", "employees": -1}
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "invalid input / 输入有误",
        "detail": {
            "credit_code": ["统一社会信用代码校验位错误：最后一位应为“B”"],
            "employees": ["员工人数不能为负数"],
        },
    }
    # Money as a JSON number is refused: floats are not exact.
    assert patch(client, url, {"expected_version": 1, "annual_revenue_yuan": 12.5}).status_code == 422
    assert patch(client, url, {"employees": 3}).status_code == 422  # expected_version is required
    assert patch(client, url, {"expected_version": 1, "name": None}).status_code == 422
    assert client.patch(url, "not json", content_type="application/json").status_code in (400, 422)
    enterprise.refresh_from_db()
    assert enterprise.version == 1


def test_read_only_staff_gets_403_on_patch(make_enterprise, login_client, auditor):
    enterprise, _ = make_enterprise()
    response = patch(
        login_client(auditor), f"/api/v1/enterprises/{enterprise.pk}", {"expected_version": 1, "name": "x"}
    )
    assert response.status_code == 403


def test_facts_endpoint(make_enterprise, login_client):
    enterprise, owner = make_enterprise(district="徐汇", annual_revenue_fen=5)
    client = login_client(owner)
    project = services.project_create(
        actor=owner, enterprise=enterprise, data={"kind": "course", "title": "AI 课程", "trainees": 80}
    )
    facts = client.get(f"/api/v1/enterprises/{enterprise.pk}/facts").json()
    assert facts["enterprise"]["annual_revenue_yuan"] == "0.05"
    assert facts["project"] == {}
    with_project = client.get(f"/api/v1/enterprises/{enterprise.pk}/facts?project={project.pk}").json()
    assert (with_project["project"]["kind"], with_project["project"]["trainees"]) == ("course", 80)
    assert client.get(f"/api/v1/enterprises/{enterprise.pk}/facts?project=999999").status_code == 404


def test_projects_create_and_list(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    client = login_client(owner)
    url = f"/api/v1/enterprises/{enterprise.pk}/projects"
    response = post(
        client,
        url,
        {
            "kind": "agent",
            "title": "法律智能体",
            "rd_investment_yuan": "2500000",
            "self_developed": True,
            "award_winning": False,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["rd_investment_yuan"], body["self_developed"], body["extra_facts"]) == (
        "2500000.00",
        True,
        {"award_winning": False},
    )
    listing = client.get(url).json()
    assert [p["title"] for p in listing] == ["法律智能体"]
    bad = post(client, url, {"kind": "rocket", "title": "", "rd_investment_yuan": "-1"})
    assert bad.status_code == 422
    assert set(bad.json()["detail"]) == {"kind", "title", "rd_investment_yuan"}
    assert post(client, url, {"kind": "agent", "title": "x", "rd_investment_yuan": 1.5}).status_code == 422
    assert Project.objects.count() == 1


def test_anonymous_gets_401(make_enterprise, client):
    enterprise, _ = make_enterprise()
    assert client.get(f"/api/v1/enterprises/{enterprise.pk}").status_code == 401


def test_openapi_lists_registry_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/enterprises/{enterprise_id}/facts" in paths
    assert set(paths["/api/v1/enterprises/{enterprise_id}"]) == {"get", "patch"}
