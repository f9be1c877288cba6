from django.urls import path

from shouzhan.frontline import views, views_rates, views_themes, views_visits

app_name = "frontline"

urlpatterns = [
    path("", views.board, name="board"),
    path("queue/", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/<slug:action>/", views.demand_act, name="demand_act"),
    path("visits/", views_visits.visits, name="visits"),
    path("visits/new/", views_visits.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit"),
    path("visits/<int:pk>/photos/<int:n>/", views_visits.visit_photo, name="visit_photo"),
    path("plans/new/", views_visits.plan_new, name="plan_new"),
    path("sync/visit/", views_visits.sync_visit, name="sync_visit"),
    path("sw.js", views_visits.service_worker, name="sw"),
    path("themes/", views_themes.themes, name="themes"),
    path("repeats/", views_themes.repeats, name="repeat_candidates"),
    path("rates/", views_rates.rates, name="rates"),
    path("rates/export.xlsx", views_rates.rates_export, name="rates_export"),
]
