import datetime as dt
import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouzhan.core.audit import snapshot
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry import services
from shouzhan.registry.models import Enterprise
from tests.registry.conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所在区",
    "成立日期",
    "员工人数",
    "年营业收入（元）",
    "一人公司",
    "行业",
    "在集聚区",
    "初创企业",
    "孵化阶段",
    "法定代表人",
    "地址",
    "联系电话",
]
A = "91330100799655058B"
B = "9144030071526726XG"
C = "91310104MA00000011"  # replaced below by a computed valid code


@pytest.fixture
def codes():
    from shouzhan.registry.credit_code import make

    return {"A": A, "B": B, "C": make("91310104MA0000001"), "D": make("91310104MA0000002")}


def test_xlsx_with_good_and_bad_rows(caseworker, codes):
    rows = [
        HEADER,
        [
            codes["A"],
            "星河短剧",
            "徐汇",
            dt.datetime(2024, 3, 1),
            3,
            1234.56,
            "是",
            "AI 微短剧",
            "否",
            "1",
            "注册落地",
            "王一",
            "",
            13800138000,
        ],
        [
            codes["B"],
            "远航出海",
            "杨浦区",
            "2024/3/1",
            "12",
            "1,234,567.89",
            "N",
            "cross_border",
            "",
            "",
            "overseas",
            "",
            "",
            "",
        ],
        ["91330100799655058C", "坏校验位", "", "", "", "", "", "", "", "", "", "", "", ""],
        [codes["C"], "坏数据", "纽约", "2024-02-30", "-3", "abc", "也许", "火箭", "", "", "月球", "", "", ""],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [codes["A"], "重复的星河", "", "", "", "", "", "", "", "", "", "", "", ""],
        [codes["D"], "", "", "2024年3月1日", "", "", "", "", "", "", "", "", "", ""],
    ]
    report = services.enterprise_import(actor=caseworker, data=xlsx_bytes(rows), filename="企业.xlsx")
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.total_rows == 6
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (4, "统一社会信用代码", "统一社会信用代码校验位错误：最后一位应为“B”"),
        (5, "所在区", "“纽约”不是已知的区（如 徐汇、杨浦、闵行、浦东新区、黄浦 …）"),
        (5, "成立日期", "“2024-02-30”不是存在的日期"),
        (5, "员工人数", "不能为负数"),
        (
            5,
            "年营业收入（元）",
            "“abc”不是有效金额：请只填阿拉伯数字，可用逗号按三位分隔，最多两位小数，如 1,234.56",
        ),
        (5, "一人公司", "“也许”不是有效的是/否值（可填 是、否、true、false、1、0、Y、N，留空表示未知）"),
        (5, "行业", "“火箭”不是有效的行业（可填代码或名称，如 AI 微短剧、智能体、直播电商、IP 设计 …）"),
        (
            5,
            "孵化阶段",
            "“月球”不是有效的孵化阶段（可填代码或名称，如 创意、注册落地、IP 形象设计、"
            "商业转化（周边·直播带货） …）",
        ),
        (7, "统一社会信用代码", f"统一社会信用代码 {codes['A']} 与第 2 行重复，本行未导入"),
        (8, "企业名称", "企业名称不能为空"),
    ]
    assert report.bad_rows == [4, 5, 7, 8]
    star = Enterprise.objects.get(credit_code=codes["A"])
    assert (star.name, star.district, star.registered_on, star.employees) == (
        "星河短剧",
        "徐汇",
        dt.date(2024, 3, 1),
        3,
    )
    assert star.annual_revenue_fen == 123456
    assert (star.is_one_person_company, star.sector, star.in_cluster, star.is_startup) == (
        True,
        "micro_drama",
        False,
        True,
    )
    assert (star.stage, star.legal_representative, star.phone) == ("registered", "王一", "13800138000")
    far = Enterprise.objects.get(credit_code=codes["B"])
    assert (far.district, far.registered_on, far.employees, far.annual_revenue_fen) == (
        "杨浦",
        dt.date(2024, 3, 1),
        12,
        123456789,
    )
    assert (far.is_one_person_company, far.in_cluster, far.is_startup, far.stage) == (
        False,
        None,
        None,
        "overseas",
    )
    assert Enterprise.objects.count() == 2
    summary = AuditEntry.objects.get(action="registry.enterprise_import")
    assert summary.after == {
        "filename": "企业.xlsx",
        "rows": 6,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": 4,
    }
    assert AuditEntry.objects.filter(action="registry.enterprise_import_create").count() == 2


def test_reimport_updates_instead_of_duplicating(caseworker, make_enterprise, codes):
    existing, _ = make_enterprise(name="星河短剧", credit_code=codes["A"], employees=3, district="徐汇")
    rows = [
        [
            "enterprise.credit_code",
            "enterprise.name",
            "enterprise.employees",
            "enterprise.annual_revenue_yuan",
            "备注",
        ],
        [codes["A"].lower(), "星河短剧", "8", "", "忽略我"],
        [codes["B"], "远航出海", "2", "100", ""],
    ]
    report = services.enterprise_import(actor=caseworker, data=csv_bytes(rows), filename="a.csv")
    assert (report.created, report.updated, report.unchanged, report.errors) == (1, 1, 0, [])
    assert report.ignored_columns == ["备注"]
    existing.refresh_from_db()
    assert (existing.employees, existing.district, existing.version) == (8, "徐汇", 2)
    entry = AuditEntry.objects.get(action="registry.enterprise_import_update")
    assert (entry.before, entry.after, entry.enterprise_id) == (
        {"employees": 3},
        {"employees": 8},
        existing.pk,
    )
    again = services.enterprise_import(actor=caseworker, data=csv_bytes(rows), filename="a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Enterprise.objects.count() == 2


def test_csv_with_bom_and_gbk(caseworker, codes):
    rows = [["统一社会信用代码", "企业名称", "所在区", "在集聚区"], [codes["C"], "闵行智造", "闵行", "是"]]
    utf8_bom = b"\xef\xbb\xbf" + csv_bytes(rows)
    report = services.enterprise_import(actor=caseworker, data=utf8_bom, filename="bom.csv")
    assert (report.created, report.errors) == (1, [])
    rows[1] = [codes["D"], "浦东出海", "浦东新区", "否"]
    report = services.enterprise_import(actor=caseworker, data=csv_bytes(rows, "gbk"), filename="gbk.csv")
    assert (report.created, report.errors) == (1, [])
    assert Enterprise.objects.get(credit_code=codes["D"]).name == "浦东出海"
    assert Enterprise.objects.get(credit_code=codes["D"]).in_cluster is False


def test_export_round_trip(caseworker, make_enterprise, codes):
    make_enterprise(
        name="星河短剧",
        credit_code=codes["A"],
        district="徐汇",
        registered_on=dt.date(2023, 5, 6),
        employees=1,
        annual_revenue_fen=123456789,
        is_one_person_company=True,
        sector="micro_drama",
        in_cluster=True,
        is_startup=False,
        stage="commercialisation",
        legal_representative='=HYPERLINK("http://x")',
        address="漕河泾 1 号",
        phone="021-12345678",
    )
    make_enterprise(name="空白企业", credit_code=codes["B"])
    data = services.enterprise_export(actor=caseworker, enterprises=Enterprise.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    assert values[1] == (
        codes["A"],
        "星河短剧",
        "徐汇",
        dt.datetime(2023, 5, 6),
        1,
        1234567.89,
        "是",
        "AI 微短剧",
        "是",
        "否",
        "商业转化（周边·直播带货）",
        '=HYPERLINK("http://x")',  # text, not a formula
        "漕河泾 1 号",
        "021-12345678",
    )
    assert sheet.cell(row=2, column=12).data_type == "s"
    assert values[2] == (codes["B"], "空白企业", *[None] * 8, "创意", None, None, None)
    before = {e.credit_code: snapshot(e) for e in Enterprise.objects.all()}
    report = services.enterprise_import(actor=caseworker, data=data, filename="export.xlsx")
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 2, [])
    after = {e.credit_code: snapshot(e) for e in Enterprise.objects.all()}
    assert after == before
    # Into an empty register, the export recreates the same facts.
    Enterprise.objects.all().delete()
    report = services.enterprise_import(actor=caseworker, data=data, filename="export.xlsx")
    assert (report.created, report.errors) == (2, [])
    star = Enterprise.objects.get(credit_code=codes["A"])
    assert star.annual_revenue_yuan == Decimal("1234567.89")
    assert (star.stage, star.sector, star.registered_on, star.is_startup) == (
        "commercialisation",
        "micro_drama",
        dt.date(2023, 5, 6),
        False,
    )
    assert AuditEntry.objects.filter(action="registry.enterprise_export").count() == 1


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "logo.xlsx",
            "文件内容不是 .xlsx 或 .csv 表格，请上传 Excel (.xlsx) 或 CSV 文件",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "old.xls",
            "不支持旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 后再导入",
        ),
        (b"PK\x03\x04broken zip", "bad.xlsx", "无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式"),
        (
            "统一社会信用代码,企业名称\n".encode(),
            "text.xlsx",
            "文件扩展名是 .xlsx，但内容不是有效的 Excel 文件",
        ),
        ("企业名称,所在区\n甲,徐汇\n".encode(), "a.csv", "缺少必需的列：统一社会信用代码"),
        (b"", "empty.csv", "文件是空的"),
        (b"\n\n", "blank.csv", "第 1 行应为表头（如 统一社会信用代码、企业名称 …），但它是空的"),
    ],
)
def test_unreadable_files_are_refused_clearly(caseworker, data, filename, message):
    with pytest.raises(ValidationError) as exc:
        services.enterprise_import(actor=caseworker, data=data, filename=filename)
    assert exc.value.messages == [message]
    assert not AuditEntry.objects.filter(action="registry.enterprise_import").exists()


def test_size_and_row_limits(caseworker, settings, codes):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        services.enterprise_import(actor=caseworker, data=b"x" * 1024 * 1024, filename="big.csv")
    assert exc.value.messages == ["文件过大（1.0 MB），上限为 0.0 MB"]
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 2
    rows = [["统一社会信用代码", "企业名称"], [codes["A"], "甲"], [codes["B"], "乙"], [codes["C"], "丙"]]
    with pytest.raises(ValidationError) as exc:
        services.enterprise_import(actor=caseworker, data=csv_bytes(rows), filename="many.csv")
    assert exc.value.messages == [
        "表格行数过多：读到第 4 行，而表头以下最多 2 行（空行也计算在内）。请删除多余的行，或拆分成多个文件后导入"
    ]
    # Blank rows count: the header, one blank row and two data rows are four rows too.
    spaced = [rows[0], [], rows[1], rows[2]]
    with pytest.raises(ValidationError, match="读到第 4 行"):
        services.enterprise_import(actor=caseworker, data=csv_bytes(spaced), filename="spaced.csv")
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize("role", [Role.ENTREPRENEUR, Role.MENTOR, Role.AUDITOR])
def test_only_import_roles_may_import_or_export(make_user, role):
    user = make_user(role=role)
    with pytest.raises(PermissionDenied):
        services.enterprise_import(actor=user, data=b"a,b\n", filename="a.csv")
    with pytest.raises(PermissionDenied):
        services.enterprise_export(actor=user, enterprises=[])


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.POLICY_OFFICER, Role.LEADER, Role.ADMIN])
def test_import_roles(make_user, role, codes):
    user = make_user(role=role)
    rows = [["统一社会信用代码", "企业名称"], [codes["A"], "甲"]]
    assert services.enterprise_import(actor=user, data=csv_bytes(rows), filename="a.csv").created == 1


def test_zip_that_is_not_a_workbook_is_refused(caseworker):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValidationError) as exc:
        services.enterprise_import(actor=caseworker, data=buffer.getvalue(), filename="a.xlsx")
    assert exc.value.messages == ["无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式"]


def test_fact_name_headers_and_formats(caseworker):
    from shouzhan.registry.credit_code import make

    code = make("91310104MA0000003")
    rows = [
        [
            "credit_code",
            "name",
            "enterprise.registered_on",
            "enterprise.is_startup",
            "enterprise.stage",
            "enterprise.sector",
        ],
        [code, "点号日期", "2023.12.31", "Y", "IP 形象设计", "ip_design"],
    ]
    report = services.enterprise_import(actor=caseworker, data=xlsx_bytes(rows), filename="facts.xlsx")
    assert (report.created, report.errors) == (1, [])
    e = Enterprise.objects.get(credit_code=code)
    assert (e.registered_on, e.is_startup, e.stage, e.sector) == (
        dt.date(2023, 12, 31),
        True,
        "ip_design",
        "ip_design",
    )


def test_the_sparse_sheet_is_refused_at_once(caseworker, login_client):
    """Issue #11: a 1.7 KB .xlsx whose dimension claims A1:XFD1048576, with data in rows 1 and
    1,048,576 only, pinned a worker for about 17 minutes. The page now refuses it in well under a second."""
    from tests.sheet_files import sparse_xlsx

    client = login_client(caseworker)
    client.get("/enterprises/import/")  # a warm process: time the file, not the first request
    upload = io.BytesIO(sparse_xlsx(["统一社会信用代码", "企业名称"]))
    upload.name = "名录.xlsx"
    started = time.monotonic()
    response = client.post("/enterprises/import/", {"file": upload})
    elapsed = time.monotonic() - started
    assert response.status_code == 400 and elapsed < 1.0
    assert (
        "表格行数过多：读到第 1,048,576 行，而表头以下最多 20,000 行（空行也计算在内）。"
        "请删除多余的行，或拆分成多个文件后导入"
    ) in response.content.decode()
    assert not Enterprise.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registry.enterprise_import").exists()
