from django.urls import path

from shouzhan.spaces import views

app_name = "spaces"

urlpatterns = [
    path("", views.index, name="index"),
    path("r/<int:pk>/", views.resource_calendar, name="resource"),
    path("r/<int:pk>/book/", views.resource_book, name="book"),
    path("r/<int:pk>/waitlist/", views.resource_waitlist, name="waitlist"),
    path("site/<int:pk>/", views.site_calendar, name="site"),
    path("mine/", views.mine, name="mine"),
    path("b/<int:pk>/cancel/", views.booking_cancel, name="cancel"),
    path("b/<int:pk>.ics", views.booking_ics, name="ics"),
    path("w/<int:pk>/accept/", views.waitlist_action, {"action": "accept"}, name="waitlist_accept"),
    path("w/<int:pk>/withdraw/", views.waitlist_action, {"action": "withdraw"}, name="waitlist_withdraw"),
    path("statement/<int:enterprise_pk>/<int:year>/<int:month>/", views.statement, name="statement"),
    path(
        "statement/<int:enterprise_pk>/<int:year>/<int:month>.xlsx",
        views.statement,
        {"fmt": "xlsx"},
        name="statement_xlsx",
    ),
    path(
        "statement/<int:enterprise_pk>/<int:year>/<int:month>.pdf",
        views.statement,
        {"fmt": "pdf"},
        name="statement_pdf",
    ),
    path("floors/", views.floors, name="floors"),
    path("insight/", views.insight, name="insight"),
]
