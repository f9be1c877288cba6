from django.urls import URLPattern

from shouzhan.talent import urls_courses, urls_records, urls_support

app_name = "talent"

urlpatterns: list[URLPattern] = [
    *urls_records.urlpatterns,
    *urls_support.urlpatterns,
    *urls_courses.urlpatterns,
]
