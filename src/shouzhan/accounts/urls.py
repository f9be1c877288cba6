from django.urls import path

from shouzhan.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("enterprise/<int:pk>/members/", views.members_view, name="members"),
]
