from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shouzhan.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from shouzhan.core import calendar  # noqa: F401  (connects cache-clearing signals)
        from shouzhan.core.choices import install

        install()  # get_FOO_display without re-translating every choice on each call
