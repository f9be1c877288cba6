from django.urls import path

from shouzhan.site import views

app_name = "site"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("staff/", views.staff_workspace, name="staff"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
]
