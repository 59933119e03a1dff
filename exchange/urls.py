from django.urls import path

from .applications import views as application_views
from .external import views as external_views
from .impact import views as impact_views
from .placements import views as placement_views

app_name = "exchange"

urlpatterns = [
    path("", application_views.landing, name="landing"),
    path("apply/", application_views.apply, name="apply"),
    path("apply/check-your-email/", application_views.apply_sent, name="apply_sent"),
    path("mine/", application_views.mine, name="mine"),
    path("review/", application_views.review_queue, name="review_queue"),
    path("catalogue/", application_views.catalogue, name="catalogue"),
    path("applications/<int:pk>/", application_views.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/edit/", application_views.application_edit, name="application_edit"
    ),
    path(
        "applications/<int:pk>/edit/<slug:step>/",
        application_views.application_step,
        name="application_step",
    ),
    path(
        "applications/<int:pk>/submit/",
        application_views.application_submit,
        name="application_submit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        application_views.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<int:pk>/review/",
        application_views.application_review,
        name="application_review",
    ),
    path(
        "applications/<int:pk>/link/", application_views.application_link, name="application_link"
    ),
    path(
        "applications/<int:pk>/exception/",
        application_views.application_exception,
        name="application_exception",
    ),
    path(
        "applications/<int:pk>/propose/<int:other>/",
        application_views.proposal_create,
        name="proposal_create",
    ),
    path(
        "proposals/<int:pk>/respond/", application_views.proposal_respond, name="proposal_respond"
    ),
    path(
        "documents/<int:pk>/download/",
        application_views.document_download,
        name="document_download",
    ),
    path("documents/<int:pk>/delete/", application_views.document_delete, name="document_delete"),
    # --- Part 2: the exchange from match to payment ---
    path("exchanges/", placement_views.exchange_list, name="exchange_list"),
    path("exchanges/<int:pk>/", placement_views.exchange_detail, name="exchange_detail"),
    path("exchanges/<int:pk>/plan/", placement_views.exchange_plan, name="exchange_plan"),
    path(
        "exchanges/<int:pk>/documents/generate/",
        placement_views.exchange_document_generate,
        name="exchange_document_generate",
    ),
    path(
        "exchanges/<int:pk>/documents/<int:document_pk>/pdf/",
        placement_views.exchange_document_pdf,
        name="exchange_document_pdf",
    ),
    path(
        "exchanges/<int:pk>/documents/<int:document_pk>/sign/",
        placement_views.exchange_document_sign,
        name="exchange_document_sign",
    ),
    path(
        "exchanges/<int:pk>/grant/reopen/",
        placement_views.exchange_grant_reopen,
        name="exchange_grant_reopen",
    ),
    path("exchanges/<int:pk>/cancel/", placement_views.exchange_cancel, name="exchange_cancel"),
    path("exchanges/<int:pk>/outcome/", placement_views.exchange_outcome, name="exchange_outcome"),
    path(
        "exchanges/<int:pk>/location/", placement_views.exchange_location, name="exchange_location"
    ),
    path("exchanges/<int:pk>/bank/", placement_views.exchange_bank_details, name="exchange_bank"),
    path("exchanges/<int:pk>/report/", placement_views.exchange_report, name="exchange_report"),
    path(
        "exchanges/<int:pk>/evidence/",
        placement_views.exchange_evidence_add,
        name="exchange_evidence_add",
    ),
    path(
        "exchanges/<int:pk>/evidence/<int:evidence_pk>/download/",
        placement_views.exchange_evidence_download,
        name="exchange_evidence_download",
    ),
    path(
        "exchanges/<int:pk>/evidence/<int:evidence_pk>/delete/",
        placement_views.exchange_evidence_delete,
        name="exchange_evidence_delete",
    ),
    path(
        "exchanges/<int:pk>/host-confirmation/",
        placement_views.exchange_host_confirm,
        name="exchange_host_confirm",
    ),
    path("exchanges/<int:pk>/review/", placement_views.exchange_review, name="exchange_review"),
    path("exchanges/<int:pk>/payment/", placement_views.exchange_payment, name="exchange_payment"),
    path("exchanges/<int:pk>/close/", placement_views.exchange_close, name="exchange_close"),
    path(
        "exchanges/<int:pk>/certificate/<slug:side>/",
        placement_views.exchange_certificate,
        name="exchange_certificate",
    ),
    path("payments/", placement_views.payments, name="payments"),
    path("payments/export.xlsx", placement_views.payments_xlsx, name="payments_xlsx"),
]

# Parties of other partnerships (exchange/external/views.py): the inviting manager, then the
# party itself through its private link (no account).

urlpatterns += [
    path("exchanges/external-host/", external_views.external_host_new, name="external_host_new"),
    path(
        "exchanges/external-visitor/",
        external_views.external_visitor_new,
        name="external_visitor_new",
    ),
    path(
        "exchanges/<int:pk>/external/<int:party_pk>/revoke/",
        external_views.external_party_revoke,
        name="external_party_revoke",
    ),
    path(
        "exchanges/<int:pk>/external/<int:party_pk>/renew/",
        external_views.external_party_renew,
        name="external_party_renew",
    ),
    path("partner/<str:token>/", external_views.external_home, name="external_home"),
    path("partner/<str:token>/respond/", external_views.external_respond, name="external_respond"),
    path("partner/<str:token>/plan/", external_views.external_plan, name="external_plan"),
    path(
        "partner/<str:token>/generate/", external_views.external_generate, name="external_generate"
    ),
    path("partner/<str:token>/code/", external_views.external_code, name="external_code"),
    path(
        "partner/<str:token>/sign/<int:document_pk>/",
        external_views.external_sign,
        name="external_sign",
    ),
    path("partner/<str:token>/confirm/", external_views.external_confirm, name="external_confirm"),
]

# Impact follow-up survey (exchange/impact/views.py): a private link, no account.

urlpatterns += [
    path("impact/<str:token>/", impact_views.impact_survey, name="impact_survey"),
]
