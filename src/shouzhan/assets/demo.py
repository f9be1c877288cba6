"""The assets part of the demo district (`shouzhan demo`): a few enterprises of the micro-drama chain and what
they registered over the past months, taken through the services at their own moments.

- 光合剧场 (the demo entrepreneur 林晓): the series 《梧桐来信》 with a DCI and four episodes (small generated
  videos, each its own; episode 1 re-cut as a second version), its script (two versions) and its heroine's
  character design; the series and its episodes published; a licence to adapt it offered.
- another micro-drama studio of the district: its own script, and a request for that licence, brokered by
  the caseworker 张洁 through the `asset_licence` case and granted.
- an AI studio of the chain: a training corpus (two versions) and a video model trained on the second, with
  its provenance; the model published and offered for licence.
- three weeks ago 林晓 found a 12-second clip cut from episode 2 on 抖音: her report matched it, she opened a
  rights-protection case on the notice-and-takedown path with its evidence pack, and 张洁 took it to
  "removed" within the path's working days.

Every version is time-stamped by the platform's TSA and fingerprinted (version_stamp, version_fingerprint
called here: the demo runs outside a request). The TSA signs with the real clock, so a token's time is the
day the demo was loaded even where the version's registration is dated months back — a TSA that could be
told another time would prove nothing.

Deterministic (the given `today`; the media are generated from fixed seeds and cached under var/demo_media),
loaded once (the series marks it). The past moves the clock with time-machine like the other modules;
without it (a production install) the same records are made today.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.db import transaction

from shouzhan.assets import demo_media
from shouzhan.assets.models import AssetVersion, Licence, Provenance, Work, WorkKind
from shouzhan.core.workdays import add_working_days, is_workday

MEMBER = "13800000001"  # 林晓, 光合剧场
CASEWORKER = "13800000002"  # 张洁: brokers the licence, takes the rights-protection case
SERIES = "梧桐来信"
SERIES_DCI = "DCI0S2025SH0731A"
EPISODE_SECONDS = (32, 28, 36, 24)
EPISODE_SEEDS = (1801, 1802, 1803, 1804)
RECUT_SEED = 1811  # episode 1's second cut
CLIP = (2, 8.0, 12.0)  # the pirated clip: episode, start (s), length (s)
SCRIPT_SCENES = [
    [
        "夜，武康路梧桐树下。邮差沈舟把一封没有署名的信塞进 12 号信箱。",
        "日，弄堂口早点摊。林夏拆开信：信里是三十年前外婆写给一个陌生人的回信。",
        "夜，衡山路老唱片店。林夏照着信上的地址找来，店主说寄信人上周刚走。",
    ],
    [
        "夜，武康路梧桐树下。邮差沈舟把一封没有署名的信塞进 12 号信箱，抬头看见二楼的灯亮了。",
        "日，弄堂口早点摊。林夏拆开信：信里是三十年前外婆写给一个陌生人的回信，落款是“阿舟”。",
        "夜，衡山路老唱片店。林夏照着信上的地址找来，店主递给她一张唱片：寄信人留下的。",
        "日，徐家汇天主堂前。沈舟说，他送了三十年信，这是第一封寄回来的。",
    ],
]


def assets_demo(*, today: dt.date, history: bool = True) -> list[str]:
    """Load the assets' part of the district once; the lines say what was loaded (or why not)."""
    from shouzhan.accounts.models import User
    from shouzhan.registry.models import Enterprise

    member = User.objects.filter(mobile=MEMBER).first()
    worker = User.objects.filter(mobile=CASEWORKER).first()
    studio = Enterprise.objects.filter(organisation__memberships__user=member).order_by("id").first()
    if member is None or worker is None or studio is None:
        return ["数字资产：未找到演示账号，已跳过"]
    if Work.objects.filter(enterprise=studio, title=SERIES, kind=WorkKind.SERIES).exists():
        return ["数字资产：已加载，跳过"]
    past = history and importlib.util.find_spec("time_machine") is not None
    demo = _Demo(today=today, past=past, member=member, worker=worker, studio=studio)
    with transaction.atomic():
        lines = demo.load()
    return lines


class _Demo:
    def __init__(self, *, today: dt.date, past: bool, member: Any, worker: Any, studio: Any) -> None:
        self.today, self.past = today, past
        self.member, self.worker, self.studio = member, worker, studio

    # ----------------------------------------------------------------------------- time and people
    def day(self, back: int) -> dt.date:
        """The working day `back` calendar days before today (or the next working day, before today)."""
        on = self.today - dt.timedelta(days=back)
        while not is_workday(on):
            on += dt.timedelta(days=1)
        return min(on, self.today)

    def at(self, on: dt.date, hour: int = 10, minute: int = 0) -> AbstractContextManager[Any]:
        if not self.past:
            return nullcontext()
        from shouzhan.cases.demo import travel

        return travel(on, hour, minute)

    def partner(self, sector: str, exclude: set[int]) -> tuple[Any, Any]:
        """(the one who acts for it, an enterprise of `sector`): its contact when it has one, else 张洁."""
        from shouzhan.cases.demo import demo_contacts
        from shouzhan.registry.models import Enterprise

        for user, enterprise in demo_contacts():
            if enterprise.sector == sector and enterprise.pk not in exclude:
                return user, enterprise
        found = Enterprise.objects.filter(sector=sector).exclude(pk__in=exclude).order_by("id").first()
        if found is None:
            raise LookupError(sector)
        return self.worker, found

    # ----------------------------------------------------------------------------- registering
    def work(self, actor: Any, enterprise: Any, on: dt.date, **data: Any) -> Work:
        from shouzhan.assets.services.works import work_create

        with self.at(on, 10, 5):
            return work_create(actor=actor, enterprise=enterprise, data=data)

    def version(
        self, actor: Any, work: Work, on: dt.date, filename: str, content: bytes, note: str = ""
    ) -> AssetVersion:
        from shouzhan.assets.services.versions import version_fingerprint, version_register, version_stamp

        with self.at(on, 10, 20):
            version = version_register(
                actor=actor, work=work, filename=filename, content=content, note=note, finish=False
            )
            version_stamp(version=version)
            version_fingerprint(version=version)
        return version

    def publish(self, actor: Any, work: Work, on: dt.date) -> None:
        from shouzhan.assets.services.works import work_publish

        with self.at(on, 16, 0):
            work_publish(actor=actor, work=work, published=True)

    # ----------------------------------------------------------------------------- the district's works
    def load(self) -> list[str]:
        from shouzhan.registry.choices import Sector

        lead, peer = self.partner(Sector.MICRO_DRAMA, {self.studio.pk})
        ai_actor, ai = self.partner(Sector.AI_AGENT, {self.studio.pk, peer.pk})
        episodes = self.studio_works()
        peer_script = self.work(
            lead, peer, self.day(70), kind=WorkKind.SCRIPT, title="外滩十二时辰（剧本）",
            description="都市悬疑竖屏短剧剧本，共 40 集，第一版为前三集。",
        )  # fmt: skip
        self.version(
            lead, peer_script, self.day(70), "外滩十二时辰-剧本-v1.pdf",
            demo_media.script_pdf(title="外滩十二时辰", scenes=[
                "夜，外滩万国建筑群。钟声响过十二下，快递员陆明发现自己回到了当天早上。",
                "日，南京东路。陆明第二次送出那个包裹，这一次他打开了它。",
            ]),
        )  # fmt: skip
        model = self.ai_works(ai_actor, ai)
        lines = [
            f"数字资产：{Work.objects.count()} 件作品，{AssetVersion.objects.count()} 个版本（均已加盖时间戳、"
            f"提取指纹），来源关系 {Provenance.objects.count()} 条"
        ]
        lines.append(self.licences(lead, peer, ai_actor, model))
        lines.append(self.report(episodes))
        return lines

    def studio_works(self) -> list[Work]:
        """光合剧场's series, its episodes, its script and its character (the oldest first)."""
        me, studio = self.member, self.studio
        script = self.work(
            me, studio, self.day(150), kind=WorkKind.SCRIPT, title=f"{SERIES}（剧本）",
            description="上海城市题材竖屏微短剧剧本：一封三十年前的信，一个送了三十年信的邮差。",
        )  # fmt: skip
        for n, scenes in enumerate(SCRIPT_SCENES, start=1):
            self.version(
                me, script, self.day(150 - 28 * (n - 1)), f"{SERIES}-剧本-v{n}.pdf",
                demo_media.script_pdf(title=SERIES, scenes=scenes),
                note="初稿：前三场" if n == 1 else "修订稿：加入第四场，人物关系定稿",
            )  # fmt: skip
        heroine = self.work(
            me, studio, self.day(138), kind=WorkKind.CHARACTER, title="林夏（角色形象）",
            description="《梧桐来信》女主角的角色设定图：AI 生成后由美术修订。",
        )  # fmt: skip
        self.version(me, heroine, self.day(138), "林夏-角色设定.png", demo_media.character_png(seed=18))
        series = self.work(
            me, studio, self.day(112), kind=WorkKind.SERIES, title=SERIES, dci=SERIES_DCI,
            description="AI 生成分镜与配音的上海城市题材竖屏微短剧，共 4 集（首批上线）。",
        )  # fmt: skip
        episodes = []
        for n, (seconds, seed) in enumerate(zip(EPISODE_SECONDS, EPISODE_SEEDS, strict=True), start=1):
            on = self.day(104 - 6 * n)
            episode = self.work(
                me, studio, on, kind=WorkKind.EPISODE, title=f"{SERIES} 第{n}集", parent=series, episode_no=n
            )
            path = demo_media.video(seed=seed, seconds=seconds)
            self.version(me, episode, on, f"梧桐来信-E{n:02d}.mp4", path.read_bytes(), note="成片")
            episodes.append(episode)
        recut = demo_media.video(seed=RECUT_SEED, seconds=EPISODE_SECONDS[0])
        self.version(
            me, episodes[0], self.day(74), "梧桐来信-E01-重剪.mp4", recut.read_bytes(), note="重剪版：节奏加快"
        )  # fmt: skip
        # the series first published once its first batch was out; its script and character stay unlisted
        published = self.day(70)
        self.version(me, series, self.day(112), f"{SERIES}-海报.png", demo_media.character_png(seed=19))
        for work in [series, *episodes]:
            self.publish(me, work, published)
        return episodes

    def ai_works(self, actor: Any, ai: Any) -> Work:
        """The AI studio's corpus (two versions) and the model trained on the second; the model published."""
        corpus = self.work(
            actor, ai, self.day(160), kind=WorkKind.CORPUS, title="沪语对白语料集",
            description="上海话与普通话对白的配对语料，供配音与口型模型训练；已完成版权清洗。",
        )  # fmt: skip
        shards = []
        for n, (back, rows) in enumerate(((160, 12_000), (126, 30_000)), start=1):
            content = demo_media.archive_zip(
                seed=4100 + n,
                files={"README.md": f"# 沪语对白语料集 v{n}\n\n{rows} 条对白，授权来源见 licences.csv。\n",
                       "licences.csv": "source,licence\n自有录制,自有\n合作剧团,书面授权\n"},
                payload_name=f"dialogues-v{n}.jsonl", payload_kb=48 * n,
            )  # fmt: skip
            shards.append(self.version(actor, corpus, self.day(back), f"沪语对白语料-v{n}.zip", content))
        model = self.work(
            actor, ai, self.day(96), kind=WorkKind.AI_MODEL, title="沪语配音模型 HuVoice",
            description="为短剧配音的沪语语音合成模型（LoRA 权重）。",
        )  # fmt: skip
        content = demo_media.archive_zip(
            seed=4200,
            files={"MODEL_CARD.md": "# HuVoice 1.0\n\n训练数据：沪语对白语料集 v2。\n"},
            payload_name="huvoice-lora.safetensors", payload_kb=160,
        )  # fmt: skip
        weights = self.version(actor, model, self.day(96), "HuVoice-1.0.zip", content, note="首个发布版本")
        from shouzhan.assets.services.versions import provenance_record

        with self.at(self.day(96), 10, 40):
            provenance_record(
                actor=actor, target=weights, source=shards[1], relation=Provenance.Relation.TRAINED_ON,
                note="全量训练 3 轮",
            )  # fmt: skip
        self.publish(actor, model, self.day(90))
        return model

    # ----------------------------------------------------------------------------- licences
    def licences(self, lead: Any, peer: Any, ai_actor: Any, model: Work) -> str:
        from shouzhan.assets.services.licences import licence_offer, licence_request

        series = Work.objects.get(enterprise=self.studio, title=SERIES, kind=WorkKind.SERIES)
        offered_on = self.day(66)
        with self.at(offered_on, 11, 0):
            offer = licence_offer(
                actor=self.member, work=series, versions=list(series.versions.all()),
                scope=Licence.Scope.ADAPTATION, exclusive=False, territory="中国大陆",
                starts_on=offered_on, ends_on=offered_on.replace(year=offered_on.year + 3),
                fee_fen=5_000_000, terms="改编作品须注明原作《梧桐来信》及权利人。",
            )  # fmt: skip
        start = self.day(80)
        with self.at(start, 11, 30):
            licence_offer(
                actor=ai_actor, work=model, versions=list(model.versions.all()),
                scope=Licence.Scope.TRAINING, exclusive=False, territory="全球",
                starts_on=start, ends_on=start.replace(year=start.year + 1), fee_fen=2_000_000,
                terms="仅限用于短剧配音，不得再分发模型权重。",
            )  # fmt: skip
        asked = self.day(52)
        with self.at(asked, 14, 0):
            licence = licence_request(
                actor=lead, offer=offer, enterprise=peer, fee_fen=4_000_000,
                need="将《梧桐来信》改编为 20 集番外篇，在本公司账号发布。",
            )  # fmt: skip
        case = licence.case
        assert case is not None  # licence_request opens it
        steps = [
            (asked, "accept", ""),
            (add_working_days(asked, 1).date, "start", ""),
            (add_working_days(asked, 6).date, "complete", "双方确认许可费 4 万元，授权期三年。"),
        ]
        self.caseworker_steps(case, steps, hour=15, minute=0)
        licence.refresh_from_db()
        return (
            f"数字资产：授权 {Licence.objects.count()} 项（{licence.get_state_display()}："
            f"{peer.name} 改编《{SERIES}》，经中心居间）"
        )

    def caseworker_steps(
        self, case: Any, steps: list[tuple[dt.date, str, str]], *, hour: int, minute: int
    ) -> None:
        """张洁 takes the case's transitions, each on its day (the clock moved there)."""
        from shouzhan.cases.services import case_transition

        for on, action, note in steps:
            with self.at(on, hour, minute):
                case.refresh_from_db()
                case_transition(
                    actor=self.worker,
                    case=case,
                    action=action,
                    expected_version=case.version,
                    note=note,
                    on=on,
                )

    # ----------------------------------------------------------------------------- rights protection
    def report(self, episodes: list[Work]) -> str:
        from shouzhan.assets.services.reports import outcome_label, report_case_open, report_create

        n, start_s, seconds = CLIP
        source = demo_media.video(seed=EPISODE_SEEDS[n - 1], seconds=EPISODE_SECONDS[n - 1])
        copy = demo_media.clip(source=source, start_s=start_s, seconds=seconds)
        seen = self.day(23)
        with self.at(seen, 9, 40):
            report = report_create(
                actor=self.member, enterprise=self.studio, filename="douyin_7391.mp4",
                content=copy.read_bytes(), link="https://www.douyin.com/video/7391052866130001234",
                platform="douyin", account="剧好看每日更新", first_seen_on=self.day(24),
                note="截取了第 2 集中段约 12 秒，加了黑边，标题写“梧桐来信全集免费看”。",
            )  # fmt: skip
            own = [m.pk for m in report.matches.filter(version__work__enterprise=self.studio)]
            report = report_case_open(
                actor=self.member, report=report, path="takedown", match_ids=own,
                need="删除侵权视频，平台对该账号作出处理。",
            )  # fmt: skip
        case = report.case
        assert case is not None  # report_case_open opens it
        steps = [
            (seen, "accept", ""),
            (add_working_days(seen, 1).date, "act", "已向抖音平台发出侵权通知，附证据包与时间戳验证方式。"),
            (add_working_days(seen, 3).date, "remove", "平台回复：侵权视频已删除，账号已警告。"),
        ]
        self.caseworker_steps(case, steps, hour=16, minute=30)
        report.refresh_from_db()
        hit = report.matches.filter(selected=True).select_related("version__work").first()
        where = hit.version.work.title if hit else "无"
        return (
            f"数字资产：侵权线索 1 条（比对命中 {where}），版权维权办件已结（{outcome_label(report.outcome)}），"
            f"证据包 {report.packs.count()} 份"
        )
