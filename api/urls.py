from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import errors, pages, views

app_name = "api"

router = DefaultRouter(use_regex_path=False)  # typed <int:pk> paths in the schema
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("events", views.EventViewSet, basename="event")
router.register("registrations", views.RegistrationViewSet, basename="registration")
router.register("calls", views.CallViewSet, basename="call")
router.register("catalogue", views.CatalogueViewSet, basename="catalogue")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("exchanges", views.ExchangeViewSet, basename="exchange")
router.register("kpis", views.KpiViewSet, basename="kpi")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", pages.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    path("webhooks/", pages.webhook_list, name="webhook_list"),
    path("webhooks/<int:pk>/", pages.webhook_detail, name="webhook_detail"),
    # Anything else under /api/ answers a problem document, not the portal's HTML page.
    re_path(r"^v1/.*$", errors.not_found),
]
