"""URLs of the assets pages (reports); joined in assets/urls.py."""

from django.urls import URLPattern, path

from shouzhan.assets import views_reports as v

urlpatterns: list[URLPattern] = [
    path("reports/", v.reports, name="reports"),
    path("reports/new/", v.report_new, name="report_new"),
    path("reports/<int:pk>/", v.report_detail, name="report_detail"),
    path("reports/<int:pk>/case/", v.report_case, name="report_case_open"),
    path("reports/<int:pk>/packs/", v.report_pack_build, name="report_pack_build"),
    path(
        "reports/<int:pk>/packs/<int:number>/<str:kind>/", v.report_pack_download, name="report_pack_download"
    ),
    path("reports/<int:pk>/matches/<int:match_pk>/<str:side>/", v.report_frame, name="report_frame"),
]
