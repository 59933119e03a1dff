"""Input of the exchange pages (part 2). Forms check the shape of what was typed; the rules
(who, when, what a signature covers) live in services.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..applications.forms import AccessibleMixin
from ..models import ActivityType, ClosingReport, Evidence, Exchange, ExchangeDocument, Signature


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def agenda_lines(agenda) -> list[str]:
    """The agenda as one text per day. Stored as a list of strings; a list of dicts
    ({"day"/"date", "text"/"activities"}) written by other tools is read too."""
    lines = []
    for item in agenda or []:
        if isinstance(item, dict):
            head = item.get("date") or item.get("day") or ""
            text = item.get("text") or item.get("activities") or item.get("title") or ""
            lines.append(f"{head}: {text}" if head and text else str(head or text))
        else:
            lines.append(str(item))
    return [line for line in lines if line.strip()]


class PlanForm(AccessibleMixin, forms.Form):
    start_date = forms.DateField(
        label=_("First day at the host"),
        required=False,
        widget=_date_widget(),
        help_text=_("Travel days are not part of the stay."),
    )
    end_date = forms.DateField(
        label=_("Last day at the host"), required=False, widget=_date_widget()
    )
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    agenda = forms.CharField(
        label=_("Agenda, day by day"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One line per day at the host, e.g. “Day 1: visit of the finishing line”."),
    )
    activity_types = forms.MultipleChoiceField(
        label=_("Activity types"),
        choices=ActivityType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    host_subdivision = forms.ChoiceField(
        label=_("Host's region"),
        required=False,
        help_text=_("Its regional public holidays are not working days."),
    )

    def __init__(self, *args, plan=None, host_country: str = "", **kwargs):
        if plan is not None:
            kwargs.setdefault(
                "initial",
                {
                    "start_date": plan.start_date,
                    "end_date": plan.end_date,
                    "objectives": plan.objectives,
                    "agenda": "\n".join(agenda_lines(plan.agenda)),
                    "activity_types": plan.activity_types,
                    "host_subdivision": plan.host_subdivision,
                },
            )
        super().__init__(*args, **kwargs)
        from .grant import subdivisions

        self.fields["host_subdivision"].choices = [("", _("National holidays only"))] + [
            (code, code) for code in subdivisions(host_country)
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        return data

    def plan_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["objectives"] = data["objectives"].strip()
        data["agenda"] = [line.strip() for line in data["agenda"].splitlines() if line.strip()]
        return data


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(choices=ExchangeDocument.Kind.choices)


class SignForm(AccessibleMixin, forms.Form):
    role = forms.ChoiceField(label=_("I sign as"), widget=forms.RadioSelect)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Signing asks for your password again, to be sure it is you."),
    )

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Signature.Role.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]


class ReasonForm(AccessibleMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(AccessibleMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened"), choices=Exchange.Outcome.choices, widget=forms.RadioSelect
    )
    last_day = forms.DateField(
        label=_("Last day actually spent at the host (when cut short)"),
        required=False,
        widget=_date_widget(),
    )
    reason = forms.CharField(
        label=_("Reason (and what the host said)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BankDetailsForm(AccessibleMixin, forms.Form):
    account_holder = forms.CharField(label=_("Account holder"), max_length=200)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(
        label=_("BIC"),
        max_length=11,
        required=False,
        help_text=_("Found from the IBAN when left empty, if possible."),
    )


class LocationForm(AccessibleMixin, forms.Form):
    side = forms.ChoiceField(
        label=_("Organisation"),
        choices=[("visitor", _("Visiting organisation")), ("host", _("Host organisation"))],
    )
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), min_value=-180, max_value=180)


class ReportForm(AccessibleMixin, forms.ModelForm):
    rating = forms.TypedChoiceField(
        label=_("How would you rate the exchange? (1 = poor, 5 = excellent)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ClosingReport
        fields = [
            "actual_start",
            "actual_end",
            "actual_travel_mode",
            "actual_distance_km",
            "objectives_reached",
            "results",
            "follow_up",
            "rating",
        ]
        widgets = {
            "actual_start": _date_widget(),
            "actual_end": _date_widget(),
            "objectives_reached": forms.Textarea(attrs={"rows": 4}),
            "results": forms.Textarea(attrs={"rows": 4}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    def report_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EvidenceForm(AccessibleMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=Evidence.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX, ODT, or a photo (JPEG, PNG); at most 10 MB."),
    )


class HostConfirmForm(AccessibleMixin, forms.Form):
    took_place = forms.TypedChoiceField(
        label=_("Did the visit take place as planned?"),
        choices=[("yes", _("Yes, the visit took place")), ("no", _("No, it did not take place"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("Short feedback on the visit"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(AccessibleMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("validate", _("Validate")), ("return", _("Return to the visitor"))],
        widget=forms.HiddenInput,
    )
    evidence_checked = forms.BooleanField(
        label=_("I checked the evidence (tickets, invoices, attendance)"), required=False
    )
    comments = forms.CharField(
        label=_("Comments for the visitor (needed to return the report)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaymentForm(AccessibleMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=_date_widget())
    reference = forms.CharField(label=_("Reference of the transfer"), max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ExchangeListFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Exchange.Status.choices], required=False
    )
    q = forms.CharField(label=_("Organisation"), required=False, max_length=100)


class PaymentFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("Payment"),
        choices=[("", _("All")), ("due", _("Due")), ("overdue", _("Overdue")), ("paid", _("Paid"))],
        required=False,
    )
