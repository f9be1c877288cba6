"""What to re-index when something is saved or deleted: only the documents it shows up in (#13).

Connected in community/apps.py to the models' save and delete signals, so a page, the API, the admin,
an import and a command all keep the index in step, inside the transaction that made the change.
A raw save (fixtures, restores) is skipped: `manage.py search_rebuild` takes those.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shouzhan.community.search import documents, index
from shouzhan.core.search_sources import SearchItem


def listings_reindex(ids: Iterable[int]) -> None:
    """Active listings in (under their direction's key), closed or deleted ones out."""
    from shouzhan.community.models import Listing

    ids = list(ids)
    if not ids:
        return
    rows = Listing.objects.filter(pk__in=ids).select_related("owner_person", "owner_enterprise")
    put = [documents.listing_doc(r) for r in rows if r.status == Listing.Status.ACTIVE]
    keep = {doc.key for doc, _t in put}
    gone = [k for pk in ids for k in (f"offer:{pk}", f"need:{pk}") if k not in keep]
    index.documents_remove(gone)
    index.documents_put(put)


def on_listing_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        listings_reindex([instance.pk])


def on_listing_deleted(*, instance: Any, **_: Any) -> None:
    index.documents_remove([f"offer:{instance.pk}", f"need:{instance.pk}"])


def on_enterprise_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    """Its profile, and its listings (they carry its name). Runs after terms.on_enterprise_saved."""
    if raw:
        return
    index.documents_put(documents.enterprise_docs([instance]))
    listings_reindex(instance.listings.values_list("pk", flat=True))


def on_enterprise_deleted(*, instance: Any, **_: Any) -> None:
    index.documents_remove([f"enterprise:{instance.pk}"])  # its listings go with their own signals


def on_person_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        listings_reindex(instance.listings.values_list("pk", flat=True))


def on_event_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        index.documents_put([documents.event_doc(instance)])


def on_event_deleted(*, instance: Any, **_: Any) -> None:
    index.documents_remove([f"event:{instance.pk}"])


def on_series_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        index.documents_put(documents.event_doc(e) for e in instance.events.select_related("series"))


def on_mentor_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        index.documents_put([documents.mentor_doc(instance)])


def on_mentor_deleted(*, instance: Any, **_: Any) -> None:
    index.documents_remove([f"mentor:{instance.pk}"])


def on_user_saved(*, instance: Any, raw: bool = False, update_fields: Any = None, **_: Any) -> None:
    """A mentor's name is their document's title (a login, which saves last_login only, changes nothing)."""
    from shouzhan.community.models import MentorProfile

    if raw or (update_fields is not None and "name" not in update_fields):
        return
    mentor = MentorProfile.objects.filter(user=instance).select_related("user").first()
    if mentor is not None:
        index.documents_put([documents.mentor_doc(mentor)])


def on_policy_changed(**_: Any) -> None:
    index.policies_stale()


def on_items_changed(put: list[SearchItem], remove: list[str]) -> None:
    """A declaring module's documents changed (core.search_sources.search_items_changed). Keys the index does
    not hold are skipped before the writer's lock is taken (an unpublished work saved again is not news)."""
    from shouzhan.community.models import SearchDocument

    if remove:
        remove = list(SearchDocument.objects.filter(key__in=remove).values_list("key", flat=True))
    index.documents_remove(remove)
    index.documents_put(documents.item_doc(item) for item in put)
