"""The accounts/ URLs: accounts' own pages, and the two of the registry's that join an account to an
enterprise (registering with one, its members). One namespace, "accounts", so the names in use stay;
accounts itself knows nothing of enterprises."""

from django.urls import path

from shouzhan.accounts.urls import urlpatterns as account_patterns
from shouzhan.registry import onboarding

app_name = "accounts"

urlpatterns = [
    *account_patterns,
    path("register/", onboarding.register_view, name="register"),
    path("enterprise/<int:pk>/members/", onboarding.members_view, name="members"),
]
