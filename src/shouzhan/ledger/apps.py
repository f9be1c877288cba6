from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "shouzhan.ledger"
    label = "ledger"
    verbose_name = _("券与资金")

    def ready(self) -> None:
        from shouzhan.ledger import effects

        effects.register()
