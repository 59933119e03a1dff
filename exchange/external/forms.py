"""Input of the pages for parties of another partnership (exchange/external/services.py holds the
rules)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from members.models import Organisation
from members.roles import scope_of

from ..applications.forms import AccessibleMixin
from ..models import Application, Exchange


def _party_fields(prefix: str, what, who) -> dict:
    return {
        f"{prefix}_name": forms.CharField(label=what, max_length=300),
        f"{prefix}_country": CountryField().formfield(label=_("Country")),
        f"{prefix}_city": forms.CharField(label=_("City"), max_length=120),
        f"{prefix}_address": forms.CharField(label=_("Address"), max_length=300, required=False),
        f"{prefix}_partnership_name": forms.CharField(
            label=_("Partnership (name and acronym)"), max_length=300
        ),
        f"{prefix}_contact_name": forms.CharField(label=who, max_length=200),
        f"{prefix}_contact_email": forms.EmailField(label=_("Contact email")),
        f"{prefix}_contact_language": forms.ChoiceField(
            label=_("Contact's language"), choices=settings.LANGUAGES, initial="en"
        ),
    }


class _ExternalPartiesForm(AccessibleMixin, forms.Form):
    """An organisation of another partnership and the cluster of its partnership."""

    side = "host"  # "host": HO + HOP; "visitor": VO + VOP
    application = forms.ModelChoiceField(queryset=Application.objects.none())
    org_type = forms.ChoiceField(label=_("Type of organisation"), choices=Organisation.Type.choices)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
        min_value=-90, max_value=90,
    )  # fmt: skip
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
        min_value=-180, max_value=180,
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        live = Exchange.objects.exclude(status__in=["cancelled", "declined"])
        role = ["visitor", "both"] if self.side == "host" else ["host", "both"]
        applications = Application.objects.filter(
            status=Application.Status.ACCEPTED,
            role__in=role,
            managing_cluster_id__in=scope.managed_cluster_ids,
        ).select_related("organisation")
        if self.side == "host":
            applications = applications.exclude(organisation__visits__in=live)
        field = self.fields["application"]
        field.queryset = applications.order_by("organisation__legal_name")
        field.label = _("Our visitor") if self.side == "host" else _("Our host")

    def party(self, prefix: str) -> dict:
        data = {
            name[len(prefix) + 1 :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix + "_")
        }
        data["country"] = str(data["country"])
        data.setdefault(
            "partnership_name", self.cleaned_data.get(f"{self.org_prefix}_partnership_name")
        )
        return data

    @property
    def org_prefix(self) -> str:
        return "host" if self.side == "host" else "visitor"

    @property
    def cluster_prefix(self) -> str:
        return "hop" if self.side == "host" else "vop"

    def org_fields(self):
        return [self[n] for n in self.fields if n.startswith(self.org_prefix + "_")]

    def cluster_fields(self):
        return [self[n] for n in self.fields if n.startswith(self.cluster_prefix + "_")]


def _form_class(name: str, side: str):
    org, cluster = ("host", "hop") if side == "host" else ("visitor", "vop")
    fields = {
        **_party_fields(org, _("Organisation (legal name)"), _("Contact person")),
        **_party_fields(
            cluster,
            _("Cluster organisation of its partnership"),
            _("Contact person at the cluster"),
        ),
    }
    # The cluster belongs to the organisation's partnership: named once.
    del fields[f"{cluster}_partnership_name"]
    return type(name, (_ExternalPartiesForm,), {"side": side, **fields})


ExternalHostForm = _form_class("ExternalHostForm", "host")
ExternalVisitorForm = _form_class("ExternalVisitorForm", "visitor")


class MatchResponseForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("yes", _("Confirm")), ("no", _("Decline"))], coerce=lambda v: v == "yes"
    )


class CodeForm(AccessibleMixin, forms.Form):
    code = forms.CharField(
        label=_("Code received by email"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
