from django.urls import path

from shouzhan.community import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("events/<int:pk>/checkin/", views.check_in, name="checkin"),
    path("events/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("my/", views.my_events, name="my_events"),
    path("mentors/", views.mentors, name="mentors"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor"),
    path("slots/<int:pk>/book/", views.slot_book, name="slot_book"),
    path("panel/", views.panel, name="panel"),
    path("panel/feedback/<int:event_pk>/<int:project_pk>/", views.feedback, name="feedback"),
    path("panel/notes/<int:project_pk>/", views.note_add, name="note_add"),
    path("panel/slots/", views.slot_new, name="slot_new"),
    path("market/", views.market, name="market"),
    path("listings/new/", views.listing_new, name="listing_new"),
    path("listings/import/", views.listing_import, name="listing_import"),
    path("listings/<int:pk>/", views.listing_detail, name="listing"),
    path("listings/<int:pk>/contact/", views.contact, name="contact"),
    path("listings/<int:pk>/status/", views.listing_status, name="listing_status"),
    path("people/<int:pk>/", views.person_page, name="person"),
    path("mine/", views.mine, name="mine"),
    path("contacts/", views.contacts, name="contacts"),
    path("projects/<int:pk>/related/", views.project_related, name="project_related"),
    path("search/", views.search, name="search"),
]
