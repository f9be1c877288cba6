from django.urls import path

from shouzhan.frontline import views

app_name = "frontline"

urlpatterns = [
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
]
