"""Input of the workshops pages. Forms validate what was typed; rules live in services."""

import zoneinfo
from datetime import UTC

from django import forms
from django.conf import settings
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from members.forms import BootstrapMixin
from members.models import Cluster, Organisation

from .models import Event, Question, Registration, Session

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as read on the event's clock. Parsed as a naive value (not in the
    visitor's time zone); the form makes it aware in the event's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def to_python(self, value):
        # UTC has no gaps or folds, so parsing never fails on a DST change of the server's
        # zone; the wall-clock value is then read back unchanged.
        with timezone.override(UTC):
            result = super().to_python(value)
        return timezone.make_naive(result, UTC) if result is not None else None

    def prepare_value(self, value):
        return value  # initial values are naive wall-clock times already


class EventClockMixin:
    """Wall-clock fields are made aware in `self.tz` (the event's zone) after cleaning;
    initial values are shown on that clock."""

    clock_fields: tuple[str, ...] = ()

    def show_on_clock(self, instance, tz) -> None:
        for name in self.clock_fields:
            value = getattr(instance, name, None)
            if value is not None:
                self.initial[name] = timezone.localtime(value, tz).replace(tzinfo=None)

    def make_aware_on_clock(self, data: dict, tz) -> None:
        for name in self.clock_fields:
            value = data.get(name)
            if value is not None and timezone.is_naive(value):
                data[name] = timezone.make_aware(value, tz)


def _zone(name: str | None, default):
    try:
        return zoneinfo.ZoneInfo(name) if name else default
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return default


EVENT_FIELDS = [
    "title",
    "kind",
    "axis",
    "summary",
    "description",
    "language",
    "timezone",
    "start",
    "end",
    "venue_name",
    "venue_address",
    "city",
    "country",
    "online_url",
    "audience",
    "registration_opens",
    "registration_closes",
    "capacity_in_person",
    "capacity_online",
    "approval_required",
]


# Zones offered besides those of the partnership's countries: the common ones of Europe and
# its neighbours, and a few for online events with far-away partners.
COMMON_ZONES = (
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Vienna",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Stockholm",
    "Europe/Helsinki",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Istanbul",
    "Atlantic/Canary",
    "Atlantic/Azores",
    "Africa/Casablanca",
    "Africa/Tunis",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Shanghai",
    "Asia/Tokyo",
)


def zone_label(zone: str, country: str | None = None) -> str:
    """A zone as people name it, in the current language: "Spain – Canary Islands"."""
    from babel import Locale
    from babel.dates import get_timezone_location
    from django.utils import translation

    locale = Locale.parse((translation.get_language() or "en").split("-")[0])
    city = get_timezone_location(zone, locale=locale, return_city=True)
    if country is None:
        from babel.core import get_global

        country = next(
            (c for c, zones in get_global("territory_zones").items() if zone in zones[:1]), None
        ) or next((c for c, zones in get_global("territory_zones").items() if zone in zones), None)
    name = locale.territories.get(country) if country else None
    return f"{name} – {city}" if name and name != city else city


def country_zones(country: str) -> list[str]:
    from babel.core import get_global

    return list(get_global("territory_zones").get(country, []))


def timezone_choices(countries, current: str | None = None) -> list:
    """The zones of the partnership's countries first, then the common ones (grouped)."""
    first = []
    for country in countries:
        first += [(z, zone_label(z, country)) for z in country_zones(country) if z not in first]
    seen = {z for z, _label in first}
    others = sorted(((z, zone_label(z)) for z in COMMON_ZONES if z not in seen), key=lambda c: c[1])
    seen |= {z for z, _label in others}
    choices = [
        (_("Countries of the partnership"), first),
        (_("Other time zones"), others + [("UTC", "UTC")]),
    ]
    if current and current not in seen and current != "UTC":
        choices.append((_("Current"), [(current, current)]))
    return choices


class EventForm(EventClockMixin, BootstrapMixin, forms.ModelForm):
    clock_fields = ("start", "end", "registration_opens", "registration_closes")

    organisers = forms.ModelMultipleChoiceField(
        queryset=Cluster.objects.none(),
        label=_("Organiser clusters"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    start = WallClockDateTimeField(label=_("Start"))
    end = WallClockDateTimeField(label=_("End"))
    registration_opens = WallClockDateTimeField(label=_("Registration opens"), required=False)
    registration_closes = WallClockDateTimeField(label=_("Registration closes"), required=False)

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        # "kind" alone is also the email kind of the outbox: say which kind this is.
        labels = {"kind": pgettext_lazy("event", "Type of event")}
        help_texts = {
            "timezone": _("Dates and times are entered and shown on the clock of this zone."),
            "capacity_in_person": _("0 if the event is online only."),
            "capacity_online": _("0 if the event is in person only."),
            "registration_opens": _("Leave empty to open registration when you publish."),
            "registration_closes": _("Leave empty to accept registrations until the end."),
        }

    def __init__(self, *args, clusters=None, managed_ids=None, user=None, **kwargs):
        """`clusters`: the clusters the user may name as organisers (every cluster of the
        partnerships of the clusters they manage: co-organisers, plus the current
        organisers when editing); `managed_ids`: None for an administrator, else the
        clusters the user manages (one must stay an organiser)."""
        super().__init__(*args, **kwargs)
        self.managed_ids = managed_ids
        self.fields["organisers"].queryset = clusters
        self.order_fields(["organisers", *EVENT_FIELDS])
        clusters = list(clusters)
        own = [c for c in clusters if managed_ids is None or c.pk in managed_ids]
        countries = list(dict.fromkeys(str(c.country) for c in clusters if c.country))
        if self.instance.pk:
            self.initial["organisers"] = [c.pk for c in self.instance.organisers.all()]
            self.show_on_clock(self.instance, self.instance.tz)
        else:
            if len(own) == 1:
                self.initial["organisers"] = [own[0].pk]
            # The organiser cluster's clock, and the manager's language.
            if own and own[0].country:
                zones = country_zones(str(own[0].country))
                if zones:
                    self.initial["timezone"] = zones[0]
            if user is not None and getattr(user, "language", ""):
                self.initial["language"] = user.language
        self.fields["timezone"] = forms.ChoiceField(
            label=self.fields["timezone"].label,
            help_text=self.fields["timezone"].help_text,
            choices=timezone_choices(countries, current=self.instance.timezone),
        )
        self.fields["timezone"].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        tz = _zone(data.get("timezone"), self.instance.tz)
        self.make_aware_on_clock(data, tz)
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        opens, closes = data.get("registration_opens"), data.get("registration_closes")
        if opens and closes and closes < opens:
            self.add_error("registration_closes", _("Registration cannot close before it opens."))
        if closes and end and closes > end:
            self.add_error("registration_closes", _("Registration cannot close after the event."))
        organisers = list(data.get("organisers") or [])
        if organisers:
            if len({c.partnership_id for c in organisers}) > 1:
                self.add_error(
                    "organisers", _("The organisers must belong to the same partnership.")
                )
            elif self.managed_ids is not None and not {c.pk for c in organisers} & set(
                self.managed_ids
            ):
                self.add_error(
                    "organisers", _("One of the organisers must be a cluster you manage.")
                )
        return data

    def event_data(self) -> dict:
        """The model fields for services.event_save; the partnership is the organisers'."""
        data = {name: self.cleaned_data[name] for name in EVENT_FIELDS}
        data["partnership"] = self.cleaned_data["organisers"][0].partnership
        return data


class SessionForm(EventClockMixin, BootstrapMixin, forms.ModelForm):
    clock_fields = ("start", "end")

    start = WallClockDateTimeField(label=_("Start"))
    end = WallClockDateTimeField(label=_("End"))

    class Meta:
        model = Session
        fields = ["title", "start", "end", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, tz=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        if self.instance.pk:
            self.show_on_clock(self.instance, self.tz)

    def clean(self):
        data = super().clean()
        self.make_aware_on_clock(data, self.tz)
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return data


class QuestionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = ["label", "kind", "choices", "required", "position"]
        labels = {"kind": pgettext_lazy("registration question", "Type of answer")}
        widgets = {"choices": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if data.get("kind") == Question.Kind.CHOICE and not [
            c for c in (data.get("choices") or "").splitlines() if c.strip()
        ]:
            self.add_error("choices", _("A choice question needs at least one choice."))
        return data


class InlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


SessionFormSet = inlineformset_factory(
    Event, Session, form=SessionForm, formset=InlineFormSet, extra=1, can_delete=True
)
QuestionFormSet = inlineformset_factory(
    Event, Question, form=QuestionForm, formset=InlineFormSet, extra=1, can_delete=True
)


def zone_of_post(data, default):
    """The zone the organiser chose in the submitted event form, for the agenda's times."""
    return _zone(data.get("timezone") if data else None, default)


# --- Registration --------------------------------------------------------------------


class RegistrationForm(BootstrapMixin, forms.Form):
    """Three shapes: a visitor without an account (name, email, language), a member
    registering themselves (name from the account, email fixed), a representative
    registering a colleague (name, email, language, organisation). The event's questions
    are added as fields `q_<pk>`."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation"), required=False
    )
    mode = forms.ChoiceField(label=_("Attendance"))

    def __init__(
        self,
        *args,
        event: Event,
        user=None,
        colleague: bool = False,
        organisations=None,
        language: str = "en",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = list(event.questions.all())
        authenticated = getattr(user, "is_authenticated", False)
        self.colleague = colleague and authenticated
        self.self_registration = authenticated and not self.colleague
        if self.self_registration:
            self.fields["full_name"].initial = user.full_name
            self.fields["full_name"].help_text = _("As it should appear on the certificate.")
            self.fields["email"].initial = user.email
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("The email of your account.")
            del self.fields["language"]
        else:
            self.fields["language"].initial = language
        if self.colleague:
            self.fields["full_name"].label = _("Your colleague's full name")
            self.fields["email"].label = _("Your colleague's email")
        only = list(organisations[:2]) if organisations is not None and authenticated else []
        if only:
            self.fields["organisation"].queryset = organisations.order_by("legal_name")
            self.fields["organisation"].required = self.colleague
            if len(only) == 1:
                self.fields["organisation"].initial = only[0].pk
        else:
            del self.fields["organisation"]
        modes = []
        for mode, capacity, left in (
            (Registration.Mode.IN_PERSON, event.capacity_in_person, event.seats_left_in_person),
            (Registration.Mode.ONLINE, event.capacity_online, event.seats_left_online),
        ):
            if capacity:
                state = (
                    ngettext("%(n)d seat left", "%(n)d seats left", left) % {"n": left}
                    if left
                    else _("full: waiting list")
                )
                modes.append((mode.value, f"{mode.label} ({state})"))
        self.fields["mode"].choices = modes
        if len(modes) == 1:
            self.fields["mode"].initial = modes[0][0]
        for question in self.questions:
            name = f"q_{question.pk}"
            if question.kind == Question.Kind.CHOICE:
                field = forms.ChoiceField(
                    label=question.label,
                    required=question.required,
                    choices=[("", "—"), *[(c, c) for c in question.choice_list]],
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
            else:
                field = forms.CharField(
                    label=question.label,
                    required=question.required,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )
            self.fields[name] = field

    def answers(self) -> dict:
        """{question label: answer}, empty answers left out."""
        result = {}
        for question in self.questions:
            value = (self.cleaned_data.get(f"q_{question.pk}") or "").strip()
            if value:
                result[question.label] = value
        return result


# --- Registrant self-service, organisers ---------------------------------------------


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the event for you?"),
        help_text=_("1: not useful, 5: very useful"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    comments = forms.CharField(
        label=_("What should we keep or change? (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the people concerned)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


RECIPIENTS = {
    "registered": (_("Registered (seat confirmed)"), [Registration.Status.REGISTERED]),
    "waitlisted": (_("On the waiting list"), [Registration.Status.WAITLISTED]),
    "pending": (_("Awaiting approval"), [Registration.Status.PENDING]),
    "active": (
        _("Everyone registered, waiting or awaiting approval"),
        [
            Registration.Status.REGISTERED,
            Registration.Status.WAITLISTED,
            Registration.Status.PENDING,
        ],
    ),
    "attended": (_("Attended"), [Registration.Status.ATTENDED]),
    "no_show": (_("No-show"), [Registration.Status.NO_SHOW]),
    "after": (
        _("Everyone who attended or was registered"),
        [Registration.Status.ATTENDED, Registration.Status.REGISTERED],
    ),
}


class MessageForm(BootstrapMixin, forms.Form):
    recipients = forms.ChoiceField(
        label=_("Send to"), choices=[(k, v[0]) for k, v in RECIPIENTS.items()]
    )
    mode = forms.ChoiceField(
        label=_("Attendance"),
        required=False,
        choices=[("", _("In person and online")), *Registration.Mode.choices],
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Sent in plain text with a link to the event page. People who opted out of "
            "organisers' messages do not receive it."
        ),
    )

    def statuses(self) -> list[str]:
        return RECIPIENTS[self.cleaned_data["recipients"]][1]
