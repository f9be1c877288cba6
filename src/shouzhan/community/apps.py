from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "shouzhan.community"
    label = "community"
    verbose_name = _("社区与对接")

    def ready(self) -> None:
        try:
            from shouzhan.cases.signals import case_state_changed
        except ImportError:  # pragma: no cover — deployed without the cases module
            return
        from shouzhan.community.receivers import on_case_state_changed

        case_state_changed.connect(on_case_state_changed, dispatch_uid="community.introduction_outcome")
