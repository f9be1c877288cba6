from django.urls import path

from shouzhan.core import views

app_name = "core"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("staff/", views.staff_workspace, name="staff"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("healthz", views.healthz, name="healthz"),
]
