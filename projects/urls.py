from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("clusters/<int:pk>/", views.cluster_dashboard, name="cluster_dashboard"),
    path("<int:project_pk>/kpi-values/new/", views.kpi_value_add, name="kpi_value_add"),
    path("reports/new/", views.report_request, name="report_request"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable_detail"),
    path("deliverables/<int:pk>/upload/", views.deliverable_upload, name="deliverable_upload"),
    path("deliverables/<int:pk>/approve/", views.deliverable_approve, name="deliverable_approve"),
    path("deliverables/<int:pk>/return/", views.deliverable_return, name="deliverable_return"),
    path(
        "deliverables/versions/<int:pk>/download/",
        views.version_download,
        name="version_download",
    ),
]
