"""Events (workshops, trainings, meetings …), their agenda, and registrations."""

import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from clamtex.core.models import StatusTransition
from members.models import Cluster, Organisation, Partnership


def _token() -> str:
    return secrets.token_urlsafe(24)


TIMEZONES = sorted(
    (z, z) for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc")
)


class Event(models.Model):
    class Kind(models.TextChoices):
        PARTNER_MEETING = "partner_meeting", _("Kick-off / partner meeting")
        WORKSHOP = "workshop", _("Workshop")
        TRAINING = "training", _("Training (capacity building)")
        DESIGN_THINKING = "design_thinking", _("Design thinking session")
        STUDY_VISIT = "study_visit", _("Study visit")
        LEARNING = "learning", _("Learning event")
        MATCHMAKING = "matchmaking", _("Matchmaking (C2C / B2B)")
        WEBINAR = "webinar", _("Webinar")

    class Axis(models.TextChoices):
        DIGITAL = "digital", _("Innovation & digitalisation")
        INTERNATIONAL = "international", _("Internationalisation")
        CIRCULAR = "circular", _("Circular economy")

    class Audience(models.TextChoices):
        CLUSTER = "cluster", _("Members of the organiser cluster(s)")
        PARTNERSHIP = "partnership", _("Members of the whole partnership")
        PUBLIC = "public", _("Public")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="events", verbose_name=_("partnership")
    )
    organisers = models.ManyToManyField(
        Cluster, related_name="events", verbose_name=_("organiser clusters")
    )
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.WORKSHOP)
    axis = models.CharField(_("programme axis"), max_length=20, choices=Axis, default=Axis.DIGITAL)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    timezone = models.CharField(
        _("time zone"), max_length=60, choices=TIMEZONES, default="Europe/Madrid"
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience, default=Audience.PARTNERSHIP
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity_in_person = models.PositiveIntegerField(_("seats in person"), default=0)
    capacity_online = models.PositiveIntegerField(_("seats online"), default=0)
    # Seats taken, kept by conditional UPDATEs; the check constraints make overbooking
    # impossible in the database whatever the code does.
    taken_in_person = models.PositiveIntegerField(default=0, editable=False)
    taken_online = models.PositiveIntegerField(default=0, editable=False)
    approval_required = models.BooleanField(
        _("organiser approves each registration"), default=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        indexes = [models.Index(fields=["status", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="event_end_after_start"),
            models.CheckConstraint(
                condition=Q(taken_in_person__lte=F("capacity_in_person")),
                name="event_in_person_seats_not_exceeded",
            ),
            models.CheckConstraint(
                condition=Q(taken_online__lte=F("capacity_online")),
                name="event_online_seats_not_exceeded",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def local_start(self):
        return timezone.localtime(self.start, self.tz)

    @property
    def local_end(self):
        return timezone.localtime(self.end, self.tz)

    @property
    def has_venue(self) -> bool:
        return self.capacity_in_person > 0 or bool(self.venue_name)

    @property
    def is_online(self) -> bool:
        return self.capacity_online > 0 or bool(self.online_url)

    @property
    def is_hybrid(self) -> bool:
        return self.has_venue and self.is_online

    @property
    def seats_left_in_person(self) -> int:
        return max(self.capacity_in_person - self.taken_in_person, 0)

    @property
    def seats_left_online(self) -> int:
        return max(self.capacity_online - self.taken_online, 0)

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now()

    @property
    def registration_is_open(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and not self.is_past
            and (self.registration_opens is None or self.registration_opens <= now)
            and (self.registration_closes is None or now <= self.registration_closes)
        )


class Speaker(models.Model):
    name = models.CharField(_("name"), max_length=200)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    bio = models.TextField(_("short biography"), blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


class Session(models.Model):
    """One item of the agenda."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=250)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    description = models.TextField(_("description"), blank=True)
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="sessions", verbose_name=_("speakers")
    )

    class Meta:
        verbose_name = _("agenda session")
        verbose_name_plural = _("agenda")
        ordering = ["start"]

    def __str__(self):
        return self.title


class Question(models.Model):
    """A question the organiser asks at registration."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Free text")
        CHOICE = "choice", _("Choice")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=250)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class Registration(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Email not confirmed yet")
        PENDING = "pending", _("Awaiting approval")
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("No-show")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"))
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    mode = models.CharField(_("attendance"), max_length=10, choices=Mode, default=Mode.IN_PERSON)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.UNCONFIRMED
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="registration_once_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "mode"]),
            # Work queues count one status across all events (registrations awaiting
            # approval per organiser cluster): read from the index, not 500,000 rows.
            models.Index(fields=["status", "event"], name="registration_status_event"),
        ]

    def __str__(self):
        return f"{self.full_name} – {self.event}"


class RegistrationTransition(StatusTransition):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=300, blank=True)


class Feedback(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=[(i, str(i)) for i in range(1, 6)]
    )
    comments = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self):
        return f"{self.rating}/5 – {self.registration}"


class CalendarFeed(models.Model):
    """The secret address of a user's personal calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"feed of {self.user}"
