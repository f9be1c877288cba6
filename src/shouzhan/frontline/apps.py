from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontlineConfig(AppConfig):
    name = "shouzhan.frontline"
    label = "frontline"
    verbose_name = _("一线工作")

    def ready(self) -> None:
        from shouzhan.cases import workflow as wf
        from shouzhan.cases.permissions import relation_provider_register
        from shouzhan.frontline import effects, tickets
        from shouzhan.frontline.permissions import department_relation

        wf.register_case_type(tickets.FRONTLINE_TICKET)
        relation_provider_register(department_relation)
        effects.register()
