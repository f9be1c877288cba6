from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PatrolsConfig(AppConfig):
    name = "shouzhan.patrols"
    label = "patrols"
    verbose_name = pgettext_lazy("app", "巡查")  # the module, not frontline's source 巡查 (inspection)
