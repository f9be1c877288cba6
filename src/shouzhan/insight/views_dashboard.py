"""Insight's pages (filled in by #17's work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
