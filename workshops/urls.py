from django.urls import path

from . import public_feeds, views

app_name = "workshops"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("calendar/<int:year>/<int:month>/", views.calendar_month, name="calendar_month"),
    path("mine/", views.my_registrations, name="mine"),
    path("feed/", views.feed, name="feed"),
    path("feed/<str:token>.ics", views.feed_ics, name="feed_ics"),
    path(
        "public/clusters/<int:pk>/events.json",
        public_feeds.cluster_events_json,
        name="cluster_events_json",
    ),
    path(
        "public/clusters/<int:pk>/events.ics",
        public_feeds.cluster_events_ics,
        name="cluster_events_ics",
    ),
    path(
        "public/partnerships/<int:pk>/events.json",
        public_feeds.partnership_events_json,
        name="partnership_events_json",
    ),
    path(
        "public/partnerships/<int:pk>/events.ics",
        public_feeds.partnership_events_ics,
        name="partnership_events_ics",
    ),
    path("new/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("<int:pk>/publish/", views.event_publish, name="event_publish"),
    path("<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("<int:pk>/duplicate/", views.event_duplicate, name="event_duplicate"),
    path("<int:pk>/participants/", views.participants, name="participants"),
    path("<int:pk>/participants.csv", views.participants_csv, name="participants_csv"),
    path("<int:pk>/participants.xlsx", views.participants_xlsx, name="participants_xlsx"),
    path("<int:pk>/message/", views.participants_message, name="participants_message"),
    # Organisers act on one registration (by id, with a permission check).
    path("registrations/<int:pk>/mark/", views.registration_mark, name="registration_mark"),
    path(
        "registrations/<int:pk>/approve/", views.registration_approve, name="registration_approve"
    ),
    path(
        "registrations/<int:pk>/decline/", views.registration_decline, name="registration_decline"
    ),
    path(
        "registrations/<int:pk>/organiser-cancel/",
        views.registration_cancel_by_organiser,
        name="registration_cancel_by_organiser",
    ),
    # The registrant's links from the emails (the secret token is the permission).
    path(
        "registrations/<str:token>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "registrations/<str:token>/confirm/",
        views.registration_confirm,
        name="registration_confirm",
    ),
    path("registrations/<str:token>/feedback/", views.feedback, name="feedback"),
    path("registrations/<str:token>/certificate.pdf", views.certificate, name="certificate"),
]
