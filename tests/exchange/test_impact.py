"""Impact follow-up (issue 12, bullet 11): surveys 3, 6 and 12 months after a validated
exchange or a training; one invitation and one reminder; unsubscribe honoured; private
link; results in the KPIs, the dashboard and the report."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from exchange import tasks
from exchange.impact import services as impact
from exchange.models import Exchange, ImpactSurvey
from notifications.models import Email, Unsubscription
from projects import kpis
from tests.exchange.external_helpers import external_host_exchange
from tests.exchange.lifecycle_factories import advance, matched_exchange
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event, Registration

pytestmark = pytest.mark.django_db

X = Exchange.Status
S = ImpactSurvey.Status
VALIDATED_ON = date(2031, 4, 1)


def _aware(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def validated(world):
    parties = matched_exchange(world)
    parties.visitor.language = "es"
    parties.visitor.save(update_fields=["language"])
    advance(parties, X.REPORT_VALIDATED)
    parties.exchange.report.__class__.objects.filter(exchange=parties.exchange).update(
        validated_at=_aware(VALIDATED_ON)
    )
    return parties


def test_add_months_is_calendar_months():
    assert impact.add_months(date(2031, 1, 31), 1) == date(2031, 2, 28)
    assert impact.add_months(date(2031, 11, 15), 3) == date(2032, 2, 15)
    assert impact.add_months(date(2031, 4, 1), 12) == date(2032, 4, 1)


def test_surveys_created_three_months_after_validation_for_visitor_and_host(validated):
    assert impact.surveys_create(today=date(2031, 6, 30)) == 0
    assert impact.surveys_create(today=date(2031, 7, 1)) == 2
    surveys = {s.respondent: s for s in ImpactSurvey.objects.all()}
    assert surveys["visitor"].email == validated.visitor.email
    assert surveys["visitor"].language == "es"
    assert surveys["host"].email == validated.host.email
    assert {s.months for s in surveys.values()} == {3}
    assert impact.surveys_create(today=date(2031, 7, 2)) == 0  # idempotent


def test_six_and_twelve_months_follow(validated):
    impact.surveys_create(today=date(2031, 7, 1))
    impact.surveys_create(today=date(2031, 10, 1))
    impact.surveys_create(today=date(2032, 4, 1))
    months = sorted(ImpactSurvey.objects.values_list("months", flat=True))
    assert months == [3, 3, 6, 6, 12, 12]


def test_old_milestones_are_not_surveyed(validated):
    # Turning the sweep on long after: only the recent milestone (12 months), not 3 and 6.
    assert impact.surveys_create(today=date(2032, 4, 20)) == 2
    assert set(ImpactSurvey.objects.values_list("months", flat=True)) == {12}


def test_invitation_once_then_one_reminder(validated):
    impact.surveys_create(today=date(2031, 7, 1))
    invites = impact.due(today=date(2031, 7, 1))
    assert sorted(o for _pk, o in invites) == ["invite", "invite"]
    for pk, occasion in invites:
        assert impact.survey_send(survey_id=pk, occasion=occasion)
        assert not impact.survey_send(survey_id=pk, occasion=occasion)  # outbox key holds
    emails = Email.objects.filter(kind="exchange.impact_survey")
    assert emails.count() == 2
    assert emails.get(recipient=validated.visitor.email).language == "es"
    ImpactSurvey.objects.update(sent_at=_aware(date(2031, 7, 1)))
    assert impact.due(today=date(2031, 7, 10)) == []  # sent, not yet time to remind
    reminders = impact.due(today=date(2031, 7, 15))
    assert [o for _pk, o in reminders] == ["reminder", "reminder"]
    for pk, occasion in reminders:
        impact.survey_send(survey_id=pk, occasion=occasion)
    assert Email.objects.filter(kind="exchange.impact_reminder").count() == 2
    assert impact.due(today=date(2031, 8, 15)) == []  # one reminder only


def test_no_reminder_once_answered(validated):
    impact.surveys_create(today=date(2031, 7, 1))
    survey = ImpactSurvey.objects.get(respondent="visitor")
    impact.survey_send(survey_id=survey.pk, occasion="invite")
    impact.survey_answer(survey=survey, data={"collaboration_agreement": True})
    ImpactSurvey.objects.update(sent_at=_aware(date(2031, 7, 1)))
    assert not impact.survey_send(survey_id=survey.pk, occasion="reminder")
    assert survey.pk not in [pk for pk, _o in impact.due(today=date(2031, 7, 20))]


def test_unsubscribed_person_gets_no_survey(validated):
    Unsubscription.objects.create(email=validated.host.email, category="surveys")
    impact.surveys_create(today=date(2031, 7, 1))
    for pk, occasion in impact.due(today=date(2031, 7, 1)):
        impact.survey_send(survey_id=pk, occasion=occasion)
    assert not Email.objects.filter(recipient=validated.host.email).filter(
        kind__startswith="exchange.impact"
    )
    assert ImpactSurvey.objects.get(respondent="host").status == S.UNSUBSCRIBED
    assert Email.objects.filter(recipient=validated.visitor.email, kind="exchange.impact_survey")


def test_host_of_another_partnership_is_surveyed_at_its_contact(world):
    exchange = external_host_exchange(world)
    from exchange.models import ClosingReport

    Exchange.objects.filter(pk=exchange.pk).update(status=X.REPORT_VALIDATED)
    ClosingReport.objects.create(
        exchange=exchange, status="validated", validated_at=_aware(VALIDATED_ON)
    )
    impact.surveys_create(today=date(2031, 7, 1))
    host = ImpactSurvey.objects.get(respondent="host")
    assert (host.email, host.language) == ("gaelle@gamma.example", "fr")


def test_training_attendees_are_surveyed_not_workshop_ones(world):
    end = _aware(date(2031, 3, 5))
    training = EventFactory(
        partnership=world.partnership,
        kind=Event.Kind.TRAINING,
        start=end - timedelta(hours=6),
        end=end,
    )
    workshop = EventFactory(partnership=world.partnership, start=end - timedelta(hours=6), end=end)
    attended = RegistrationFactory(event=training, status=Registration.Status.ATTENDED)
    RegistrationFactory(event=training, status=Registration.Status.NO_SHOW)
    RegistrationFactory(event=workshop, status=Registration.Status.ATTENDED)
    assert impact.surveys_create(today=date(2031, 6, 5)) == 1
    survey = ImpactSurvey.objects.get()
    assert (survey.registration, survey.email) == (attended, attended.email)


def test_sweep_task_sends_each_email_once(
    validated, django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    base = impact.add_months(today, -3)
    validated.exchange.report.__class__.objects.filter(exchange=validated.exchange).update(
        validated_at=_aware(base)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.impact_sweep.delay().get() == 2
        assert tasks.impact_sweep.delay().get() == 0
    assert len(mailoutbox) == 2
    message = next(m for m in mailoutbox if m.to == [validated.visitor.email])
    assert "Teixits Alfa S.L. → Composites Bêta SAS" in message.subject
    assert "/exchange/impact/" in message.body
    assert message.extra_headers.get("List-Unsubscribe")  # a non-essential category


# --- The survey page --------------------------------------------------------------------------


@pytest.fixture
def survey(validated):
    impact.surveys_create(today=date(2031, 7, 1))
    survey = ImpactSurvey.objects.get(respondent="visitor")
    impact.survey_send(survey_id=survey.pk, occasion="invite")
    return survey


def test_survey_page_answers_once_without_login(client, survey, settings):
    url = reverse("exchange:impact_survey", args=[impact.survey_url(survey).split("/")[-2]])
    page = client.get(url)
    assert page.status_code == 200
    assert "Did you sign a collaboration agreement" in page.content.decode()
    response = client.post(
        url,
        {
            "collaboration_agreement": "yes",
            "joint_project": "no",
            "new_clients_or_suppliers": "yes",
            "investment_eur": "25000",
            "jobs_created": "2",
            "comments": "A joint offer to a car maker",
        },
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == S.ANSWERED
    assert (survey.collaboration_agreement, survey.joint_project) == (True, False)
    assert survey.investment_eur == Decimal("25000")
    again = client.post(url, {"collaboration_agreement": "no"}, follow=True)
    assert "already answered" in again.content.decode()
    survey.refresh_from_db()
    assert survey.collaboration_agreement is True


def test_forged_survey_link_is_refused(client, survey):
    assert (
        client.get(reverse("exchange:impact_survey", args=[f"{survey.pk}:forged"])).status_code
        == 403
    )


# --- KPIs, dashboard, report -----------------------------------------------------------------------


def test_kpis_count_agreements_for_the_visitors_partnership(world, survey):
    host_survey = ImpactSurvey.objects.get(respondent="host")
    impact.survey_send(survey_id=host_survey.pk, occasion="invite")
    impact.survey_answer(survey=survey, data={"collaboration_agreement": True, "jobs_created": 3})
    impact.survey_answer(survey=host_survey, data={"collaboration_agreement": True})
    p = world.partnership
    assert kpis.compute("impact_collaboration_agreements", partnership=p).value == 1
    rate = kpis.compute("impact_response_rate", partnership=p)
    assert rate.value == 100 and rate.note == "2 of 2 answered"
    # A cluster counts its visitors' exchanges only.
    assert (
        kpis.compute(
            "impact_collaboration_agreements", partnership=p, cluster=world.cluster_a
        ).value
        == 1
    )
    assert (
        kpis.compute(
            "impact_collaboration_agreements", partnership=p, cluster=world.cluster_b
        ).value
        == 0
    )
    summary = kpis.impact_summary(p)
    assert (summary["sent"], summary["answered"], summary["jobs"]) == (2, 2, 3)


def test_response_rate_counts_unanswered(world, survey):
    host_survey = ImpactSurvey.objects.get(respondent="host")
    impact.survey_send(survey_id=host_survey.pk, occasion="invite")
    impact.survey_answer(survey=survey, data={"joint_project": True})
    assert kpis.compute("impact_response_rate", partnership=world.partnership).value == 50
    assert kpis.compute("impact_joint_projects", partnership=world.partnership).value == 1


def test_report_context_has_the_impact_section(world, survey):
    impact.survey_answer(survey=survey, data={"collaboration_agreement": True})
    from django.template.loader import render_to_string

    text = render_to_string(
        "projects/_impact_text.html", {"impact": kpis.impact_summary(world.partnership)}
    )
    assert "1 of 1 answered (100 % response rate)" in text
    assert "Collaboration agreements: 1" in text


@pytest.mark.parametrize("n", [1, 10])
def test_survey_page_query_budget(client, world, django_assert_max_num_queries, n):
    end = _aware(date(2031, 3, 5))
    training = EventFactory(
        partnership=world.partnership,
        kind=Event.Kind.TRAINING,
        start=end - timedelta(hours=6),
        end=end,
    )
    RegistrationFactory.create_batch(n, event=training, status=Registration.Status.ATTENDED)
    impact.surveys_create(today=date(2031, 6, 5))
    survey = ImpactSurvey.objects.first()
    token = impact.survey_url(survey).rstrip("/").split("/")[-1]
    with django_assert_max_num_queries(6):
        response = client.get(reverse("exchange:impact_survey", args=[token]))
    assert training.title in response.content.decode()
