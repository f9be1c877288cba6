from django.urls import path

from shouzhan.community import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
]
