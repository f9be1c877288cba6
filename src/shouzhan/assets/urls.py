from django.urls import URLPattern

from shouzhan.assets import urls_licences, urls_reports, urls_works

app_name = "assets"

urlpatterns: list[URLPattern] = [
    *urls_works.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_licences.urlpatterns,
]
