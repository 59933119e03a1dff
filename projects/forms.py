from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import BootstrapMixin

from .models import ReportRun


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportRequestForm(BootstrapMixin, forms.Form):
    # Ids within the database's integer range: a huge number is a form error, not an
    # overflow in the lookup.
    project = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    cluster = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )
    period_start = forms.DateField(label=_("From"), widget=_date_widget())
    period_end = forms.DateField(label=_("To"), widget=_date_widget())
    format = forms.ChoiceField(
        label=_("Format"), choices=ReportRun.Format.choices, initial=ReportRun.Format.PDF
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class DeliverableUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, DOCX or ODT, at most 10 MB."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    submit = forms.BooleanField(
        label=_("Submit this version to the coordinator for approval"), required=False
    )


class DecisionForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("What needs to change"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class KPIValueForm(BootstrapMixin, forms.Form):
    kpi = forms.ModelChoiceField(label=_("Indicator"), queryset=None)
    cluster = forms.ModelChoiceField(
        label=_("Cluster"),
        queryset=None,
        required=False,
        empty_label=_("The partnership as a whole"),
    )
    period_start = forms.DateField(label=_("Period from"), widget=_date_widget())
    period_end = forms.DateField(label=_("Period to"), widget=_date_widget())
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, kpis, clusters, partnership_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis
        self.fields["cluster"].queryset = clusters
        if not partnership_allowed:
            self.fields["cluster"].required = True
            self.fields["cluster"].empty_label = None

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data
