"""The talent record pages: my record, a record as each reader sees it (keeper, enterprise shown the profile or
everything, staff, auditor, a stranger), bad input inline with 400, a stale edit 409, the category's reasons,
the people's list, query counts and the audit entries each change writes."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from shouzhan.accounts.models import Membership, User
from shouzhan.cases.models import Case
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry.models import (
    Enterprise,
    Person,
    SkillCertificate,
    TalentRecord,
    TalentShare,
    TalentSupport,
    TalentTitle,
)
from shouzhan.registry.talent.services import talent_record_for

pytestmark = pytest.mark.django_db

AI_AV_NUMBER = "Y310000202600012345678"


# ----------------------------------------------------------------------------- helpers
def text(content: bytes) -> str:
    """The page's words, tags dropped and spaces folded."""
    words = re.sub(r"<[^>]+>", " ", content.decode())
    return re.sub(r"\s+", " ", html.unescape(words)).strip()


def section(content: bytes, anchor: str) -> str:
    """The words of one card of the page (`<section … id="anchor">`), "" when the page has none."""
    found = re.search(rf'<section class="card" id="{anchor}".*?</section>', content.decode(), re.S)
    return text(found.group(0).encode()) if found else ""


def written(since: int) -> list[str]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id").values_list("action", flat=True))


def mark() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def colleague(make_user: Callable[..., User], enterprise: Enterprise, name: str = "王磊") -> User:
    user = make_user(name=name)
    Membership.objects.create(user=user, organisation=enterprise.organisation)
    return user


@pytest.fixture
def record(talent_person: tuple[Person, Enterprise, User]) -> TalentRecord:
    person, _enterprise, owner = talent_person
    return talent_record_for(actor=owner, person=person)


def make_composite(record: TalentRecord) -> TalentRecord:
    """A composite talent: micro drama, an art title of level 2, an AI audiovisual certificate."""
    record.field = "micro_drama"
    record.education = "bachelor"
    record.save()
    TalentTitle.objects.create(
        record=record, series="art", level=2, specialty="数字媒体艺术", granted_on=dt.date(2025, 6, 1)
    )
    SkillCertificate.objects.create(
        record=record, kind="ai_av", name="AI视听内容创作", number=AI_AV_NUMBER, issued_on=dt.date(2026, 3, 1)
    )
    return record


@pytest.fixture
def composite(record: TalentRecord) -> TalentRecord:
    return make_composite(record)


def url(record: TalentRecord, tail: str = "") -> str:
    return f"/talent/records/{record.pk}/{tail}"


# ----------------------------------------------------------------------------- the keeper
def test_my_record_is_made_once_and_opens_on_its_page(
    talent_person: tuple[Person, Enterprise, User], login_client: Callable[[User], Client]
) -> None:
    person, _enterprise, owner = talent_person
    client = login_client(owner)
    since = mark()
    first = client.get("/talent/me/")
    record = TalentRecord.objects.get(person=person)
    assert first.status_code == 302 and first["Location"] == url(record)
    assert client.get("/talent/me/")["Location"] == url(record)
    assert written(since) == ["registry.talent_record_create"]
    page = client.get(url(record))
    assert page.status_code == 200
    assert "我的人才档案" in text(page.content)
    assert page.context["active_nav"] == "talent_record"
    assert section(page.content, "category").startswith("人才类别 尚未认定类别")


def test_the_keeper_edits_the_record_and_a_stale_form_is_a_409(
    record: TalentRecord, talent_person: Any, login_client: Callable[[User], Client]
) -> None:
    client = login_client(talent_person[2])
    data = {
        "field": "micro_drama",
        "education": "master",
        "years_experience": "6",
        "shanghai_hukou": "false",
        "children_school_age": "1",
        "summary": "AI微短剧《弄堂里的光》编剧",
        "version": str(record.version),
    }
    since = mark()
    saved = client.post(url(record, "update/"), data)
    assert saved.status_code == 302 and saved["Location"] == url(record) + "#profile"
    record.refresh_from_db()
    assert (record.field, record.education, record.years_experience, record.shanghai_hukou) == (
        "micro_drama",
        "master",
        6,
        False,
    )
    assert (record.children_school_age, record.summary, record.version) == (
        1,
        "AI微短剧《弄堂里的光》编剧",
        2,
    )
    assert written(since) == ["registry.talent_record_update"]
    profile = section(client.get(url(record)).content, "profile")
    assert (
        "从业领域 微短剧创作 最高学历 硕士研究生 所在企业 光合剧场 从业年限 6 年 出生年份 1994 已有上海户籍 否"
        in profile
    )

    stale = client.post(url(record, "update/"), data | {"education": "doctor"})  # the version read before
    assert stale.status_code == 409
    assert "该记录已被他人修改，请刷新后重试" in text(stale.content)
    assert stale.context["record_form"]["version"].value() == "2"  # saving again replaces on purpose
    record.refresh_from_db()
    assert record.education == "master"
    assert written(since) == ["registry.talent_record_update"]


def test_bad_record_values_are_inline_400s(
    record: TalentRecord, talent_person: Any, login_client: Callable[[User], Client]
) -> None:
    client = login_client(talent_person[2])
    bad = client.post(
        url(record, "update/"), {"field": "film", "years_experience": "99", "version": str(record.version)}
    )
    assert bad.status_code == 400
    page = text(bad.content)
    assert "请从列表中选择从业领域。" in page
    assert "“从业年限”应为 0 到 70 之间的整数。" in page
    record.refresh_from_db()
    assert (record.field, record.years_experience, record.version) == ("", None, 1)


def test_the_keeper_adds_and_removes_a_title_and_a_certificate(
    record: TalentRecord, talent_person: Any, login_client: Callable[[User], Client]
) -> None:
    client = login_client(talent_person[2])
    since = mark()
    title = client.post(
        url(record, "titles/"),
        {
            "series": "engineering",
            "level": "3",
            "specialty": "广播电视工程",
            "granted_on": "2024-12-20",
            "issuer": "上海市职称改革工作领导小组办公室",
            "certificate_no": "SH-ENG-2024-0012",
        },
    )
    assert title.status_code == 302 and title["Location"] == url(record) + "#titles"
    cert = client.post(
        url(record, "certificates/"),
        {
            "kind": "ai_av",
            "name": "AI视听内容创作",
            "number": AI_AV_NUMBER.lower(),
            "issued_on": "2026-03-01",
        },
    )
    assert cert.status_code == 302 and cert["Location"] == url(record) + "#certificates"
    page = client.get(url(record))
    assert (
        "工程系列 副高级 广播电视工程 2024-12-20 上海市职称改革工作领导小组办公室 SH-ENG-2024-0012"
        in section(page.content, "titles")
    )
    assert f"AI视听内容创作 AI视听专项职业能力证书 — {AI_AV_NUMBER} 2026-03-01" in section(
        page.content, "certificates"
    )
    t, c = TalentTitle.objects.get(), SkillCertificate.objects.get()
    assert client.post(url(record, f"titles/{t.pk}/remove/")).status_code == 302
    assert client.post(url(record, f"certificates/{c.pk}/remove/")).status_code == 302
    assert not TalentTitle.objects.exists() and not SkillCertificate.objects.exists()
    assert written(since) == [
        "registry.talent_title_add",
        "registry.talent_certificate_add",
        "registry.talent_title_remove",
        "registry.talent_certificate_remove",
    ]


def test_htmx_forms_get_the_page_their_card_is_taken_from(
    record: TalentRecord, talent_person: Any, login_client: Callable[[User], Client]
) -> None:
    client = login_client(talent_person[2])
    data = {"series": "art", "level": "1", "granted_on": "2023-05-01"}
    done = client.post(url(record, "titles/"), data, HTTP_HX_REQUEST="true", follow=True)
    assert done.status_code == 200
    assert "艺术系列 初级" in section(done.content, "titles")
    assert "已添加职称。" not in text(done.content)  # the card is swapped in place: no message kept for later
    bad = client.post(url(record, "titles/"), data | {"level": "5"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert "“职称等级”应为 1 到 4 之间的整数。" in section(bad.content, "titles")


@pytest.mark.parametrize(
    ("tail", "data", "message"),
    [
        (
            "certificates/",
            {"kind": "ai_av", "name": "AI视听内容创作", "number": "Y3100-12", "issued_on": "2026-03-01"},
            "证书编号“Y3100-12”格式不对：应为S 或 Y 加 21 位数字，如 Y310000202600012345678。",
        ),
        (
            "titles/",
            {"series": "film", "level": "2", "granted_on": "2025-06-01"},
            "职称系列只能是：艺术系列、工程系列。",
        ),
        (
            "titles/",
            {"series": "art", "level": "7", "granted_on": "2025-06-01"},
            "“职称等级”应为 1 到 4 之间的整数。",
        ),
        (
            "titles/",
            {"series": "art", "level": "2", "granted_on": "2025-02-30"},
            "请输入有效日期，如 2026-05-06。",
        ),
        (
            "titles/",
            {"series": "art", "level": "2", "granted_on": "9999-12-31"},
            "日期应在 1900-01-01 至 2200-12-31 之间。",
        ),
    ],
)
def test_bad_input_is_an_inline_400_and_nothing_is_saved(
    tail: str,
    data: dict[str, str],
    message: str,
    record: TalentRecord,
    talent_person: Any,
    login_client: Callable[[User], Client],
) -> None:
    client = login_client(talent_person[2])
    since = mark()
    response = client.post(url(record, tail), data)
    assert response.status_code == 400
    card = section(response.content, "certificates" if tail.startswith("cert") else "titles")
    assert message in card
    assert not TalentTitle.objects.exists() and not SkillCertificate.objects.exists()
    assert written(since) == []


def test_a_date_after_today_is_refused_with_today_named(
    record: TalentRecord, talent_person: Any, login_client: Callable[[User], Client]
) -> None:
    client = login_client(talent_person[2])
    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    response = client.post(url(record, "titles/"), {"series": "art", "level": "2", "granted_on": tomorrow})
    assert response.status_code == 400
    assert f"“取得日期”不能晚于今天（{today.isoformat()}）。" in section(response.content, "titles")
    cert = client.post(
        url(record, "certificates/"),
        {"kind": "ai_av", "name": "AI视听内容创作", "number": AI_AV_NUMBER, "issued_on": tomorrow},
    )
    assert cert.status_code == 400
    assert f"“发证日期”不能晚于今天（{today.isoformat()}）。" in section(cert.content, "certificates")
    assert not TalentTitle.objects.exists() and not SkillCertificate.objects.exists()


def test_a_title_a_case_recorded_cannot_be_removed(
    record: TalentRecord, talent_person: Any, login_client: Callable[[User], Client]
) -> None:
    title = TalentTitle.objects.create(
        record=record, series="art", level=2, granted_on=dt.date(2026, 1, 5), source_case_id=77
    )
    client = login_client(talent_person[2])
    page = client.get(url(record))
    assert "办件记入" in section(page.content, "titles")
    assert f"titles/{title.pk}/remove/" not in page.content.decode()
    refused = client.post(url(record, f"titles/{title.pk}/remove/"))
    assert refused.status_code == 400
    assert "这一项由人才服务办件记入，不能删除；如有错误请联系营商专员。" in section(
        refused.content, "titles"
    )
    assert TalentTitle.objects.filter(pk=title.pk).exists()


# ----------------------------------------------------------------------------- the category's reasons
def test_the_category_card_shows_each_condition_of_the_category(
    composite: TalentRecord, talent_person: Any, login_client: Callable[[User], Client]
) -> None:
    page = login_client(talent_person[2]).get(url(composite))
    card = section(page.content, "category")
    assert card.startswith("人才类别 复合型人才（AI视听） 按档案信息，认定为 复合型人才（AI视听） 。")
    assert (
        "复合型人才（AI视听） 符合条件 "
        "✓ 「从业领域」属于 “AI 视听创制”、“微短剧创作”：资料为“微短剧创作”，符合。 "
        "✓ 「是否取得AI视听专项职业能力证书」为“是”：资料为“是”，符合。 "
        "✓ 以下条件满足其一即可，符合： "
        "✓ 「艺术系列职称等级」不少于1：资料为“2”，符合。 "
        "✗ 「工程系列职称等级」不少于1：资料为“0”，不符合。"
    ) in card
    assert (
        "领军人才 不符合 ✗ 「最高职称等级（1初级–4正高级）」不少于4：资料为“2”，不符合。 "
        "? 「从业年限」不少于10：尚未填写「从业年限」，待补充。"
    ) in card
    reasons = page.context["reasons"]
    assert [(r.key, r.status, r.decided) for r in reasons] == [
        ("leading", "not_eligible", False),
        ("composite", "eligible", True),
        ("youth", "eligible", False),
        ("skilled", "eligible", False),
    ]
    assert [(line.mark, [c.mark for c in line.children]) for line in reasons[1].lines] == [
        ("✓", []),
        ("✓", []),
        ("✓", ["✓", "✗"]),
    ]


# ----------------------------------------------------------------------------- who reads what
def test_a_member_of_another_enterprise_gets_404(
    composite: TalentRecord,
    make_enterprise: Callable[..., tuple[Enterprise, User]],
    login_client: Callable[[User], Client],
) -> None:
    _other, stranger = make_enterprise(name="远山影视")
    client = login_client(stranger)
    assert client.get(url(composite)).status_code == 404
    for tail in ("update/", "titles/", "certificates/", "sharing/"):
        assert client.post(url(composite, tail), {"series": "art"}).status_code == 404
    assert client.get("/talent/people/").context["page"].object_list == []


def test_sharing_decides_what_the_enterprise_reads(
    composite: TalentRecord,
    talent_person: Any,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    _person, enterprise, owner = talent_person
    boss = login_client(colleague(make_user, enterprise))
    assert boss.get(url(composite)).status_code == 404
    keeper = login_client(owner)
    sharing = section(keeper.get(url(composite)).content, "sharing")
    assert (
        "光合剧场 不可见：企业看不到我的档案 概况：领域、类别和职称 全部：另含证书、培训和人才服务办件"
        in sharing
    )
    since = mark()

    shared = keeper.post(url(composite, "sharing/"), {"enterprise": enterprise.pk, "level": "profile"})
    assert shared.status_code == 302 and shared["Location"] == url(composite) + "#sharing"
    profile = boss.get(url(composite))
    assert profile.status_code == 200
    words = text(profile.content)
    assert "复合型人才（AI视听）" in words
    assert "艺术系列 中级 数字媒体艺术 2025-06-01" in section(profile.content, "titles")
    assert "从业领域 微短剧创作 最高学历 本科" in section(profile.content, "profile")
    assert AI_AV_NUMBER not in words and "技能证书" not in words
    assert "已有上海户籍" not in words and "参加的培训" not in words and "人才服务结果" not in words
    assert "判断理由" not in words  # the reasons would tell the certificates
    assert "添加职称" not in words and "企业可见范围" not in words

    keeper.post(url(composite, "sharing/"), {"enterprise": enterprise.pk, "level": "full"})
    full = boss.get(url(composite))
    assert f"AI视听内容创作 AI视听专项职业能力证书 — {AI_AV_NUMBER} 2026-03-01" in section(
        full.content, "certificates"
    )
    assert "已有上海户籍" in text(full.content) and "添加证书" not in text(full.content)
    assert boss.post(url(composite, "titles/"), {"series": "art"}).status_code == 403
    assert (
        boss.post(url(composite, "sharing/"), {"enterprise": enterprise.pk, "level": "full"}).status_code
        == 403
    )

    keeper.post(url(composite, "sharing/"), {"enterprise": enterprise.pk, "level": ""})
    assert boss.get(url(composite)).status_code == 404
    assert not TalentShare.objects.exists()
    assert written(since) == ["registry.talent_share_set"] * 3


def test_sharing_only_with_the_persons_own_enterprises(
    composite: TalentRecord,
    talent_person: Any,
    make_enterprise: Callable[..., tuple[Enterprise, User]],
    login_client: Callable[[User], Client],
) -> None:
    other, _ = make_enterprise(name="远山影视")
    keeper = login_client(talent_person[2])
    refused = keeper.post(url(composite, "sharing/"), {"enterprise": other.pk, "level": "full"})
    assert refused.status_code == 400
    assert "只能授权给本人所在的企业。" in section(refused.content, "sharing")
    bad = keeper.post(url(composite, "sharing/"), {"enterprise": "x", "level": "all"})
    assert bad.status_code == 400
    assert "请从列表中选择企业和可见范围。" in section(bad.content, "sharing")
    assert not TalentShare.objects.exists()


def test_staff_read_every_record_caseworkers_edit_auditors_do_not(
    composite: TalentRecord,
    caseworker: User,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    worker = login_client(caseworker)
    page = worker.get(url(composite))
    assert page.status_code == 200
    assert AI_AV_NUMBER in text(page.content) and "企业可见范围" not in text(page.content)
    assert page.context["active_nav"] == "centre_talent_records"
    since = mark()
    fixed = worker.post(
        url(composite, "update/"), {"years_experience": "8", "version": str(composite.version)}
    )
    assert fixed.status_code == 302
    assert written(since) == ["registry.talent_record_update"]

    auditor = login_client(make_user(Role.AUDITOR, name="审计"))
    read = auditor.get(url(composite))
    assert read.status_code == 200 and "只读：档案由本人维护。" in text(read.content)
    assert "修改档案信息" not in text(read.content)
    composite.refresh_from_db()
    refused = auditor.post(url(composite, "update/"), {"field": "other", "version": str(composite.version)})
    assert refused.status_code == 403
    assert auditor.post(url(composite, "titles/"), {"series": "art"}).status_code == 403
    composite.refresh_from_db()
    assert composite.field == "micro_drama"
    assert written(since) == ["registry.talent_record_update"]


def test_outcomes_and_cases_are_on_the_record_for_full_readers(
    composite: TalentRecord, talent_person: Any, caseworker: User, login_client: Callable[[User], Client]
) -> None:
    case = Case.objects.create(
        case_type="talent.housing",
        state="done",
        title="人才租房补贴 / 人才公寓 · 林晓",
        submitted_on=dt.date(2026, 9, 1),
        applicant=talent_person[2],
        related_type=ContentType.objects.get_for_model(TalentRecord),
        related_id=str(composite.pk),
    )
    TalentSupport.objects.create(
        record=composite,
        kind="talent.housing",
        granted=True,
        summary="租房补贴每月2,000元，共12个月",
        decided_on=dt.date(2026, 9, 10),
        source_case_id=case.pk,
    )
    page = login_client(talent_person[2]).get(url(composite))
    outcomes = section(page.content, "supports")
    assert "人才租房补贴 / 人才公寓 已获得 租房补贴每月2,000元，共12个月 — 2026-09-10 查看办件" in outcomes
    assert f'href="/cases/{case.pk}/"' in page.content.decode()
    assert f"{case.reference} 人才租房补贴 / 人才公寓" in section(page.content, "cases")


# ----------------------------------------------------------------------------- queries
def test_the_record_page_reads_in_a_bounded_number_of_queries(
    composite: TalentRecord,
    talent_person: Any,
    django_assert_max_num_queries: Any,
    login_client: Callable[[User], Client],
) -> None:
    client = login_client(talent_person[2])
    for n in range(5):
        TalentTitle.objects.create(
            record=composite, series="engineering", level=1, granted_on=dt.date(2020, 1, n + 1)
        )
    client.get(url(composite))
    with django_assert_max_num_queries(16):
        assert client.get(url(composite)).status_code == 200
