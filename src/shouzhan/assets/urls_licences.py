"""URLs of the assets pages (licences, the library's application); joined in assets/urls.py."""

from django.urls import URLPattern, path

from shouzhan.assets import views_licences as views

urlpatterns: list[URLPattern] = [
    path("licences/", views.licences, name="licences"),
    path("licences/offer/<int:work_pk>/", views.licence_offer_new, name="licence_offer"),
    path("licences/<int:pk>/", views.licence_detail, name="licence"),
    path("licences/<int:pk>/request/", views.licence_request_new, name="licence_request"),
    path("licences/<int:pk>/end/", views.licence_end_view, name="licence_end"),
    path("library/apply/", views.library_apply, name="library_apply"),
]
