from django.urls import path

from shouzhan.registry import views

app_name = "registry"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/export.xlsx", views.enterprise_export, name="enterprise_export"),
    path("enterprises/import/", views.enterprise_import, name="enterprise_import"),
    path("enterprises/import/<int:pk>/", views.import_job, name="import_job"),
    path("enterprises/import/<int:pk>/errors.xlsx", views.import_job_errors, name="import_job_errors"),
    path("e/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("e/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("e/<int:pk>/stage/", views.enterprise_stage, name="enterprise_stage"),
    path("e/<int:pk>/history/", views.enterprise_history_view, name="history"),
    path("e/<int:pk>/projects/", views.project_list, name="projects"),
    path("e/<int:pk>/projects/new/", views.project_new, name="project_new"),
    path("e/<int:pk>/projects/<int:project_pk>/edit/", views.project_edit, name="project_edit"),
    path("e/<int:pk>/projects/<int:project_pk>/delete/", views.project_delete, name="project_delete"),
    path("e/<int:pk>/people/", views.people, name="people"),
    path("e/<int:pk>/people/<int:person_pk>/edit/", views.person_edit, name="person_edit"),
    path("e/<int:pk>/people/<int:person_pk>/delete/", views.person_delete, name="person_delete"),
]
