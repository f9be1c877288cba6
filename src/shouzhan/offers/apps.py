from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "shouzhan.offers"
    label = "offers"
    verbose_name = _("政策直达")

    def ready(self) -> None:
        from shouzhan.offers import effects, panels, receivers

        effects.register()
        receivers.connect()
        panels.register()  # the offers card on an enterprise's page (registry.panels)
