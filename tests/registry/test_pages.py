import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry import services
from shouzhan.registry.models import Enterprise, Person, Project
from tests.registry.conftest import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_enterprise):
    """Enterprise A with its owner, and enterprise B with a project and a person."""
    a, owner_a = make_enterprise(name="甲企业")
    b, owner_b = make_enterprise(name="乙企业")
    project = services.project_create(
        actor=owner_b, enterprise=b, data={"kind": "agent", "title": "乙的智能体"}
    )
    person = services.person_create(actor=owner_b, enterprise=b, data={"name": "乙的员工"})
    return a, owner_a, b, owner_b, project, person


def b_urls(b, project, person):
    return [
        reverse("registry:enterprise", args=[b.pk]),
        reverse("registry:enterprise_edit", args=[b.pk]),
        reverse("registry:enterprise_stage", args=[b.pk]),
        reverse("registry:history", args=[b.pk]),
        reverse("registry:projects", args=[b.pk]),
        reverse("registry:project_new", args=[b.pk]),
        reverse("registry:project_edit", args=[b.pk, project.pk]),
        reverse("registry:project_delete", args=[b.pk, project.pk]),
        reverse("registry:people", args=[b.pk]),
        reverse("registry:person_edit", args=[b.pk, person.pk]),
        reverse("registry:person_delete", args=[b.pk, person.pk]),
        reverse("accounts:members", args=[b.pk]),
    ]


def test_member_of_a_gets_404_on_every_url_of_b(two, login_client):
    _a, owner_a, b, _owner_b, project, person = two
    client = login_client(owner_a)
    for url in b_urls(b, project, person):
        assert client.get(url).status_code == 404, url
        response = client.post(
            url, {"name": "偷改", "title": "偷改", "kind": "agent", "stage": "overseas", "version": 1}
        )
        assert response.status_code == 404, url
    b.refresh_from_db()
    assert (b.name, b.stage, b.version) == ("乙企业", "idea", 1)
    assert Project.objects.get(pk=project.pk).title == "乙的智能体"
    assert Person.objects.filter(pk=person.pk).exists()


def test_project_of_b_under_url_of_a_is_404(two, login_client):
    a, owner_a, _b, _owner_b, project, person = two
    client = login_client(owner_a)
    assert client.get(reverse("registry:project_edit", args=[a.pk, project.pk])).status_code == 404
    assert client.post(reverse("registry:project_delete", args=[a.pk, project.pk])).status_code == 404
    assert client.post(reverse("registry:person_delete", args=[a.pk, person.pk])).status_code == 404
    assert Project.objects.filter(pk=project.pk).exists()


def test_staff_pages_refused_to_entrepreneurs(two, login_client):
    _a, owner_a, *_ = two
    client = login_client(owner_a)
    assert client.get(reverse("registry:enterprise_list")).status_code == 403
    assert client.get(reverse("registry:enterprise_export")).status_code == 403
    assert client.get(reverse("registry:enterprise_import")).status_code == 403


def test_anonymous_is_sent_to_login(two, client):
    a, *_ = two
    response = client.get(reverse("registry:enterprise", args=[a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home_shows_facts_unknown_badges_stage_and_next(make_enterprise, login_client):
    enterprise, owner = make_enterprise(name="星河短剧", district="徐汇", stage="registered", employees=2)
    response = login_client(owner).get(reverse("registry:enterprise", args=[enterprise.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "星河短剧" in html
    assert '<dd data-fact="district">徐汇</dd>' in html
    assert '<dd data-fact="employees">2</dd>' in html
    assert html.count('<span class="badge badge-unknown">未填写</span>') == 9
    assert '<li class="done">创意</li>' in html
    assert '<li class="current" aria-current="step">注册落地</li>' in html
    assert "下一阶段：IP 形象设计" in html
    assert "IP 形象设计：品牌与 IP 形象打造，数字资产入库与版权登记" in html
    assert reverse("accounts:members", args=[enterprise.pk]) in html
    assert reverse("registry:history", args=[enterprise.pk]) in html


def test_edit_shows_inline_errors_with_400_then_saves(make_enterprise, login_client):
    enterprise, owner = make_enterprise(name="星河短剧")
    client = login_client(owner)
    url = reverse("registry:enterprise_edit", args=[enterprise.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="version" value="1"' in page.content.decode()
    form = {
        "name": "星河短剧",
        "credit_code": "91330100799655058C",
        "district": "徐汇",
        "employees": "-3",
        "annual_revenue_yuan": "12.345",
        "is_one_person_company": "1",
        "in_cluster": "",
        "is_startup": "0",
        "stage": "registered",
        "version": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<span class="field-error" role="alert">统一社会信用代码校验位错误：最后一位应为“B”</span>' in html
    assert '<span class="field-error" role="alert">不能为负数。</span>' in html
    assert '<span class="field-error" role="alert">金额最多保留两位小数（到分）</span>' in html
    response = client.post(url, {**form, "employees": "abc"})
    assert '<span class="field-error" role="alert">请输入整数（如 12）。</span>' in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.version == 1
    fixed = {**form, "credit_code": "91330100799655058B", "employees": "3", "annual_revenue_yuan": "1,234.50"}
    response = client.post(url, fixed)
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:enterprise", args=[enterprise.pk])
    enterprise.refresh_from_db()
    assert (enterprise.credit_code, enterprise.employees, enterprise.annual_revenue_fen) == (
        "91330100799655058B",
        3,
        123450,
    )
    assert (enterprise.is_one_person_company, enterprise.in_cluster, enterprise.is_startup) == (
        True,
        None,
        False,
    )
    assert enterprise.version == 2
    home = client.get(response["Location"]).content.decode()
    assert "企业信息已保存。" in home


def test_edit_with_stale_version_is_409_and_saves_nothing(make_enterprise, login_client):
    enterprise, owner = make_enterprise(name="星河短剧")
    services.enterprise_update(actor=owner, enterprise=enterprise, data={"employees": 5})
    client = login_client(owner)
    response = client.post(
        reverse("registry:enterprise_edit", args=[enterprise.pk]),
        {"name": "改名", "stage": "idea", "version": "1"},
    )
    assert response.status_code == 409
    assert "该企业信息已被他人修改，请刷新后重试" in response.content.decode()
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.employees) == ("星河短剧", 5)


def test_credit_code_used_elsewhere_is_inline_error(make_enterprise, login_client):
    make_enterprise(name="甲公司", credit_code="91330100799655058B")
    enterprise, owner = make_enterprise()
    response = login_client(owner).post(
        reverse("registry:enterprise_edit", args=[enterprise.pk]),
        {"name": enterprise.name, "credit_code": "91330100799655058B", "stage": "idea", "version": "1"},
    )
    assert response.status_code == 400
    assert "该统一社会信用代码已被企业“甲公司”使用" in response.content.decode()


def test_auditor_can_read_but_not_edit(make_enterprise, login_client, auditor):
    enterprise, _ = make_enterprise()
    client = login_client(auditor)
    assert client.get(reverse("registry:enterprise", args=[enterprise.pk])).status_code == 200
    assert client.get(reverse("registry:enterprise_edit", args=[enterprise.pk])).status_code == 403
    assert client.post(reverse("registry:project_new", args=[enterprise.pk]), {}).status_code == 403


def test_stage_advance(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    client = login_client(owner)
    url = reverse("registry:enterprise_stage", args=[enterprise.pk])
    assert client.post(url, {"stage": "registered", "version": "1"}).status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.stage == "registered"
    assert client.post(url, {"stage": "moon", "version": "2"}).status_code == 400
    assert client.post(url, {"stage": "overseas", "version": "1"}).status_code == 409


def test_project_create_edit_delete_pages(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    client = login_client(owner)
    new = reverse("registry:project_new", args=[enterprise.pk])
    bad = client.post(new, {"kind": "agent", "title": "", "rd_investment_yuan": "一百", "year": "1999"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "“一百”不是有效金额" in html
    assert "这个字段是必填项。" in html
    ok = client.post(
        new,
        {
            "kind": "micro_drama",
            "title": "江南梦",
            "year": "2025",
            "rd_investment_yuan": "300,000",
            "excellent": "1",
            "award_winning": "0",
            "self_developed": "",
        },
    )
    assert ok.status_code == 302
    project = Project.objects.get()
    assert (project.rd_investment_fen, project.excellent, project.self_developed) == (30000000, True, None)
    assert project.extra_facts == {"award_winning": False}
    edit = reverse("registry:project_edit", args=[enterprise.pk, project.pk])
    page = client.get(edit).content.decode()
    assert 'value="300000.00"' in page
    assert (
        client.post(edit, {"kind": "micro_drama", "title": "江南梦（第二季）", "excellent": "1"}).status_code
        == 302
    )
    project.refresh_from_db()
    assert (project.title, project.rd_investment_fen, project.extra_facts) == ("江南梦（第二季）", None, {})
    listing = client.get(reverse("registry:projects", args=[enterprise.pk])).content.decode()
    assert "江南梦（第二季）" in listing
    assert (
        client.post(reverse("registry:project_delete", args=[enterprise.pk, project.pk])).status_code == 302
    )
    assert not Project.objects.exists()


def test_people_pages(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    client = login_client(owner)
    url = reverse("registry:people", args=[enterprise.pk])
    bad = client.post(url, {"name": "李工", "mobile": "12345"})
    assert bad.status_code == 400
    assert "请输入有效的 11 位手机号码（如 13800138000）。" in bad.content.decode()
    assert client.post(url, {"name": "李工", "title": "发明人", "mobile": "13800138000"}).status_code == 302
    person = Person.objects.get()
    edit = reverse("registry:person_edit", args=[enterprise.pk, person.pk])
    assert client.post(edit, {"name": "", "title": "x"}).status_code == 400
    assert client.post(edit, {"name": "李工", "title": "首席科学家"}).status_code == 302
    assert "首席科学家" in client.get(url).content.decode()


def test_history_shows_field_level_before_and_after(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    services.enterprise_update(
        actor=owner, enterprise=enterprise, data={"employees": 7, "annual_revenue_yuan": "1000"}
    )
    html = login_client(owner).get(reverse("registry:history", args=[enterprise.pk])).content.decode()
    assert "<strong>员工人数</strong>：" in html
    assert '<span class="diff-after">7</span>' in html
    assert "<strong>年营业收入（元）</strong>：" in html
    assert '<span class="diff-after">1,000.00 元</span>' in html


def test_staff_list_search_filters_htmx_and_pagination(make_enterprise, login_client, caseworker):
    make_enterprise(name="星河短剧", district="徐汇", sector="micro_drama", in_cluster=True)
    make_enterprise(name="远航出海", district="杨浦", sector="cross_border")
    client = login_client(caseworker)
    url = reverse("registry:enterprise_list")
    html = client.get(url).content.decode()
    assert "星河短剧" in html and "远航出海" in html
    assert "共 2 家企业" in html
    filtered = client.get(url, {"district": "徐汇"}).content.decode()
    assert "星河短剧" in filtered and "远航出海" not in filtered
    assert 'href="/enterprises/export.xlsx?district=%E5%BE%90%E6%B1%87"' in filtered
    partial = client.get(url, {"q": "远航"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body
    assert "远航出海" in body and "星河短剧" not in body
    assert 'hx-swap-oob="true"' in body
    empty = client.get(url, {"q": "不存在"}).content.decode()
    assert "没有符合条件的企业，请调整搜索或筛选条件。" in empty
    assert client.get(url, {"district": "纽约"}).status_code == 400
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_export_keeps_filters(make_enterprise, login_client, caseworker):
    make_enterprise(name="星河短剧", district="徐汇")
    make_enterprise(name="远航出海", district="杨浦")
    response = login_client(caseworker).get(reverse("registry:enterprise_export"), {"district": "杨浦"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["远航出海"]


def test_import_page_reports_bad_rows(login_client, caseworker):
    from shouzhan.registry.credit_code import make

    good = make("91310104MA0000009")
    data = csv_bytes(
        [["统一社会信用代码", "企业名称", "员工人数"], [good, "新企业", "4"], ["123", "坏企业", "x"]]
    )
    client = login_client(caseworker)
    url = reverse("registry:enterprise_import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("名录.csv", data, content_type="text/csv")})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="stat-value" id="created">1</div>' in html
    assert (
        '<td class="num">3</td><td>统一社会信用代码</td><td>统一社会信用代码应为 18 位，当前为 3 位</td>'
        in html
    )
    assert '<td class="num">3</td><td>员工人数</td><td>“x”不是整数</td>' in html
    assert Enterprise.objects.get(credit_code=good).employees == 4
    png = SimpleUploadedFile("logo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")
    refused = client.post(url, {"file": png})
    assert refused.status_code == 400
    assert "文件内容不是 .xlsx 或 .csv 表格，请上传 Excel (.xlsx) 或 CSV 文件" in refused.content.decode()
    assert client.post(url, {}).status_code == 400
    all_bad = SimpleUploadedFile("bad.csv", csv_bytes([["统一社会信用代码", "企业名称"], ["1", "x"]]))
    assert client.post(url, {"file": all_bad}).status_code == 400
    assert AuditEntry.objects.filter(action="registry.enterprise_import").count() == 2


def test_import_too_big_upload(login_client, caseworker, settings):
    settings.IMPORT_MAX_BYTES = 10
    client = login_client(caseworker)
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * 100)
    response = client.post(reverse("registry:enterprise_import"), {"file": upload})
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


@pytest.mark.parametrize("role", [Role.MENTOR, Role.AUDITOR])
def test_import_refused_to_roles_without_it(make_user, login_client, role):
    client = login_client(make_user(role=role))
    assert client.get(reverse("registry:enterprise_import")).status_code == 403
    assert client.get(reverse("registry:enterprise_export")).status_code == 403


def test_edit_without_version_is_400_with_a_message(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    response = login_client(owner).post(
        reverse("registry:enterprise_edit", args=[enterprise.pk]), {"name": "新名字", "stage": "idea"}
    )
    assert response.status_code == 400
    assert "页面已过期或不完整，请刷新页面后重试。" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.name != "新名字"


def test_history_names_the_action_in_words_not_its_code(make_enterprise, login_client):
    enterprise, owner = make_enterprise()
    services.enterprise_update(actor=owner, enterprise=enterprise, data={"employees": 7})
    html = login_client(owner).get(reverse("registry:history", args=[enterprise.pk])).content.decode()
    from shouzhan.core.audit import audit_action_label

    assert f"<td>{audit_action_label('registry.enterprise_update')}</td>" in html
    assert "registry.enterprise_update" not in html and "<code>" not in html
