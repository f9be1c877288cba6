from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site: home pages, the staff workspace, the audit pages, the menu and the demo district.

    The top layer beside the API: it may use every module, and no module uses it.
    """

    name = "shouzhan.site"
    label = "site"
    verbose_name = _("站点")
