"""Input of ClusterXchange. Forms parse and check the shape of what was typed; the rules
of the scheme live in eligibility.py and services.py."""

from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from members.forms import BootstrapMixin
from members.models import Cluster, Organisation, Sector, User

from ..models import ActivityType, Application, ApplicationDocument, Call, EligibleCountry

# What a participant may agree to show in the catalogue (Application.catalogue_fields).
CATALOGUE_FIELDS = [
    ("organisation", _("Organisation name")),
    ("country", _("Country")),
    ("sectors", _("Sectors")),
    ("objectives", _("Objectives")),
    ("contact", _("Contact person (name and email)")),
]

# The reviewer's short checklist (Application.review_checklist).
CHECKLIST = [
    ("membership_confirmed", _("Membership confirmed by the cluster")),
    ("documents_complete", _("Documents complete")),
    ("objectives_clear", _("Objectives clear")),
]

EMPTY = (None, "", [], (), False)  # False: an unticked required checkbox


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccessibleMixin(BootstrapMixin):
    """BootstrapMixin, plus: checkbox and radio lists get the check-input class, and a
    field with an error points at its message with aria-describedby."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"

    def _mark_invalid(self, name: str) -> None:
        if name not in self.fields:
            return
        attrs = self.fields[name].widget.attrs
        attrs["aria-invalid"] = "true"
        if "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
        described = [f"{self[name].auto_id}_error"]
        if self.fields[name].help_text:
            described.append(f"{self[name].auto_id}_helptext")
        attrs["aria-describedby"] = " ".join(described)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            self._mark_invalid(name)

    def add_error(self, field, error):
        super().add_error(field, error)
        if isinstance(field, str):
            self._mark_invalid(field)


class StepForm(AccessibleMixin, forms.Form):
    """One step of the application. Every field is optional, so "Save draft" keeps
    whatever was typed; `required_to_continue` says what "Save and continue" needs."""

    required_to_continue: tuple[str, ...] = ()
    saves: tuple[str, ...] = ()

    def __init__(self, *args, application: Application, user=None, **kwargs):
        self.application = application
        self.user = user
        kwargs.setdefault("initial", self.initial_from(application))
        super().__init__(*args, **kwargs)

    def initial_from(self, application: Application) -> dict:
        return {name: getattr(application, name) for name in self.saves}

    def check_complete(self) -> bool:
        """Adds "required" errors for what is missing; True when the step is complete."""
        for name in self.required_to_continue:
            if name not in self.errors and self.cleaned_data.get(name) in EMPTY:
                self.add_error(name, _("Fill this in to continue."))
        self.extra_checks()
        return not self.errors

    def extra_checks(self) -> None:
        pass

    def application_data(self) -> dict:
        """The valid part of what was typed, for services.application_save."""
        return {name: self.cleaned_data[name] for name in self.saves if name in self.cleaned_data}


# --- Step 1: organisation -----------------------------------------------------------------


class NewOrganisationFields(forms.Form):
    """An organisation that is not on the portal yet."""

    legal_name = forms.CharField(label=_("Legal name"), max_length=300, required=False)
    country = forms.ChoiceField(
        label=_("Country of registration"),
        choices=lambda: [("", "---------"), *countries],
        required=False,
    )
    org_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[("", "---------"), *Organisation.Type.choices],
        required=False,
    )
    vat_number = forms.CharField(
        label=_("VAT / registration number"), max_length=40, required=False
    )
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    employees = forms.IntegerField(
        label=_("Employees (headcount)"), min_value=0, max_value=10_000_000, required=False
    )
    turnover_eur = forms.DecimalField(
        label=_("Annual turnover (€)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
    )
    balance_sheet_eur = forms.DecimalField(
        label=_("Balance sheet total (€)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("Optional: used to compute distances to hosts."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        max_digits=9,
        decimal_places=6,
        required=False,
    )

    ORGANISATION_NAMES = (
        "legal_name",
        "country",
        "org_type",
        "vat_number",
        "city",
        "employees",
        "turnover_eur",
        "balance_sheet_eur",
        "latitude",
        "longitude",
    )

    def organisation_fields(self):
        return [self[name] for name in self.ORGANISATION_NAMES]

    def organisation_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.ORGANISATION_NAMES
            if self.cleaned_data.get(name) is not None and self.cleaned_data[name] != ""
        }

    def describes_organisation(self) -> bool:
        return bool(self.organisation_data())

    def check_organisation_minimum(self) -> None:
        """An organisation row needs at least a name and a country, even in a draft."""
        if not self.describes_organisation():
            return
        for name in ("legal_name", "country"):
            if name not in self.errors and not self.cleaned_data.get(name):
                self.add_error(name, _("Give at least the legal name and the country."))

    def check_organisation_complete(self) -> None:
        """What eligibility needs: the type, and for an SME the EU SME figures."""
        for name in ("legal_name", "country", "org_type"):
            if name not in self.errors and not self.cleaned_data.get(name):
                self.add_error(name, _("Fill this in to continue."))
        # The grant's distance rule needs where the organisation is (the city is resolved
        # to coordinates from the offline gazetteer, unless coordinates are given).
        if (
            "city" not in self.errors
            and not self.cleaned_data.get("city")
            and self.cleaned_data.get("latitude") is None
        ):
            self.add_error("city", _("Give the city: the distance to the host depends on it."))
        if self.cleaned_data.get("org_type") in (Organisation.Type.SME, Organisation.Type.STARTUP):
            if "employees" not in self.errors and self.cleaned_data.get("employees") is None:
                self.add_error("employees", _("Needed to check the EU SME definition."))
            if (
                self.cleaned_data.get("turnover_eur") is None
                and self.cleaned_data.get("balance_sheet_eur") is None
                and "turnover_eur" not in self.errors
            ):
                self.add_error(
                    "turnover_eur",
                    _("Give the turnover or the balance sheet total (EU SME definition)."),
                )


class OrganisationStepForm(StepForm, NewOrganisationFields):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Organisation"),
        empty_label=_("Another organisation (describe it below)"),
    )
    managing_cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.none(),
        required=False,
        label=_("Cluster that reviews your application"),
        help_text=_(
            "The cluster your organisation is a member of. Organisations that are not "
            "members choose the cluster of their region."
        ),
    )

    def __init__(
        self,
        *args,
        application: Application,
        user=None,
        choices=None,
        describable=None,
        **kwargs,
    ):
        # choices: organisations the applicant may pick (those they represent, and the one
        # already linked); describable: the organisation this draft described itself.
        self.choices = list(choices or [])
        self.describable = describable
        super().__init__(*args, application=application, user=user, **kwargs)
        self.fields["managing_cluster"].queryset = Cluster.objects.filter(
            partnership_id=application.call.partnership_id
        ).order_by("acronym")
        if self.choices:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in self.choices]
            )
        else:
            del self.fields["organisation"]

    def initial_from(self, application):
        initial = {"managing_cluster": application.managing_cluster_id}
        org = application.organisation
        if org is None:
            if len(self.choices) == 1:  # the one organisation the applicant represents
                initial["organisation"] = self.choices[0].pk
            return initial
        if self.describable is not None and org.pk == self.describable.pk:
            for name in self.ORGANISATION_NAMES:
                value = getattr(org, name)
                initial[name] = value.code if name == "country" else value
            # The VAT number as the applicant typed it (kept on the application).
            initial["vat_number"] = application.vat_number_typed or org.vat_number
        else:
            initial["organisation"] = org.pk
        return initial

    # Marked as required on the page; what is checked depends on the choice (check_complete).
    required_to_continue = ("legal_name", "country", "org_type", "managing_cluster")

    def check_complete(self) -> bool:
        self.extra_checks()
        return not self.errors

    def picked(self):
        return self.cleaned_data.get("organisation") if "organisation" in self.fields else None

    def clean(self):
        data = super().clean()
        if not self.picked():
            self.check_organisation_minimum()
        return data

    def extra_checks(self):
        # The cluster may have been filled in from the organisation's membership.
        if (
            "managing_cluster" not in self.errors
            and not self.cleaned_data.get("managing_cluster")
            and not self.application.managing_cluster_id
        ):
            self.add_error("managing_cluster", _("Fill this in to continue."))
        if not self.picked():
            self.check_organisation_complete()


# --- Step 2: participation -----------------------------------------------------------------


class ParticipationForm(StepForm):
    role = forms.ChoiceField(
        label=_("Your organisation wants to"),
        choices=[
            (Application.Role.VISITOR, _("Visit an organisation abroad")),
            (Application.Role.HOST, _("Host visitors")),
            (Application.Role.BOTH, _("Both visit and host")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text=_("Why does your organisation take part in ClusterXchange?"),
    )
    objectives = forms.CharField(
        label=_("Objectives"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text=_("What do you want to learn, show or achieve? Used to find counterparts."),
    )
    activity_types = forms.MultipleChoiceField(
        label=_("Activity types"),
        choices=ActivityType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    saves = ("role", "motivation", "objectives", "activity_types")
    required_to_continue = saves

    def application_data(self):
        data = super().application_data()
        if not data.get("role"):
            data.pop("role", None)  # the model needs a role; keep the current one
        return data


# --- Step 3: preferences -----------------------------------------------------------------


class PreferencesForm(StepForm):
    preferred_countries = forms.MultipleChoiceField(
        label=_("Preferred host countries"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Visitors: where you would like to go. Leave empty if any country suits."),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    available_from = forms.DateField(
        label=_("Available from"), widget=_date_widget(), required=False
    )
    available_until = forms.DateField(
        label=_("Available until"), widget=_date_widget(), required=False
    )
    third_country_national = forms.BooleanField(
        label=_("The person who travels or hosts is a national of a country outside the programme"),
        required=False,
    )
    residence_days = forms.IntegerField(
        label=_("Days of residence in a country of the programme"),
        min_value=0,
        max_value=100_000,
        required=False,
    )
    has_residence_permit = forms.BooleanField(label=_("Holds a residence permit"), required=False)
    business_in_eligible_country = forms.BooleanField(
        label=_("Business started or intended in a country of the programme"), required=False
    )

    saves = (
        "preferred_countries",
        "sectors",
        "available_from",
        "available_until",
        "third_country_national",
        "residence_days",
        "has_residence_permit",
        "business_in_eligible_country",
    )
    required_to_continue = ("available_from", "available_until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_countries"].choices = sorted(
            ((c.country.code, c.country.name) for c in EligibleCountry.objects.all()),
            key=lambda choice: str(choice[1]),
        )
        self.fields["sectors"].queryset = Sector.objects.order_by("code")

    def initial_from(self, application):
        initial = super().initial_from(application)
        initial["sectors"] = [s.pk for s in application.sectors.all()] if application.pk else []
        return initial

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error(
                "available_until", _("The end of the window cannot be before its start.")
            )
        return data

    def extra_checks(self):
        if (
            self.cleaned_data.get("third_country_national")
            and self.cleaned_data.get("residence_days") is None
            and "residence_days" not in self.errors
        ):
            self.add_error("residence_days", _("Needed for nationals of other countries."))


# --- Step 4: documents ---------------------------------------------------------------------


class DocumentForm(AccessibleMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Document"), choices=ApplicationDocument.Kind.choices, initial="cv"
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX or ODT, at most 10 MB."),
        max_length=255,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".pdf,.docx,.odt,application/pdf,"
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
            "application/vnd.oasis.opendocument.text"
        )


# --- Step 5: consents ----------------------------------------------------------------------


class ConsentsForm(StepForm):
    consent_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."), required=False
    )
    consent_catalogue = forms.BooleanField(
        label=_("If my application is accepted, show it in the catalogue of participants."),
        required=False,
    )
    catalogue_fields = forms.MultipleChoiceField(
        label=_("What the catalogue may show"),
        choices=CATALOGUE_FIELDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Managers of the partnership and accepted participants search the catalogue. "
            "Your role, activity types and availability are always shown."
        ),
    )

    saves = ("consent_privacy", "consent_catalogue", "catalogue_fields")
    required_to_continue = ("consent_privacy",)

    def application_data(self):
        data = super().application_data()
        if not data.get("consent_catalogue"):
            data["catalogue_fields"] = []
        return data


# --- The public start -----------------------------------------------------------------------


class StartForm(AccessibleMixin, forms.Form):
    """A logged-in user starts an application in an open call."""

    call = forms.ModelChoiceField(queryset=Call.objects.none(), label=_("Call"), empty_label=None)

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(pk__in=[c.pk for c in calls or []])
        if calls and len(calls) == 1:
            self.fields["call"].widget = forms.HiddenInput()
            self.fields["call"].initial = calls[0].pk


class ApplyForm(AccessibleMixin, NewOrganisationFields):
    """An anonymous visitor starts an application: the account, then the first step."""

    call = forms.ModelChoiceField(queryset=Call.objects.none(), label=_("Call"), empty_label=None)
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    managing_cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.none(),
        required=False,
        label=_("Cluster that reviews your application"),
        help_text=_(
            "The cluster your organisation is a member of. Organisations that are not "
            "members choose the cluster of their region."
        ),
    )
    consent_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."),
        error_messages={"required": _("Your agreement is needed to create the account.")},
    )

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        calls = list(calls or [])
        self.email_taken = False
        self.fields["call"].queryset = Call.objects.filter(pk__in=[c.pk for c in calls])
        if len(calls) == 1:
            self.fields["call"].widget = forms.HiddenInput()
            self.fields["call"].initial = calls[0].pk
        self.fields["managing_cluster"].queryset = Cluster.objects.filter(
            partnership_id__in={c.partnership_id for c in calls}
        ).order_by("acronym")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"

    def account_fields(self):
        return [self[n] for n in ("full_name", "email", "password1", "password2", "language")]

    def clean_email(self):
        from allauth.account.models import EmailAddress

        email = get_adapter().clean_email(self.cleaned_data["email"].strip().lower())
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            # No error: the page must answer as for a new address (no enumeration); the
            # view emails the owner instead.
            self.email_taken = True
        return email

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            probe = User(email=data.get("email") or "", full_name=data.get("full_name") or "")
            try:
                get_adapter().clean_password(password1, user=probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        call, cluster = data.get("call"), data.get("managing_cluster")
        if call and cluster and cluster.partnership_id != call.partnership_id:
            self.add_error(
                "managing_cluster", _("Choose a cluster of the partnership that runs this call.")
            )
        self.check_organisation_minimum()
        return data


# --- Review and matching ----------------------------------------------------------------


class ReviewForm(AccessibleMixin, forms.Form):
    DECISIONS = [
        ("save", _("Save the checklist and notes")),
        (Application.Status.UNDER_REVIEW, _("Start the review")),
        (Application.Status.ACCEPTED, _("Accept")),
        (Application.Status.REJECTED, _("Reject")),
        (Application.Status.INFO_REQUESTED, _("Ask for more information")),
    ]

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    review_notes = forms.CharField(
        label=_("Internal notes (not shown to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )
    note = forms.CharField(
        label=_("Message to the applicant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_(
            "Required to reject (the reason) or to ask for more information (what is needed)."
        ),
    )

    def __init__(self, *args, application: Application | None = None, **kwargs):
        if application is not None:
            kwargs.setdefault(
                "initial",
                {
                    "review_notes": application.review_notes,
                    **{k: bool(application.review_checklist.get(k)) for k, _l in CHECKLIST},
                },
            )
        super().__init__(*args, **kwargs)
        for key, label in CHECKLIST:
            self.fields[key] = forms.BooleanField(label=label, required=False)
            self.fields[key].widget.attrs["class"] = "form-check-input"
            if key in self.initial:
                self.fields[key].initial = self.initial[key]

    def checklist_fields(self):
        return [self[key] for key, _l in CHECKLIST]

    def checklist(self) -> dict:
        return {key: bool(self.cleaned_data.get(key)) for key, _l in CHECKLIST}

    def clean(self):
        data = super().clean()
        if (
            data.get("decision")
            in (
                Application.Status.REJECTED,
                Application.Status.INFO_REQUESTED,
            )
            and not (data.get("note") or "").strip()
        ):
            self.add_error(
                "note",
                _("Give the reason for the rejection.")
                if data["decision"] == Application.Status.REJECTED
                else _("Say what information is needed."),
            )
        return data


class ProposalForm(AccessibleMixin, forms.Form):
    direction = forms.ChoiceField(
        label=_("Who visits whom?"), choices=[], widget=forms.RadioSelect, required=False
    )
    message = forms.CharField(
        label=_("Message to the other side"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
        help_text=_("Say who you are and what you would like to do together."),
    )

    def __init__(self, *args, directions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directions = directions or []
        if len(self.directions) > 1:
            self.fields["direction"].choices = [(str(i), label) for i, label in self.directions]
            self.fields["direction"].required = True
            self.fields["direction"].widget.attrs["class"] = "form-check-input"
        else:
            del self.fields["direction"]

    def direction_index(self) -> int:
        return int(self.cleaned_data.get("direction") or 0)
