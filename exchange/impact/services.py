"""Impact follow-up (issue 12, bullet 11).

3, 6 and 12 months after an exchange's closing report is validated, the visitor and the
host get a short survey (collaboration agreement signed, joint project, new clients or
suppliers, investment, jobs, free text); so does each attendee of a training, counted
from the training's last day. Rules:

- a milestone is surveyed only while it is recent (GRACE_DAYS): turning the feature on
  does not flood people with surveys about old exchanges;
- one survey row per person, occasion and milestone (database keys), one invitation and
  one reminder (REMINDER_AFTER_DAYS later, if unanswered) through the outbox, whose
  occasion keys make a second run a no-op;
- people who unsubscribed from the "surveys" category get nothing (status "unsubscribed");
- the survey is a private link (a signed id, no login), answered once, open
  OPEN_DAYS after it became due;
- results feed projects/kpis.py (collaboration agreements, joint projects, response rate).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import email_queue, is_unsubscribed

from .. import emails
from ..models import Exchange, ExternalParty, ImpactSurvey, Signature

S = ImpactSurvey.Status
MILESTONES = (3, 6, 12)
GRACE_DAYS = 45
REMINDER_AFTER_DAYS = 14
OPEN_DAYS = 120
TOKEN_SALT = "exchange.impact.survey"
# After a validated report (whatever happened next: paid, closed).
VALIDATED = [Exchange.Status.REPORT_VALIDATED, Exchange.Status.PAID, Exchange.Status.CLOSED]


def add_months(day: date, months: int) -> date:
    """Calendar months (31 January + 1 month = 28/29 February)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _milestones_due(base: date, today: date) -> list[tuple[int, date]]:
    due = []
    for months in MILESTONES:
        on = add_months(base, months)
        if today - timedelta(days=GRACE_DAYS) <= on <= today:
            due.append((months, on))
    return due


# --- Who answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Respondent:
    email: str
    name: str
    language: str


def _exchange_respondents(exchange: Exchange, parties: dict) -> dict[str, Respondent]:
    """The visitor's and the host's person: the applicant, or the contact of a party of
    another partnership."""
    R = Signature.Role
    found = {}
    for side, application, role in (
        (ImpactSurvey.Respondent.VISITOR, exchange.visitor_application, R.VO),
        (ImpactSurvey.Respondent.HOST, exchange.host_application, R.HO),
    ):
        if application is not None:
            user = application.applicant
            found[side] = Respondent(user.email, user.get_full_name(), user.language)
        elif (exchange.pk, role) in parties:
            party = parties[(exchange.pk, role)]
            found[side] = Respondent(
                party.contact_email, party.contact_name, party.contact_language
            )
    return found


# --- The sweep ------------------------------------------------------------------------------------


def surveys_create(*, today: date | None = None) -> int:
    """Creates the survey rows that became due (a few queries; a second run creates
    nothing: the unique keys hold)."""
    from workshops.models import Event, Registration

    today = today or timezone.localdate()
    oldest = add_months(today - timedelta(days=GRACE_DAYS), -max(MILESTONES))
    newest = add_months(today, -min(MILESTONES))
    rows = []
    exchanges = list(
        Exchange.objects.filter(
            status__in=VALIDATED,
            report__validated_at__date__gte=oldest,
            report__validated_at__date__lte=newest,
        ).select_related("report", "visitor_application__applicant", "host_application__applicant")
    )
    parties = {
        (p.exchange_id, p.role): p for p in ExternalParty.objects.filter(exchange__in=exchanges)
    }
    for exchange in exchanges:
        base = timezone.localdate(exchange.report.validated_at)
        for months, on in _milestones_due(base, today):
            for side, person in _exchange_respondents(exchange, parties).items():
                rows.append(
                    ImpactSurvey(
                        exchange=exchange,
                        respondent=side,
                        months=months,
                        due_on=on,
                        email=person.email,
                        name=person.name,
                        language=person.language,
                    )
                )
    attendees = Registration.objects.filter(
        status=Registration.Status.ATTENDED,
        event__kind=Event.Kind.TRAINING,
        event__end__date__gte=oldest,
        event__end__date__lte=newest,
    ).select_related("event")
    for registration in attendees:
        base = timezone.localdate(registration.event.end)
        for months, on in _milestones_due(base, today):
            rows.append(
                ImpactSurvey(
                    registration=registration,
                    respondent=ImpactSurvey.Respondent.ATTENDEE,
                    months=months,
                    due_on=on,
                    email=registration.email,
                    name=registration.full_name,
                    language=registration.language,
                )
            )
    before = ImpactSurvey.objects.count()
    ImpactSurvey.objects.bulk_create(rows, ignore_conflicts=True)
    return ImpactSurvey.objects.count() - before


def due(*, today: date | None = None) -> list[tuple[int, str]]:
    """(survey id, "invite" | "reminder") for every email to queue now."""
    today = today or timezone.localdate()
    invites = ImpactSurvey.objects.filter(status=S.PENDING, due_on__lte=today).values_list(
        "pk", flat=True
    )
    reminders = ImpactSurvey.objects.filter(
        status=S.SENT,
        reminded_at__isnull=True,
        sent_at__date__lte=today - timedelta(days=REMINDER_AFTER_DAYS),
        due_on__gte=today - timedelta(days=OPEN_DAYS),
    ).values_list("pk", flat=True)
    return [(pk, "invite") for pk in invites] + [(pk, "reminder") for pk in reminders]


def survey_url(survey: ImpactSurvey) -> str:
    token = signing.dumps(survey.pk, salt=TOKEN_SALT)
    return settings.SITE_URL + reverse("exchange:impact_survey", args=[token])


def _subject_of(survey: ImpactSurvey) -> str:
    if survey.exchange_id:
        exchange = survey.exchange
        return (
            f"{exchange.visitor_organisation.legal_name} → {exchange.host_organisation.legal_name}"
        )
    return survey.registration.event.title


@transaction.atomic
def survey_send(*, survey_id: int, occasion: str) -> bool:
    """Queues the invitation or the reminder of one survey (idempotent: the outbox key
    is per survey and occasion). Returns whether an email was created."""
    survey = (
        ImpactSurvey.objects.select_for_update(of=("self",))
        .select_related(
            "exchange__visitor_organisation",
            "exchange__host_organisation",
            "registration__event",
        )
        .get(pk=survey_id)
    )
    kind = emails.IMPACT_SURVEY if occasion == "invite" else emails.IMPACT_REMINDER
    if survey.status in (S.ANSWERED, S.UNSUBSCRIBED):
        return False
    if occasion == "reminder" and (survey.status != S.SENT or survey.reminded_at):
        return False
    if is_unsubscribed(survey.email, kind.category):
        survey.status = S.UNSUBSCRIBED
        survey.save(update_fields=["status"])
        return False
    row = email_queue(
        kind=kind.name,
        to=survey.email,
        language=survey.language,
        occasion_key=f"exchange.impact:{survey.pk}:{occasion}",
        context={
            "name": survey.name,
            "months": survey.months,
            "about": _subject_of(survey),
            "training": survey.registration_id is not None,
            "url": survey_url(survey),
        },
        about=survey.exchange or survey.registration,
    )
    now = timezone.now()
    if occasion == "invite":
        survey.status, survey.sent_at = S.SENT, survey.sent_at or now
        survey.save(update_fields=["status", "sent_at"])
    else:
        survey.reminded_at = now
        survey.save(update_fields=["reminded_at"])
    return row is not None


# --- Answering ------------------------------------------------------------------------------------


def survey_for_token(token: str) -> ImpactSurvey:
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature as exc:
        raise PermissionDenied(_("This link is not valid.")) from exc
    survey = (
        ImpactSurvey.objects.select_related(
            "exchange__visitor_organisation",
            "exchange__host_organisation",
            "registration__event",
        )
        .filter(pk=pk)
        .first()
    )
    if survey is None:
        raise PermissionDenied(_("This link is not valid."))
    return survey


def survey_open(survey: ImpactSurvey, *, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return survey.status != S.ANSWERED and today <= survey.due_on + timedelta(days=OPEN_DAYS)


ANSWER_FIELDS = (
    "collaboration_agreement",
    "joint_project",
    "new_clients_or_suppliers",
    "investment_eur",
    "jobs_created",
    "comments",
)


@transaction.atomic
def survey_answer(*, survey: ImpactSurvey, data: dict) -> ImpactSurvey:
    """Answered once, while open."""
    survey = ImpactSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == S.ANSWERED:
        raise ValidationError(_("This survey was already answered. Thank you!"))
    if not survey_open(survey):
        raise ValidationError(_("This survey is closed."))
    for name in ANSWER_FIELDS:
        if name in data:
            setattr(survey, name, data[name])
    survey.status = S.ANSWERED
    survey.answered_at = timezone.now()
    survey.save()
    return survey


def subject_label(survey: ImpactSurvey) -> str:
    return _subject_of(survey)
