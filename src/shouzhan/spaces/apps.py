from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "shouzhan.spaces"
    label = "spaces"
    verbose_name = _("空间与孵化")

    def ready(self) -> None:
        from shouzhan.spaces import effects, panels

        effects.register()
        panels.register()
