"""URLs of the assets pages (licences); joined in assets/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
