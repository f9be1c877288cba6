from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "shouzhan.community"
    label = "community"
    verbose_name = _("社区与对接")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from shouzhan.community import effects
        from shouzhan.policies.models import PolicyVersion
        from shouzhan.registry.models import Enterprise, Project

        effects.register()
        # Search covers policies and the registry too: a published policy version or a changed
        # enterprise or project makes the index stale at once, not only after its refresh interval.
        for model in (PolicyVersion, Enterprise, Project):
            post_save.connect(
                _search_stale, sender=model, dispatch_uid=f"community.search.{model.__name__}.save"
            )
            post_delete.connect(
                _search_stale, sender=model, dispatch_uid=f"community.search.{model.__name__}.del"
            )
        # The registry's searchable texts are segmented once, when they are saved (search/terms.py).
        from shouzhan.community.search import terms

        post_save.connect(
            terms.on_enterprise_saved, sender=Enterprise, dispatch_uid="community.terms.enterprise"
        )
        post_save.connect(terms.on_project_saved, sender=Project, dispatch_uid="community.terms.project")
        for model in (Enterprise, Project):
            post_delete.connect(
                terms.on_source_deleted, sender=model, dispatch_uid=f"community.terms.{model.__name__}.del"
            )


def _search_stale(**_: Any) -> None:
    from shouzhan.community.search import live

    live.invalidate()
