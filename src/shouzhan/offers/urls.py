from django.urls import path

from shouzhan.offers import views

app_name = "offers"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("figures/", views.figures_page, name="figures"),
    path("export.xlsx", views.export, name="export"),
    path("exclusions/", views.exclusions, name="exclusions"),
    path("exclusions/<int:pk>/revoke/", views.exclusion_revoke, name="exclusion_revoke"),
]
