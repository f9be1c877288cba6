from django.urls import URLPattern, path

from shouzhan.talent import views_support as v

urlpatterns: list[URLPattern] = [
    path("support/", v.support, name="support"),
    path("support/<slug:slug>/apply/", v.apply, name="apply"),
]
