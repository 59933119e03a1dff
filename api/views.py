"""REST API v1. Every list reads through the same selectors as the pages; every change
goes through the same services (and so the same permission checks)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from exchange.applications import selectors as exchange_selectors
from exchange.applications import services as exchange_services
from exchange.models import Application, Exchange
from exchange.placements.forms import ExchangeListFilter
from exchange.placements.selectors import exchanges_visible_to
from members import selectors as member_selectors
from members.models import Organisation, Partnership
from members.permissions import can_use_directory
from members.roles import scope_of
from projects import kpis
from projects.selectors import projects_visible_to
from workshops import permissions as workshop_permissions
from workshops import selectors as workshop_selectors
from workshops import services as workshop_services
from workshops.models import Registration

from . import filters
from . import serializers as s
from .drf import ETagMixin, TokenScope


def _service_call(fn, **kwargs):
    """Runs a portal service and turns its refusals into API errors (problem details)."""
    try:
        return fn(**kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        raise ValidationError(exc.messages) from exc


class ReadOnly(ETagMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_converter = "int"


class PartnershipViewSet(ReadOnly):
    """Partnerships (public)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.PartnershipSerializer
    queryset = Partnership.objects.all()


class ClusterViewSet(ReadOnly):
    """Cluster profiles: public ECCP fields for anyone; the full profile for the cluster's
    managers and the partnership's coordinator."""

    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        from members.models import Cluster

        return Cluster.objects.select_related("partnership").order_by("id")

    serializer_class = s.ClusterFullSerializer

    def get_serializer_context(self):
        scope = scope_of(self.request.user)
        return {
            **super().get_serializer_context(),
            "full_for": None if scope.is_admin else scope.cluster_ids,
        }


class OrganisationViewSet(ReadOnly):
    """Member organisations, scoped exactly as the directory (same selector, same
    filters: q, country, org_type, sector, cluster, membership_status, sme)."""

    serializer_class = s.OrganisationSerializer
    filter_backends = [filters.PageFilters]
    filterset_class = filters.OrganisationFilter

    def filterset_kwargs(self):
        # The cluster filter's choices: only the clusters the caller may see.
        wanted = "cluster" in self.request.query_params
        user = self.request.user
        clusters = member_selectors.clusters_visible_to(user).values_list("pk", "acronym")
        return {"clusters": list(clusters) if wanted else []}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Organisation.objects.none()
        user = self.request.user
        if not can_use_directory(user):
            raise PermissionDenied
        qs = member_selectors.organisations_visible_to(user).order_by("-id")
        return member_selectors.directory_list(user, queryset=qs)

    @extend_schema(responses=s.ContactSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        serializer_class=s.ContactSerializer,
        pagination_class=None,
        filter_backends=[],
    )
    def contacts(self, request, pk=None, format=None):
        """The organisation's contacts (the directory's contact selector)."""
        organisation = self.get_object()
        contacts = (
            member_selectors.contacts_visible_to(request.user)
            .filter(organisation=organisation)
            .order_by("-is_primary", "full_name", "id")
        )
        return Response(s.ContactSerializer(contacts, many=True).data)


class EventViewSet(ReadOnly):
    """Events: the public list needs no token; organisers see the full record."""

    permission_classes = [permissions.AllowAny]
    filter_backends = [filters.PageFilters]
    filterset_class = filters.ApiEventFilter

    def get_queryset(self):
        return workshop_selectors.event_list(self.request.user).order_by("-id")

    serializer_class = s.EventFullSerializer

    def get_serializer_context(self):
        user = self.request.user
        managed = {}

        def can_manage(event):
            if event.pk not in managed:
                managed[event.pk] = workshop_permissions.can_manage_event(user, event)
            return managed[event.pk]

        return {**super().get_serializer_context(), "can_manage": can_manage}

    def _managed_event(self, pk):
        event = get_object_or_404(self.get_queryset(), pk=pk)
        if not workshop_permissions.can_manage_event(self.request.user, event):
            raise NotFound
        return event

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Name, email or organisation"),
            OpenApiParameter("status", enum=[v for v, _ in Registration.Status.choices]),
            OpenApiParameter("mode", enum=[v for v, _ in Registration.Mode.choices]),
        ],
        responses=s.RegistrationSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        request=s.RegistrationCreateSerializer,
        responses={201: s.RegistrationSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=s.RegistrationSerializer,
        # IsAuthenticated, and the token's scope: a read token never registers anyone.
        permission_classes=[permissions.IsAuthenticated, TokenScope],
        filter_backends=[],  # the participants' filters, below
    )
    def registrations(self, request, pk=None, format=None):
        """Organisers: the participants (GET) or a new registration (POST)."""
        event = self._managed_event(pk)
        if request.method == "GET":
            qs = workshop_selectors.registrations_of(event)
            # the participants page's filters
            filterset = filters.ParticipantFilter(request.query_params, queryset=qs)
            if not filterset.is_valid():
                raise ValidationError(filterset.errors)
            qs = filterset.qs.order_by("-id")
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(s.RegistrationSerializer(page, many=True).data)
        data = s.RegistrationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = _service_call(
            workshop_services.registration_create,
            event=event,
            by=request.user,
            **data.validated_data,
        )
        return Response(s.RegistrationSerializer(registration).data, status=201)


class RegistrationViewSet(ETagMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One registration, for the event's organisers: read, cancel, check in."""

    lookup_value_converter = "int"
    serializer_class = s.RegistrationSerializer

    def get_queryset(self):
        return Registration.objects.select_related("event")

    def get_object(self):
        registration = super().get_object()
        if not workshop_permissions.can_manage_event(self.request.user, registration.event):
            raise NotFound
        return registration

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        registration = _service_call(
            workshop_services.registration_cancel,
            registration=self.get_object(),
            by=request.user,
            note="API",
        )
        return Response(self.get_serializer(registration).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None, format=None):
        registration = _service_call(
            workshop_services.registration_mark,
            registration=self.get_object(),
            status=Registration.Status.ATTENDED,
            by=request.user,
        )
        return Response(self.get_serializer(registration).data)


class CallViewSet(ReadOnly):
    """ClusterXchange calls open for applications (public)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.CallSerializer

    def get_queryset(self):
        return exchange_selectors.calls_open().select_related("partnership").order_by("-id")


class CatalogueViewSet(ETagMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The ClusterXchange catalogue of a partnership: consented fields only."""

    serializer_class = s.CatalogueEntrySerializer
    filter_backends = [filters.PageFilters]
    filterset_class = filters.ApiCatalogueFilter

    @extend_schema(parameters=[s.CatalogueQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        from exchange.applications.permissions import can_use_catalogue

        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        query = s.CatalogueQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        partnership_id = query.validated_data["partnership"]
        # As the catalogue page: refused to whoever may not search this partnership's.
        if not can_use_catalogue(self.request.user, partnership_id):
            raise PermissionDenied
        return exchange_selectors.catalogue(self.request.user, partnership_id).order_by("-id")


class ApplicationViewSet(ReadOnly):
    """Submitted applications, for the managing cluster (and the coordinator, read)."""

    serializer_class = s.ApplicationSerializer
    filter_backends = [filters.PageFilters]
    filterset_class = filters.ApiApplicationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        if not scope_of(self.request.user).is_staff_role:
            raise PermissionDenied
        return exchange_selectors.review_queue(self.request.user).order_by("-id")

    @extend_schema(request=s.ApplicationDecisionSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.ApplicationDecisionSerializer)
    def decide(self, request, pk=None, format=None):
        """A review decision through the same service as the review page."""
        application = self.get_object()
        data = s.ApplicationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        from exchange.applications.permissions import can_review

        if not can_review(request.user, application):
            raise PermissionDenied
        application = _service_call(
            exchange_services.application_review,
            application=application,
            to=data.validated_data["to"],
            note=data.validated_data["note"],
            checklist=data.checklist_dict(),
            by=request.user,
        )
        return Response(s.ApplicationSerializer(application).data)


class ExchangeViewSet(ReadOnly):
    """Exchanges the caller may see (the same rule as the exchange pages), with the exchange
    list's filters: `status`, and `q` on the organisations' names."""

    serializer_class = s.ExchangeSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=[v for v, _ in Exchange.Status.choices]),
            OpenApiParameter("q", OpenApiTypes.STR, description="Organisation"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.ExchangeCancelSerializer, responses=s.ExchangeSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.ExchangeCancelSerializer)
    def cancel(self, request, pk=None, format=None):
        """Cancels the exchange, with a reason, through the exchange page's service (the
        same parties may: visitor, host and their clusters)."""
        from exchange.placements import services as placement_services

        exchange = self.get_object()  # 404 first: a foreign id never reaches validation
        data = s.ExchangeCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exchange = _service_call(
            placement_services.exchange_cancel,
            exchange=exchange,
            by=request.user,
            reason=data.validated_data["reason"],
        )
        exchange.refresh_from_db()
        return Response(s.ExchangeSerializer(exchange).data)

    def get_queryset(self):
        qs = exchanges_visible_to(self.request.user).select_related("plan").order_by("-id")
        if self.action != "list":
            return qs
        form = ExchangeListFilter(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        text = form.cleaned_data["q"].strip()
        if text:
            qs = qs.filter(
                Q(visitor_organisation__legal_name__icontains=text)
                | Q(host_organisation__legal_name__icontains=text)
            )
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        return qs


class KpiViewSet(ETagMixin, viewsets.ViewSet):
    """KPIs of a project with their computed values (coordinator and managers)."""

    serializer_class = s.KpiSerializer

    @extend_schema(parameters=[s.KpiQuery], responses=s.KpiSerializer(many=True))
    def list(self, request, format=None):
        projects = projects_visible_to(request.user)
        query = s.KpiQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        project_id = query.validated_data.get("project")
        project = (
            projects.filter(pk=project_id).first()
            if project_id
            else projects.order_by("-start_date").first()
        )
        if project is None:
            raise NotFound
        rows = kpis.kpi_table(project)
        return Response(s.KpiSerializer(rows, many=True).data)
