from django.urls import path

from shouzhan.core import views

app_name = "core"

urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("healthz", views.healthz, name="healthz"),
]
