"""The impact survey (impact/services.py holds the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..applications.forms import AccessibleMixin

YES_NO = [("", _("Not yet / I don't know")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        widget=forms.RadioSelect,
    )


class ImpactSurveyForm(AccessibleMixin, forms.Form):
    collaboration_agreement = _yes_no(
        _("Did you sign a collaboration agreement with the other organisation?")
    )
    joint_project = _yes_no(_("Did you start a joint project (R&D, product, tender)?"))
    new_clients_or_suppliers = _yes_no(_("Did you win new clients or suppliers thanks to it?"))
    investment_eur = forms.DecimalField(
        label=_("Investment made or decided because of it (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    jobs_created = forms.IntegerField(
        label=_("Jobs created because of it"), required=False, min_value=0, max_value=100000
    )
    comments = forms.CharField(
        label=_("Anything else you want to tell us"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
