"""The talent part of the demo district (`shouzhan demo`): three people's talent records, their support cases
and a training course with its trainees, each made through the services at its own moment (the audit trail
is the one a real past would leave).

- 林晓 (13800000001, 光合剧场): a micro-drama director with an art-series 中级 title and an AI视听 special
  skill certificate, who completed the AI course — a composite talent (复合型人才); her application for the
  art series' 副高级 is in progress with 张洁.
- 周雨桐 (13800000051), a 25-year-old AI audiovisual editor at an AI company of 徐汇 — a young talent; her
  rental subsidy was granted (the grant's particulars are on her record); she shows her employer the profile.
- 顾承志 (13800000052), its chief engineer with an engineering 正高级 title — a leading talent; his employer
  asked for a primary-school place for his child and the centre is waiting for the papers; he shows his
  employer everything.
- The AI company's course 《AI视听创作实训营（第一期）》: 8 weekly sessions in the past, 30 trainees with
  their attendance (a few below four in five, who do not count for hu8.training_course).

Deterministic (the given `today`, a seeded random for the attendance), loaded once (the course marks it).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.db import transaction

from shouzhan.core.workdays import add_working_days, is_workday

MEMBER = "13800000001"  # 林晓
CASEWORKER = "13800000002"  # 张洁
YOUNG = ("13800000051", "周雨桐", 2001)
LEADING = ("13800000052", "顾承志", 1978)
COURSE = "AI视听创作实训营（第一期）"
TOPICS = (
    "AI视听创作导论与行业规范",
    "提示词与分镜脚本",
    "AI生成画面的一致性控制",
    "AI配音与口型同步",
    "竖屏剪辑与节奏",
    "版权与素材合规",
    "微短剧投放与数据复盘",
    "结业作品评审",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高罗郑"
GIVEN = (
    "子涵",
    "欣怡",
    "浩然",
    "梓萱",
    "宇轩",
    "思远",
    "佳琪",
    "俊杰",
    "雨萱",
    "一鸣",
    "诗涵",
    "博文",
    "晨阳",
    "可欣",
)
TRAINEES = 28  # besides 林晓 and 周雨桐
SEED = 1919


def talent_demo(*, today: dt.date, password: str, history: bool = True) -> list[str]:
    """Load the talent part of the district once; the lines say what was loaded (or why not). `password` is the
    demo logins' (the site's demo command passes its own: talent may not import the site)."""
    from shouzhan.accounts.models import User
    from shouzhan.registry.models import Enterprise
    from shouzhan.registry.talent.models import TrainingCourse

    member = User.objects.filter(mobile=MEMBER).first()
    worker = User.objects.filter(mobile=CASEWORKER).first()
    studio = Enterprise.objects.filter(organisation__memberships__user=member).order_by("id").first()
    if member is None or worker is None or studio is None:
        return ["人才服务：未找到演示账号，已跳过"]
    if TrainingCourse.objects.filter(title=COURSE).exists():
        return ["人才服务：已加载，跳过"]
    past = history and importlib.util.find_spec("time_machine") is not None
    demo = _Demo(today=today, past=past, member=member, worker=worker, studio=studio, password=password)
    with transaction.atomic():
        return demo.load()


class _Demo:
    def __init__(
        self, *, today: dt.date, past: bool, member: Any, worker: Any, studio: Any, password: str
    ) -> None:
        self.password = password
        self.today, self.past = today, past
        self.member, self.worker, self.studio = member, worker, studio

    def day(self, back: int) -> dt.date:
        """The working day `back` calendar days before today (or the next working day, before today)."""
        on = self.today - dt.timedelta(days=back)
        while not is_workday(on):
            on += dt.timedelta(days=1)
        return min(on, self.today)

    def after(self, on: dt.date, n: int) -> dt.date:
        """`n` working days after `on` (never after today)."""
        return min(add_working_days(on, n).date, self.today)

    def at(self, on: dt.date, hour: int = 10, minute: int = 0) -> AbstractContextManager[Any]:
        if not self.past:
            return nullcontext()
        from shouzhan.cases.demo import travel

        return travel(on, hour, minute)

    # ----------------------------------------------------------------------------- the people
    def employer(self) -> tuple[Any, Any]:
        """(who acts for it, the AI company the two employees work for): its contact, else 张洁."""
        from shouzhan.cases.demo import demo_contacts
        from shouzhan.registry.choices import Sector
        from shouzhan.registry.models import Enterprise

        contacts = [(u, e) for u, e in demo_contacts() if e.pk != self.studio.pk]
        for wanted in ((Sector.AI_AGENT, "徐汇"), (Sector.AI_AGENT, None)):
            for user, enterprise in contacts:
                if enterprise.sector == wanted[0] and wanted[1] in (None, enterprise.district):
                    return user, enterprise
        if contacts:
            return contacts[0]
        found = Enterprise.objects.exclude(pk=self.studio.pk).order_by("id").first()
        return self.worker, found or self.studio

    def employee(self, actor: Any, company: Any, login: tuple[str, str, int], title: str) -> tuple[Any, Any]:
        """(their account, their Person): the company enters its employee, whose account is linked to it."""
        from shouzhan.accounts.models import User
        from shouzhan.core.roles import Role
        from shouzhan.registry.models import Person
        from shouzhan.registry.services.people import person_create

        mobile, name, born = login
        user = User.objects.filter(mobile=mobile).first() or User.objects.create_user(
            name=name, password=self.password, mobile=mobile, role=Role.ENTREPRENEUR
        )
        with self.at(self.day(400), 9, 30):
            data = {"name": name, "title": title, "mobile": mobile, "birth_year": born}
            person = person_create(actor=actor, enterprise=company, data=data)
        # The registry has no service that links an account to the person an enterprise entered;
        # site/demo_data.py links the inventor's the same way.
        Person.objects.filter(pk=person.pk).update(user=user)
        person.user = user
        return user, person

    def record(self, actor: Any, person: Any, on: dt.date, **data: Any) -> Any:
        from shouzhan.registry.talent.services import talent_record_for, talent_record_update

        with self.at(on, 20, 10):
            record = talent_record_for(actor=actor, person=person)
            return talent_record_update(
                actor=actor, record=record, data=data, expected_version=record.version
            )

    def title(self, actor: Any, record: Any, on: dt.date, **data: Any) -> None:
        from shouzhan.registry.talent.services import talent_title_add

        with self.at(on, 20, 20):
            talent_title_add(actor=actor, record=record, data=data)

    def certificate(self, actor: Any, record: Any, on: dt.date, **data: Any) -> None:
        from shouzhan.registry.talent.services import talent_certificate_add

        with self.at(on, 20, 30):
            talent_certificate_add(actor=actor, record=record, data=data)

    def people(self) -> dict[str, Any]:
        from shouzhan.registry.services.people import person_for_user, person_update

        contact, company = self.employer()
        with self.at(self.day(300), 9, 0):
            linxiao = person_for_user(actor=self.member)
            # Her age is on the registry's person, as for everyone (the talent record reads it).
            linxiao = person_update(actor=self.member, person=linxiao, data={"birth_year": 1993})
        young_user, young = self.employee(contact, company, YOUNG, "AI视听剪辑师")
        leading_user, leading = self.employee(contact, company, LEADING, "首席工程师")
        return {
            "contact": contact,
            "company": company,
            "linxiao": linxiao,
            "young": (young_user, young),
            "leading": (leading_user, leading),
        }

    def records(self, p: dict[str, Any]) -> None:
        """Each fills their record themselves; the titles and certificates they hold go on it."""
        me = self.member
        lx = self.record(
            me, p["linxiao"], self.day(290), field="micro_drama", education="bachelor", years_experience=6,
            shanghai_hukou=False, children_school_age=0,
            summary="微短剧导演、编剧，用 AI 生成分镜与配音；代表作《梧桐来信》《弄堂里的光》。",
        )  # fmt: skip
        self.title(
            me, lx, self.day(290), series="art", level=2, specialty="戏剧影视导演",
            granted_on=self.day(760).isoformat(), issuer="上海市文化和旅游局", certificate_no="SH-ART-2024-0318",
        )  # fmt: skip
        issued = self.day(160)
        self.certificate(
            me, lx, issued, kind="ai_av", name="AI视听内容创作", level="专项能力",
            number=f"Y310000{issued.year}{31892:011d}", issued_on=issued.isoformat(),
            issuer="上海市职业技能鉴定中心",
        )  # fmt: skip
        user, person = p["young"]
        yt = self.record(
            user, person, self.day(120), field="ai_audiovisual", education="bachelor", years_experience=3,
            shanghai_hukou=False, children_school_age=0,
            summary="AI视听剪辑与后期合成，参与多部 AI 微短剧的成片制作。",
        )  # fmt: skip
        self.certificate(
            user, yt, self.day(120), kind="vocational", name="剪辑师", level="四级 / 中级工",
            number=f"S310000{self.day(500).year}{70215:011d}", issued_on=self.day(500).isoformat(),
            issuer="上海市职业技能鉴定中心",
        )  # fmt: skip
        user, person = p["leading"]
        gu = self.record(
            user, person, self.day(110), field="ai_engineering", education="doctor", years_experience=22,
            shanghai_hukou=True, children_school_age=1,
            summary="多模态生成模型与视听算法，主持 AI 视频生成引擎研发。",
        )  # fmt: skip
        self.title(
            user, gu, self.day(110), series="engineering", level=4, specialty="计算机应用技术",
            granted_on=self.day(2200).isoformat(), issuer="上海市人力资源和社会保障局",
            certificate_no="SH-ENG-2019-0042",
        )  # fmt: skip

    def shares(self, p: dict[str, Any]) -> None:
        from shouzhan.registry.talent.services import talent_record_for, talent_share_set

        for (user, person), level, back in ((p["young"], "profile", 100), (p["leading"], "full", 105)):
            with self.at(self.day(back), 21, 0):
                record = talent_record_for(actor=user, person=person)
                talent_share_set(actor=user, record=record, enterprise=p["company"], level=level)

    # ----------------------------------------------------------------------------- support cases
    def steps(self, case: Any, steps: list[tuple[dt.date, str, str, dict[str, Any] | None]]) -> Any:
        from shouzhan.cases.services import case_transition

        for on, action, note, answers in steps:
            with self.at(on, 15, 0):
                case.refresh_from_db()
                case = case_transition(
                    actor=self.worker, case=case, action=action, expected_version=case.version,
                    note=note, on=on, answers=answers,
                )  # fmt: skip
        return case

    def apply(self, actor: Any, person: Any, on: dt.date, case_type: str, data: dict[str, Any]) -> Any:
        from shouzhan.talent.services import support_apply

        with self.at(on, 9, 40):
            return support_apply(actor=actor, person=person, case_type=case_type, data=data)

    def cases(self, p: dict[str, Any]) -> list[Any]:
        from shouzhan.talent import workflow as w

        user, person = p["young"]
        asked = self.day(45)
        housing = self.apply(user, person, asked, w.HOUSING, {
            "kind": "rental_subsidy", "address": "徐汇区漕河泾开发区 田林路 200 弄", "monthly_rent": 4800,
            "lease_start": self.day(60).isoformat(), "need": "在徐汇 AI 企业工作，无上海户籍，租房居住。",
        })  # fmt: skip
        housing = self.steps(housing, [
            (asked, "accept", "", None),
            (self.after(asked, 1), "start", "", None),
            (self.after(asked, 6), "complete", "材料齐全，符合光启人才租房补贴条件。",
             {"granted": "租房补贴每月 2,000 元，共 12 个月"}),
        ])  # fmt: skip
        asked = self.day(20)
        title = self.apply(self.member, p["linxiao"], asked, w.TITLE_REVIEW, {
            "series": "art", "level": "3", "specialty": "戏剧影视导演",
            "achievements": "执导 AI 微短剧《梧桐来信》《弄堂里的光》，累计播放量超过 3 亿次。",
        })  # fmt: skip
        title = self.steps(title, [(asked, "accept", "", None), (self.after(asked, 2), "start", "", None)])
        user, person = p["leading"]
        asked = self.day(9)
        school = self.apply(p["contact"], person, asked, w.SCHOOLING, {
            "stage": "primary", "grade": "三年级", "area": "徐汇区田林街道",
            "need": "首席工程师由外省市引进，子女需插班就读小学三年级。",
        })  # fmt: skip
        school = self.steps(school, [
            (asked, "accept", "", None),
            (self.after(asked, 2), "request_info", "请补充子女现就读学校的在读证明和居住证明。", None),
        ])  # fmt: skip
        return [housing, title, school]

    # ----------------------------------------------------------------------------- the course
    def course(self, p: dict[str, Any]) -> Any:
        from shouzhan.registry.talent import course_services as C

        actor, company = p["contact"], p["company"]
        with self.at(self.day(80), 14, 0):
            course = C.training_course_create(actor=actor, organiser=company, data={
                "title": COURSE, "field": "ai_audiovisual",
                "description": "面向微短剧与AI视听从业者的八周实训：分镜、生成、配音、剪辑与版权合规，结业作品评审。",
            })  # fmt: skip
        sessions = []
        for n, topic in enumerate(TOPICS):
            with self.at(self.day(80), 14, 10 + n):
                held_on = self.day(70 - 7 * n)
                data = {"held_on": held_on.isoformat(), "topic": topic, "hours": 3}
                sessions.append(C.training_session_add(actor=actor, course=course, data=data))
        trainees = self.enrol(actor, course, p)
        self.attendance(actor, sessions, trainees)
        return course

    def enrol(self, actor: Any, course: Any, p: dict[str, Any]) -> list[tuple[Any, float]]:
        """(trainee, how likely they come): 林晓 and 周雨桐 first, then the rest of the class."""
        from shouzhan.registry.talent import course_services as C

        rng = random.Random(SEED)
        names = [(p["linxiao"].name.split("（")[0], MEMBER, 0.9), (YOUNG[1], YOUNG[0], 1.0)]
        for i in range(TRAINEES):
            weak = i % 5 == 3  # one in five comes now and then
            names.append(
                (rng.choice(SURNAMES) + rng.choice(GIVEN), f"1377700{i + 1:04d}", 0.55 if weak else 0.95)
            )
        trainees = []
        for k, (name, mobile, likely) in enumerate(names):
            with self.at(self.day(76), 10, k % 60):
                trainees.append(
                    (C.training_trainee_enrol(actor=actor, course=course, name=name, mobile=mobile), likely)
                )
        return trainees

    def attendance(self, actor: Any, sessions: list[Any], trainees: list[tuple[Any, float]]) -> None:
        from shouzhan.registry.talent import course_services as C

        rng = random.Random(SEED + 1)
        for n, session in enumerate(sessions):
            # 林晓 missed the fourth week (a shoot); the others by their likelihood
            marks = {
                t.pk: (n != 3) if k == 0 else rng.random() < likely for k, (t, likely) in enumerate(trainees)
            }
            with self.at(session.held_on, 17, 30):
                C.training_attendance_record(actor=actor, session=session, marks=marks)

    # ----------------------------------------------------------------------------- all of it
    def load(self) -> list[str]:
        from shouzhan.cases import workflow as wf
        from shouzhan.registry.talent.models import TalentRecord, TalentShare
        from shouzhan.registry.talent.selectors import category_label
        from shouzhan.registry.talent.training import course_counts

        p = self.people()
        self.records(p)
        self.shares(p)
        course = self.course(p)
        cases = self.cases(p)
        people = [p["linxiao"], p["young"][1], p["leading"][1]]
        categories = Counter(_category(r, self.today) for r in TalentRecord.objects.filter(person__in=people))
        states = [str(wf.case_type_get(c.case_type).state(c.state).staff_label) for c in cases]
        count = course_counts([course.pk])[course.pk]
        return [
            f"人才服务：{len(people)} 份人才档案（"
            + "、".join(f"{category_label(k)} {n}" for k, n in sorted(categories.items()))
            + f"），授权企业查看 {TalentShare.objects.filter(record__person__in=people).count()} 项，"
            f"人才服务办件 {len(cases)} 件（{'、'.join(states)}）",
            f"人才服务：{p['company'].name}的培训课程《{COURSE}》{count.taken} 次课、{count.enrolled} 名学员，"
            f"出勤达到八成 {count.counted} 人",
            f"人才服务：演示账号 {YOUNG[0]} {YOUNG[1]}（青年人才）、{LEADING[0]} {LEADING[1]}（领军人才），密码同上",
        ]


def _category(record: Any, on: dt.date) -> str:
    from shouzhan.registry.talent.facts import person_facts

    return person_facts(record=record, on=on)[1].key
