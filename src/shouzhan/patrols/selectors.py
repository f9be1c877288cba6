"""patrols' reads for its pages: a chief's own patrols and compliance, the patrol list with its filters, one
patrol, the river files (一河一档) and plans (一河一策), and the frequency rules with their versions.

Each is scoped through patrols.permissions and reads a constant number of queries whatever the number of
rows (select_related / prefetch_related; the warnings of many targets in one query through `Warnings`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.patrols.compliance import ComplianceRow, compliance_rows
from shouzhan.patrols.models import (
    Chief,
    FrequencyRule,
    FrequencyVersion,
    Hazard,
    Level,
    Patrol,
    PatrolCheckin,
    PatrolPhoto,
    PlanMeasure,
    River,
    RiverPlan,
    Target,
    Warning,
    WarningSpell,
)
from shouzhan.patrols.permissions import require_read_patrols, scope_patrols
from shouzhan.patrols.rules import Warnings, kilometres, minutes, month_day, rule_words

PAGE_LIMIT = 50
RECENT = 10
LIST_RELATED = ("target", "patroller")


def current_chiefs() -> QuerySet[Chief]:
    return Chief.objects.filter(to_on__isnull=True).select_related("user").order_by("level", "pk")


@dataclass(frozen=True)
class PatrolRow:
    """A patrol in a list, with its duration and distance as the verdict words them."""

    p: Patrol

    @property
    def minutes(self) -> int:
        return minutes(self.p.duration_s)

    @property
    def km(self) -> str:
        return kilometres(self.p.distance_m)


def as_rows(patrols: list[Patrol]) -> list[PatrolRow]:
    return [PatrolRow(p) for p in patrols]


# ----------------------------------------------------------------------------- a chief's own
@dataclass
class Mine:
    rows: list[ComplianceRow]
    recent: list[PatrolRow]


def my_patrols(actor: Actor, today: dt.date) -> Mine:
    """The actor's posts with this month's compliance, and their latest patrols."""
    user = actor_user(actor)
    if user is None:
        return Mine([], [])
    posts = list(
        Chief.objects.filter(user=user, to_on__isnull=True)
        .select_related("target", "user")
        .order_by("target__street", "target__name", "level")
    )
    rows = compliance_rows(month=today, today=today, chiefs=posts) if posts else []
    recent = list(
        Patrol.objects.filter(patroller=user)
        .select_related(*LIST_RELATED)
        .order_by("-started_at", "-pk")[:RECENT]
    )
    return Mine(rows, as_rows(recent))


# ----------------------------------------------------------------------------- the list
@dataclass
class PatrolPage:
    rows: list[PatrolRow]
    counts: list[tuple[str, str, int]]  # (review state, words, count) under the other filters
    shown: int
    page: int = 1
    pages: int = 1


def patrols_visible(actor: Actor) -> QuerySet[Patrol]:
    require_read_patrols(actor)
    return scope_patrols(actor, Patrol.objects.all())


def patrol_list(
    actor: Actor,
    *,
    target_id: int | None = None,
    street: str = "",
    review: str = "",
    page: int = 1,
    limit: int = PAGE_LIMIT,
) -> PatrolPage:
    """The patrols the actor may see, those waiting for review first, then the newest."""
    base = patrols_visible(actor)
    if target_id:
        base = base.filter(target_id=target_id)
    if street:
        base = base.filter(target__street=street)
    by_review = dict(base.order_by().values_list("review").annotate(n=Count("pk")))
    rows = base.filter(review=review) if review else base
    shown = by_review.get(review, 0) if review else sum(by_review.values())
    pages = max(1, -(-shown // limit))
    page = min(max(1, page), pages)  # a page past the end shows the last one
    flagged_first = Case(
        When(review=Patrol.Review.FLAGGED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    ordered = rows.select_related(*LIST_RELATED).order_by(flagged_first, "-started_at", "-pk")
    return PatrolPage(
        rows=as_rows(list(ordered[(page - 1) * limit : page * limit])),
        counts=[(key, str(label), by_review.get(key, 0)) for key, label in Patrol.Review.choices],
        shown=shown,
        page=page,
        pages=pages,
    )


def filter_choices() -> tuple[list[tuple[int, str]], list[str]]:
    """The targets and streets the list's filters offer."""
    targets = list(Target.objects.order_by("street", "name").values_list("pk", "name"))
    streets = sorted(set(Target.objects.values_list("street", flat=True)))
    return targets, streets


def patrol_detail(queryset: QuerySet[Patrol]) -> QuerySet[Patrol]:
    """One patrol with everything its page shows, in a fixed number of queries."""
    return queryset.select_related(
        "target__river", "patroller", "rule", "reviewed_by", "rule_version"
    ).prefetch_related(
        Prefetch("checkins", queryset=PatrolCheckin.objects.select_related("checkpoint")),
        "target__checkpoints",
        Prefetch("photos", queryset=PatrolPhoto.objects.order_by("pk")),
        Prefetch(
            "hazards",
            queryset=Hazard.objects.select_related("demand__case", "demand__department").prefetch_related(
                Prefetch("photos", queryset=PatrolPhoto.objects.order_by("pk"))
            ),
        ),
    )


# ----------------------------------------------------------------------------- 一河一档
@dataclass
class TargetRow:
    target: Target
    chiefs: list[Chief]
    warning: str

    @property
    def warning_words(self) -> str:
        return str(Warning(self.warning).label)

    @property
    def concerns(self) -> list[str]:
        return [line.strip() for line in self.target.concerns.splitlines() if line.strip()]


@dataclass
class RiverRows:
    river: River | None
    targets: list[TargetRow] = field(default_factory=list)


def _target_rows(targets: list[Target], today: dt.date) -> list[TargetRow]:
    warnings = Warnings.load({t.pk for t in targets})
    return [TargetRow(t, list(t.chiefs.all()), warnings.on(t.pk, today)) for t in targets]


def target_files(today: dt.date) -> list[RiverRows]:
    """Every river with its sections, then the other targets (their own group, river None)."""
    targets = list(
        Target.objects.select_related("river")
        .prefetch_related(Prefetch("chiefs", queryset=current_chiefs()))
        .order_by("river__name", "street", "name")
    )
    groups: dict[int | None, RiverRows] = {}
    for row in _target_rows(targets, today):
        river = row.target.river
        key = river.pk if river else None
        groups.setdefault(key, RiverRows(river)).targets.append(row)
    rivers = sorted(
        (g for k, g in groups.items() if k is not None), key=lambda g: g.river.name if g.river else ""
    )
    for river in River.objects.exclude(pk__in=[k for k in groups if k is not None]):
        rivers.append(RiverRows(river))  # a river with no sections yet still has its file
    rivers.sort(key=lambda g: g.river.name if g.river else "")
    return rivers + ([groups[None]] if None in groups else [])


@dataclass
class TargetFile:
    row: TargetRow
    spells: list[WarningSpell]
    recent: list[PatrolRow]


def target_file(actor: Actor, target: Target, today: dt.date) -> TargetFile:
    require_read_patrols(actor)
    target = (
        Target.objects.select_related("river", "office")
        .prefetch_related("checkpoints", Prefetch("chiefs", queryset=current_chiefs()))
        .get(pk=target.pk)
    )
    (row,) = _target_rows([target], today)
    spells = list(WarningSpell.objects.filter(target=target).order_by("-from_on", "-pk"))
    recent = (
        scope_patrols(actor, Patrol.objects.filter(target=target))
        .select_related(*LIST_RELATED)
        .order_by("-started_at", "-pk")
    )
    return TargetFile(row, spells, as_rows(list(recent[:RECENT])))


def river_file(actor: Actor, river: River, today: dt.date) -> tuple[list[TargetRow], list[RiverPlan]]:
    """A river's sections (with chiefs and warnings) and its plans with their measures."""
    require_read_patrols(actor)
    sections = list(
        Target.objects.filter(river=river)
        .prefetch_related(Prefetch("chiefs", queryset=current_chiefs()))
        .order_by("street", "name")
    )
    plans = list(
        RiverPlan.objects.filter(river=river).prefetch_related(
            Prefetch("measures", queryset=PlanMeasure.objects.order_by("due_on", "pk"))
        )
    )
    return _target_rows(sections, today), plans


# ----------------------------------------------------------------------------- the frequency rules
@dataclass
class RuleTable:
    version: FrequencyVersion
    rows: list[tuple[str, str, str, str]]  # level, warning, the rule out of and in the flood season in words

    @property
    def flood_words(self) -> str:
        (m1, d1), (m2, d2) = month_day(self.version.flood_from), month_day(self.version.flood_to)
        return _("每年 %(m1)s 月 %(d1)s 日至 %(m2)s 月 %(d2)s 日") % {"m1": m1, "d1": d1, "m2": m2, "d2": d2}


def _table(version: FrequencyVersion) -> RuleTable:
    rules = {(r.level, r.warning, r.season): r for r in version.rules.all()}

    def words(level: str, warning: str, season: str) -> str:
        rule = rules.get((level, warning, season))
        return rule_words(rule) if rule is not None else ""

    rows = [
        (
            str(level.label),
            str(warning.label),
            words(level.value, warning.value, FrequencyRule.Season.NORMAL),
            words(level.value, warning.value, FrequencyRule.Season.FLOOD),
        )
        for level in Level
        for warning in Warning
    ]
    return RuleTable(version, rows)


@dataclass
class RuleBookView:
    current: RuleTable | None
    upcoming: list[RuleTable]
    earlier: list[RuleTable]


def rule_book_view(actor: Actor, today: dt.date | None = None) -> RuleBookView:
    """The version in force today, those published for later, and the earlier ones, each as a table."""
    require_read_patrols(actor)
    today = today or timezone.localdate()
    versions = list(
        FrequencyVersion.objects.select_related("published_by")
        .prefetch_related("rules")
        .order_by("-valid_from", "-number")
    )
    upcoming = [_table(v) for v in versions if v.valid_from > today]
    past = [v for v in versions if v.valid_from <= today]
    current = _table(past[0]) if past else None
    return RuleBookView(current, upcoming, [_table(v) for v in past[1:]])


def review_filter(value: str) -> str:
    return value if value in Patrol.Review.values else ""
