from django.urls import path

from shouzhan.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
]
