from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "shouzhan.assets"
    label = "assets"
    verbose_name = _("数字资产")

    def ready(self) -> None:
        from shouzhan.assets import effects, links, panels, workflow
        from shouzhan.cases import workflow as wf

        for case_type in workflow.CASE_TYPES:
            wf.register_case_type(case_type)
        effects.register()
        links.register()
        panels.register()
