"""Assets on the rest of the platform: a card on an enterprise's page (registry.panels) with its works, and
its published works in the community search (core.search_sources). `register()` is called from
AssetsConfig.ready()."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _l

from shouzhan.assets.models import Licence, Work, WorkKind
from shouzhan.assets.permissions import can_read_content
from shouzhan.core.search_sources import SearchItem, search_items_changed, search_source_declare
from shouzhan.registry.models import Enterprise
from shouzhan.registry.panels import EnterprisePanel, enterprise_panel_declare

SEARCH_KIND = "work"
PANEL_TOP = 6


def work_url(work_id: int) -> str:
    """The work's page (the works pages' `assets:work`); the licences page until that page exists."""
    try:
        return reverse("assets:work", args=[work_id])
    except NoReverseMatch:
        return reverse("assets:licences") + "?tab=available"


# ----------------------------------------------------------------------------- the enterprise page's card
def works_context(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any] | None:
    """Its published works for whoever sees the page; the unpublished too for its members and the staff.
    One query when it has none; else two (three for its own): the counts by kind and state, the latest works,
    the licences granted."""
    own = can_read_content(request.user, Work(enterprise=enterprise))
    counted = Work.objects.filter(enterprise=enterprise).order_by().values_list("kind", "published")
    by_kind: Counter[str] = Counter()
    published = 0
    for kind, is_published, n in counted.annotate(n=Count("id")):
        if own or is_published:
            by_kind[kind] += n
        published += n if is_published else 0
    if not by_kind and not own:
        return None  # nothing to show a visitor
    works = Work.objects.filter(enterprise=enterprise, parent__isnull=True)
    if not own:
        works = works.filter(published=True)
    if not by_kind:  # its own, with nothing registered yet: the card invites it to register
        works = works.none()
    granted = None
    if own and by_kind:
        granted = Licence.objects.filter(holder=enterprise, state=Licence.State.GRANTED).count()
    labels = dict(WorkKind.choices)
    return {
        "enterprise": enterprise,
        "own": own,
        "total": sum(by_kind.values()),
        "published": published,
        "kinds": [(labels.get(k, k), n) for k, n in by_kind.most_common()],
        "top": [(w, work_url(w.pk)) for w in works.order_by("-created_at", "-id")[:PANEL_TOP]],
        "granted": granted,
    }


# ----------------------------------------------------------------------------- the community search
def work_item(work: Work) -> SearchItem:
    kind = str(work.get_kind_display())
    holder = work.enterprise.name
    return SearchItem(
        key=f"{SEARCH_KIND}:{work.pk}",
        kind=SEARCH_KIND,
        title=work.title,
        url=work_url(work.pk),
        snippet=f"{holder} · {kind}" + (f" · {work.description}" if work.description else ""),
        text=(kind, holder, work.description, work.dci),
        facts={"holder": holder, "work_kind": work.kind, "enterprise_id": work.enterprise_id},
    )


def published_work_items() -> Iterator[SearchItem]:
    for work in Work.objects.filter(published=True).select_related("enterprise").iterator(chunk_size=2000):
        yield work_item(work)


def _works_changed(works: Iterable[Work]) -> None:
    put, remove = [], []
    for work in works:
        if work.published:
            put.append(work_item(work))
        else:
            remove.append(f"{SEARCH_KIND}:{work.pk}")
    search_items_changed(put=put, remove=remove)


def on_work_saved(*, instance: Work, raw: bool = False, **_: Any) -> None:
    if not raw:
        _works_changed([instance])


def on_work_deleted(*, instance: Work, **_: Any) -> None:
    search_items_changed(remove=[f"{SEARCH_KIND}:{instance.pk}"])


def on_enterprise_saved(*, instance: Enterprise, raw: bool = False, **_: Any) -> None:
    """Its published works carry its name."""
    if not raw:
        _works_changed(Work.objects.filter(enterprise=instance, published=True).select_related("enterprise"))


def register() -> None:
    enterprise_panel_declare(
        EnterprisePanel(
            "assets.works", order=15, template="assets/_enterprise_assets.html", context=works_context
        )
    )
    search_source_declare(SEARCH_KIND, published_work_items, label=_l("作品"), public=True)
    post_save.connect(on_work_saved, sender=Work, weak=False, dispatch_uid="assets.search.work.saved")
    post_delete.connect(on_work_deleted, sender=Work, weak=False, dispatch_uid="assets.search.work.deleted")
    post_save.connect(
        on_enterprise_saved, sender=Enterprise, weak=False, dispatch_uid="assets.search.enterprise.saved"
    )
