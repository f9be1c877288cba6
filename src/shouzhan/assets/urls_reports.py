"""URLs of the assets pages (reports); joined in assets/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
