from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("apply/", views.apply, name="apply"),
    path("apply/check-your-email/", views.apply_sent, name="apply_sent"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/edit/<slug:step>/",
        views.application_step,
        name="application_step",
    ),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path(
        "applications/<int:pk>/exception/",
        views.application_exception,
        name="application_exception",
    ),
    path(
        "applications/<int:pk>/propose/<int:other>/",
        views.proposal_create,
        name="proposal_create",
    ),
    path("proposals/<int:pk>/respond/", views.proposal_respond, name="proposal_respond"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]
