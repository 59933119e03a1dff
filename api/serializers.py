"""What each resource shows. Public serializers carry public fields only; the scoped
ones are used after the selectors have decided what the caller may see."""

from django.conf import settings
from rest_framework import serializers

from exchange.models import Application, Call, Exchange
from members.models import Cluster, Contact, Membership, Organisation, Partnership
from workshops.models import Event, Registration


class PartnershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = ["id", "acronym", "name", "programme", "start_date", "end_date", "website"]


class ClusterPublicSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Cluster
        fields = [
            "id",
            "partnership",
            "acronym",
            "name",
            "country",
            "city",
            "website",
            "description",
            "label",
            "eccp_url",
        ]


class ClusterFullSerializer(ClusterPublicSerializer):
    """The whole ECCP profile for the cluster's managers and the coordinator; the public
    fields for everyone else (the view passes `full_for`: ids, or None for all)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        full_for = self.context.get("full_for")
        if full_for is not None and instance.pk not in full_for:
            public = set(ClusterPublicSerializer.Meta.fields)
            data = {k: v for k, v in data.items() if k in public}
        return data

    class Meta(ClusterPublicSerializer.Meta):
        fields = ClusterPublicSerializer.Meta.fields + [
            "legal_status",
            "year_founded",
            "staff_fte",
            "members_sme",
            "members_large",
            "members_research",
            "members_public",
            "members_other",
            "technologies",
            "keywords",
            "value_chains",
            "services",
            "label_valid_until",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    cluster = serializers.CharField(source="cluster.acronym")

    class Meta:
        model = Membership
        fields = ["cluster", "status", "start_date", "end_date"]


class OrganisationSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    memberships = MembershipSerializer(many=True, read_only=True)
    sectors = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "legal_name",
            "vat_number",
            "org_type",
            "country",
            "address",
            "postcode",
            "city",
            "website",
            "employees",
            "sectors",
            "capabilities",
            "certifications",
            "memberships",
            "updated_at",
        ]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "organisation",
            "full_name",
            "job_title",
            "email",
            "phone",
            "language",
            "is_primary",
            "consent_given",
        ]


class EventPublicSerializer(serializers.ModelSerializer):
    organisers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="acronym")
    country = serializers.CharField(source="country.code", allow_blank=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "kind",
            "axis",
            "summary",
            "language",
            "start",
            "end",
            "timezone",
            "venue_name",
            "city",
            "country",
            "audience",
            "status",
            "organisers",
            "url",
        ]

    def get_url(self, event) -> str:
        from django.conf import settings
        from django.urls import reverse

        return settings.SITE_URL + reverse("workshops:event_detail", args=[event.pk])


class EventFullSerializer(EventPublicSerializer):
    """Organisers see the whole event (online link, seats); others the public fields.
    The view passes `can_manage`, a function of the event."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        can_manage = self.context.get("can_manage")
        if can_manage is None or not can_manage(instance):
            public = set(EventPublicSerializer.Meta.fields)
            data = {k: v for k, v in data.items() if k in public}
        return data

    class Meta(EventPublicSerializer.Meta):
        fields = EventPublicSerializer.Meta.fields + [
            "description",
            "venue_address",
            "online_url",
            "capacity_in_person",
            "capacity_online",
            "taken_in_person",
            "taken_online",
            "approval_required",
            "registration_opens",
            "registration_closes",
        ]


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "full_name",
            "email",
            "language",
            "mode",
            "status",
            "organisation",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["event", "status", "organisation", "created_at", "updated_at"]


class RegistrationCreateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    mode = serializers.ChoiceField(choices=Registration.Mode.choices)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE, required=False
    )


class CallSerializer(serializers.ModelSerializer):
    partnership = serializers.CharField(source="partnership.acronym")

    class Meta:
        model = Call
        fields = ["id", "partnership", "name", "opens_on", "closes_on", "planned_exchanges"]


class CatalogueEntrySerializer(serializers.Serializer):
    """Only what the participant agreed to show in the catalogue (catalogue_fields)."""

    id = serializers.IntegerField()
    role = serializers.CharField()
    cluster = serializers.CharField(source="managing_cluster.acronym", allow_null=True)
    shown = serializers.SerializerMethodField()

    def get_shown(self, application) -> dict:
        fields = set(application.catalogue_fields or [])
        org = application.organisation
        shown = {}
        if "organisation" in fields and org:
            shown["organisation"] = org.legal_name
        if "country" in fields and org:
            shown["country"] = org.country.code
        if "sectors" in fields:
            shown["sectors"] = [s.code for s in application.sectors.all()]
        if "objectives" in fields:
            shown["objectives"] = application.objectives
        if "contact" in fields and application.applicant_id:
            shown["contact"] = {
                "name": application.applicant.full_name,
                "email": application.applicant.email,
            }
        return shown


class ApplicationSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "organisation",
            "managing_cluster",
            "role",
            "status",
            "objectives",
            "available_from",
            "available_until",
            "submitted_at",
            "updated_at",
        ]


def _checklist_items() -> list[str]:
    from exchange.applications.forms import CHECKLIST

    return [key for key, _label in CHECKLIST]


class ApplicationDecisionSerializer(serializers.Serializer):
    """The review panel's decision: `note` is the reason (required to reject or to ask for
    information); `checklist` the items the reviewer ticked (every one is needed to
    accept). Without `checklist` the one saved on the review page is kept."""

    to = serializers.ChoiceField(choices=["under_review", "accepted", "rejected", "info_requested"])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    checklist = serializers.MultipleChoiceField(choices=_checklist_items(), required=False)

    def checklist_dict(self) -> dict | None:
        ticked = self.validated_data.get("checklist")
        if ticked is None:
            return None
        return {key: key in ticked for key in _checklist_items()}


class ExchangeSerializer(serializers.ModelSerializer):
    # An exchange without a plan yet (just matched) has none of these: null.
    start_date = serializers.DateField(
        source="plan.start_date", default=None, read_only=True, allow_null=True
    )
    end_date = serializers.DateField(
        source="plan.end_date", default=None, read_only=True, allow_null=True
    )
    grant_amount = serializers.DecimalField(
        source="plan.grant_amount",
        max_digits=8,
        decimal_places=2,
        default=None,
        read_only=True,
        allow_null=True,
    )

    class Meta:
        model = Exchange
        fields = [
            "id",
            "status",
            "visitor_organisation",
            "host_organisation",
            "visitor_cluster",
            "host_cluster",
            "start_date",
            "end_date",
            "grant_amount",
            "created_at",
        ]


class ExchangeCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class KpiSerializer(serializers.Serializer):
    code = serializers.CharField(source="kpi.code")
    name = serializers.CharField(source="kpi.name")
    unit = serializers.CharField(source="kpi.unit")
    target = serializers.DecimalField(source="kpi.target", max_digits=12, decimal_places=2)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    cumulative = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    percent = serializers.IntegerField(allow_null=True)


MAX_ID = 2**31 - 1


class CatalogueQuery(serializers.Serializer):
    partnership = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class KpiQuery(serializers.Serializer):
    project = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
