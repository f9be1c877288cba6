from django.urls import path

from shouzhan.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.library, name="library"),
    path("calculator/", views.calculator, name="calculator"),
    path("upload/", views.upload, name="upload"),
    path("d/<slug:code>/", views.document, name="document"),
    path("c/<str:clause_id>/", views.clause, name="clause"),
    path("v/<int:pk>/", views.version, name="version"),
    path("v/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("v/<int:pk>/withdraw/", views.version_withdraw, name="version_withdraw"),
    path("v/<int:pk>/text/", views.version_text, name="version_text"),
]
