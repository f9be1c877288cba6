"""URLs of the assets pages (works, versions, certificates and the public verification); joined in
assets/urls.py (app "assets", mounted at /assets/)."""

from django.urls import URLPattern, path

from shouzhan.assets import views_verify, views_works

urlpatterns: list[URLPattern] = [
    path("", views_works.works, name="works"),
    path("new/", views_works.work_new, name="work_new"),
    path("<int:pk>/", views_works.work_detail, name="work"),
    path("<int:pk>/edit/", views_works.work_edit, name="work_edit"),
    path("<int:pk>/versions/", views_works.version_upload, name="version_upload"),
    path("<int:pk>/publish/", views_works.work_publish, name="work_publish"),
    path("<int:pk>/provenance/", views_works.provenance_add, name="provenance_add"),
    path("v/<str:code>/file/", views_works.version_file, name="version_file"),
    path("v/<str:code>/certificate.pdf", views_works.certificate, name="certificate"),
    path("verify/", views_verify.verify, name="verify"),
    path("verify/shouzhan-tsa.pem", views_verify.verify_certificate, name="verify_tsa_certificate"),
    path("verify/<str:code>/", views_verify.verify_code, name="verify_code"),
    path("verify/<str:code>/timestamp.tsr", views_verify.verify_token, name="verify_token"),
]
