from django.urls import path

from shouzhan.spaces import views

app_name = "spaces"

urlpatterns = [
    path("", views.index, name="index"),
]
