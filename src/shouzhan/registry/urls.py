from django.urls import path

from shouzhan.registry import views

app_name = "registry"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("e/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("e/<int:pk>/projects/", views.project_list, name="projects"),
    path("e/<int:pk>/edit/", views.enterprise_detail, name="enterprise_edit"),
]
