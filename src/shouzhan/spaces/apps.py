from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "shouzhan.spaces"
    label = "spaces"
    verbose_name = _("空间与孵化")

    def ready(self) -> None:
        try:
            from shouzhan.cases.signals import case_state_changed
        except ImportError:  # the cases module is optional for spaces
            return
        from shouzhan.spaces.receivers import on_case_state_changed

        case_state_changed.connect(on_case_state_changed, dispatch_uid="spaces.filming_booking")
