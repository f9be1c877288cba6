from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "shouzhan.community"
    label = "community"
    verbose_name = _("社区与对接")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from shouzhan.community import effects
        from shouzhan.community.models import Event, EventSeries, Listing, MentorProfile
        from shouzhan.community.search import sync, terms
        from shouzhan.policies.models import PolicyVersion
        from shouzhan.registry.models import Enterprise, Person, Project

        effects.register()
        # Other modules' documents (assets' works …) reach the index through core.search_sources.
        from shouzhan.core.search_sources import search_writer_set

        search_writer_set(sync.on_items_changed)
        # The registry's searchable texts are segmented once, when they are saved (search/terms.py) —
        # connected before the index's receivers, which read those terms.
        post_save.connect(
            terms.on_enterprise_saved, sender=Enterprise, dispatch_uid="community.terms.enterprise"
        )
        post_save.connect(terms.on_project_saved, sender=Project, dispatch_uid="community.terms.project")
        for model in (Enterprise, Project):
            post_delete.connect(
                terms.on_source_deleted, sender=model, dispatch_uid=f"community.terms.{model.__name__}.del"
            )
        # The search index follows each change to what it shows, one document at a time (search/sync.py).
        receivers: list[tuple[Any, Any, Callable[..., None]]] = [
            (post_save, Listing, sync.on_listing_saved),
            (post_delete, Listing, sync.on_listing_deleted),
            (post_save, Enterprise, sync.on_enterprise_saved),
            (post_delete, Enterprise, sync.on_enterprise_deleted),
            (post_save, Person, sync.on_person_saved),
            (post_save, Event, sync.on_event_saved),
            (post_delete, Event, sync.on_event_deleted),
            (post_save, EventSeries, sync.on_series_saved),
            (post_save, MentorProfile, sync.on_mentor_saved),
            (post_delete, MentorProfile, sync.on_mentor_deleted),
            (post_save, settings.AUTH_USER_MODEL, sync.on_user_saved),
            # Policies come into force by date: a changed version makes them be taken again.
            (post_save, PolicyVersion, sync.on_policy_changed),
            (post_delete, PolicyVersion, sync.on_policy_changed),
        ]
        for signal, sender, receiver in receivers:
            name = sender if isinstance(sender, str) else sender.__name__
            signal.connect(
                receiver,
                sender=sender,
                weak=False,
                dispatch_uid=f"community.search.{name}.{receiver.__name__}",
            )
