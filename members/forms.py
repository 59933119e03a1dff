from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Cluster, Contact, Membership, Organisation, Sector


class BootstrapMixin:
    """Bootstrap classes on every widget, and aria-invalid on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                attrs = self.fields[name].widget.attrs  # formset fields come without one
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


ORGANISATION_FIELDS = [
    "legal_name",
    "vat_number",
    "org_type",
    "country",
    "address",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "website",
    "description",
    "employees",
    "turnover_eur",
    "balance_sheet_eur",
    "sectors",
    "capabilities",
    "certifications",
]


class OrganisationForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "capabilities": forms.Textarea(attrs={"rows": 3}),
            "sectors": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.order_by("code")


class OrganisationCreateForm(OrganisationForm):
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none(), label=_("Cluster"))
    membership_start = forms.DateField(
        label=_("Member since"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta(OrganisationForm.Meta):
        fields = ["cluster", "membership_start", *ORGANISATION_FIELDS]

    def __init__(self, *args, clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        only = list(clusters[:2])
        if len(only) == 1:
            self.fields["cluster"].initial = only[0].pk


class ClusterForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Cluster
        fields = [
            "name",
            "acronym",
            "logo",
            "legal_status",
            "year_founded",
            "country",
            "nuts2_region",
            "nuts2_code",
            "city",
            "website",
            "website_en",
            "description",
            "staff_fte",
            "members_sme",
            "members_large",
            "members_research",
            "members_public",
            "members_other",
            "sectors",
            "technologies",
            "keywords",
            "value_chains",
            "services",
            "label",
            "label_valid_until",
            "eccp_url",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "technologies": forms.Textarea(attrs={"rows": 3}),
            "keywords": forms.Textarea(attrs={"rows": 3}),
            "value_chains": forms.Textarea(attrs={"rows": 3}),
            "services": forms.Textarea(attrs={"rows": 3}),
            "label_valid_until": forms.DateInput(attrs={"type": "date"}),
            "sectors": forms.SelectMultiple(attrs={"size": 8}),
        }

    def clean(self):
        data = super().clean()
        if (
            data.get("label")
            and data["label"] != Cluster.Label.NONE
            and not data.get("label_valid_until")
        ):
            self.add_error("label_valid_until", _("A cluster label needs a valid-until date."))
        return data


class MembershipForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["status", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class ContactForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "full_name",
            "job_title",
            "email",
            "phone",
            "language",
            "is_primary",
            "consent_given",
        ]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = Contact.objects.filter(organisation=self.organisation, email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("This organisation already has a contact with this email.")
            )
        return email


class InvitationForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email of the person to invite"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none(), label=_("On behalf of"))

    def __init__(self, *args, clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        only = list(clusters[:2])
        if len(only) == 1:
            self.fields["cluster"].initial = only[0].pk


class ImportForm(BootstrapMixin, forms.Form):
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none(), label=_("Import into"))
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("Use the columns of the directory export. At most 10,000 rows and 5 MB."),
    )

    def __init__(self, *args, clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.MEMBER_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ProfileForm(BootstrapMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class PreferencesForm(BootstrapMixin, forms.Form):
    """One checkbox per non-essential email category."""

    def __init__(self, *args, **kwargs):
        from notifications.kinds import CATEGORIES

        super().__init__(*args, **kwargs)
        for key, label in CATEGORIES.items():
            self.fields[f"cat_{key}"] = forms.BooleanField(label=label, required=False)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-check-input"

    def enabled(self) -> set[str]:
        return {name[4:] for name, value in self.cleaned_data.items() if value}
