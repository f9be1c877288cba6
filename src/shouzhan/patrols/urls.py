"""Patrols' pages under /patrols/: each views module lists its own paths (record on the phone, the pages,
compliance, the map), so the sections stay apart."""

from django.urls import URLPattern

from shouzhan.patrols import views, views_compliance, views_map, views_record

app_name = "patrols"

urlpatterns: list[URLPattern] = [
    *views.urlpatterns,
    *views_record.urlpatterns,
    *views_compliance.urlpatterns,
    *views_map.urlpatterns,
]
