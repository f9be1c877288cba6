"""URLs of the assets pages (works); joined in assets/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
