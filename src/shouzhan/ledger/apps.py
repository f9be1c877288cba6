from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "shouzhan.ledger"
    label = "ledger"
    verbose_name = _("券与资金")

    def ready(self) -> None:
        from shouzhan.cases.signals import case_state_changed
        from shouzhan.ledger.receivers import on_case_state_changed

        case_state_changed.connect(on_case_state_changed, dispatch_uid="ledger.case_state_changed")
