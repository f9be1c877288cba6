from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from shouzhan.accounts.forms import AdminLoginForm
from shouzhan.api.urls import api

# The admin logs in through the same backend, throttle and lockout message as the login page.
admin.site.login_form = AdminLoginForm

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("shouzhan.site.urls")),
    path("", include("shouzhan.core.urls")),
    path("accounts/", include("shouzhan.registry.account_urls")),
    path("", include("shouzhan.registry.urls")),
    path("policies/", include("shouzhan.policies.urls")),
    path("cases/", include("shouzhan.cases.urls")),
    path("ledger/", include("shouzhan.ledger.urls")),
    path("spaces/", include("shouzhan.spaces.urls")),
    path("community/", include("shouzhan.community.urls")),
    path("assets/", include("shouzhan.assets.urls")),
    path("talent/", include("shouzhan.talent.urls")),
    path("offers/", include("shouzhan.offers.urls")),
    path("frontline/", include("shouzhan.frontline.urls")),
    path("patrols/", include("shouzhan.patrols.urls")),
    path("insight/", include("shouzhan.insight.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "shouzhan.core.views.bad_request"
handler403 = "shouzhan.core.views.permission_denied"
handler404 = "shouzhan.core.views.page_not_found"
handler500 = "shouzhan.core.views.server_error"
