from django.urls import URLPattern, path

from shouzhan.talent import views_records as v

urlpatterns: list[URLPattern] = [
    path("me/", v.mine, name="mine"),
    path("records/<int:pk>/", v.record_detail, name="record"),
    path("records/<int:pk>/update/", v.record_update, name="record_update"),
    path("records/<int:pk>/titles/", v.title_add, name="title_add"),
    path("records/<int:pk>/titles/<int:item>/remove/", v.title_remove, name="title_remove"),
    path("records/<int:pk>/certificates/", v.certificate_add, name="certificate_add"),
    path(
        "records/<int:pk>/certificates/<int:item>/remove/",
        v.certificate_remove,
        name="certificate_remove",
    ),
    path("records/<int:pk>/sharing/", v.share_set, name="share_set"),
    path("people/", v.people, name="people"),
    path("people/<int:pk>/", v.person_record, name="person_record"),
]
