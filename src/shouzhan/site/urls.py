from django.urls import path

from shouzhan.site import views

app_name = "site"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("staff/", views.staff_workspace, name="staff"),
    path("figures/", views.figures, name="figures"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.notifications_badge, name="notifications_badge"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
]
