from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "shouzhan.talent"
    label = "talent"
    verbose_name = _("人才服务")

    def ready(self) -> None:
        from shouzhan.cases import workflow as wf
        from shouzhan.cases.permissions import relation_provider_register, visibility_provider_register
        from shouzhan.talent import effects, links, workflow
        from shouzhan.talent.relations import person_cases, person_relation

        for case_type in workflow.CASE_TYPES:
            wf.register_case_type(case_type)
        effects.register()
        links.register()
        relation_provider_register(person_relation)
        visibility_provider_register(person_cases)
