from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import BootstrapMixin

from .models import ApiToken, WebhookEvent


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses it."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )

    def clean_expires_on(self):
        value = self.cleaned_data.get("expires_on")
        if value and value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date in the future."))
        if value and value.year > 9000:
            raise forms.ValidationError(_("Choose a nearer date."))
        return value

    def expires_at(self):
        value = self.cleaned_data.get("expires_on")
        if not value:
            return None
        return timezone.make_aware(datetime.combine(value, time.max))


class WebhookForm(BootstrapMixin, forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=None)
    url = forms.URLField(label=_("Endpoint URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(v, v) for v in WebhookEvent.values if v != WebhookEvent.TEST],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        self.fields["event_types"].widget.attrs["class"] = "form-check-input"
