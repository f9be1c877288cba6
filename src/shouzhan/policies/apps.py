from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "shouzhan.policies"
    label = "policies"
    verbose_name = _("政策库")

    def ready(self) -> None:
        from shouzhan.policies import panels

        panels.register()
