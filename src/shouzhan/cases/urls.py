from django.urls import path

from shouzhan.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("response-times/", views.response_times, name="response_times"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("enterprise-options/", views.enterprise_options, name="enterprise_options"),
    path("new/<str:case_type>/", views.new, name="new"),
    path("apply/<str:clause_id>/", views.apply, name="apply"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/notice/<slug:kind>.pdf", views.notice, name="notice"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
