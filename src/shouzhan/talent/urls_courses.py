"""URLs of the training course pages; joined in talent/urls.py."""

from django.urls import URLPattern, path

from shouzhan.talent import views_courses as views

urlpatterns: list[URLPattern] = [
    path("courses/", views.courses, name="courses"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:pk>/sessions/", views.session_add, name="course_session_add"),
    path(
        "courses/<int:pk>/sessions/<int:session_pk>/remove/",
        views.session_remove,
        name="course_session_remove",
    ),
    path(
        "courses/<int:pk>/sessions/<int:session_pk>/attendance/",
        views.attendance_record,
        name="course_attendance",
    ),
    path("courses/<int:pk>/trainees/", views.trainee_enrol, name="course_trainee_enrol"),
    path(
        "courses/<int:pk>/trainees/<int:trainee_pk>/remove/",
        views.trainee_remove,
        name="course_trainee_remove",
    ),
    path("courses/<int:pk>/attendance.xlsx", views.course_export, name="course_export"),
]
