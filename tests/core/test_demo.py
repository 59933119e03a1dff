"""The demo is alive: seeded today, every role's dashboard has current work in its queues
and the report form asks for a period that covers today."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from exchange.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def _queues(response) -> dict:
    return {q.key: q.total for q in response.context["queues"]}


def test_managers_have_current_work(seeded, client):
    totals = {}
    for key in ("aei", "ateval", "produtech", "citeve", "emc2"):
        client.login(email=f"manager.{key}@clamtex.example", password="clamtex-demo")
        response = client.get(reverse("home"))
        assert response.status_code == 200
        totals[key] = _queues(response)
        assert sum(totals[key].values()) > 0, key
    summed = {name: sum(t[name] for t in totals.values()) for name in totals["aei"]}
    assert summed["applications_to_review"] > 0  # recent submissions
    assert summed["registrations_pending"] > 0  # the workshop with approval
    assert summed["my_events"] > 0  # upcoming events
    assert summed["late_deliverables"] == 2
    assert summed["exchanges_this_week"] == 2  # the stay starting next Monday (VOP and HOP)
    # Pôle EMC2's manager has a closing report to validate and a payment due.
    assert totals["emc2"]["reports_to_validate"] == summed["reports_to_validate"] == 1
    assert totals["emc2"]["payments"] == summed["payments"] == 1


def test_the_managers_report_and_payment_queues_lead_to_pages_that_work(seeded, client):
    client.login(email="manager.emc2@clamtex.example", password="clamtex-demo")
    response = client.get(reverse("home"))
    queues = {q.key: q for q in response.context["queues"]}
    for key in ("reports_to_validate", "payments"):
        (item,) = queues[key].items
        assert item.url and client.get(item.url).status_code == 200, key
    assert "€" in queues["payments"].items[0].note  # the amount due
    page = client.get(reverse("exchange:payments"))
    assert page.status_code == 200
    (row,) = page.context["rows"]
    assert row.state == "due" and row.due_on > timezone.localdate()


def test_coordinator_sees_late_deliverables_and_queues(seeded, client):
    client.login(email="coordinator@clamtex.example", password="clamtex-demo")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["overview"]["late"].total == 2
    rows = {row["key"]: row["total"] for row in response.context["shares"]["rows"]}
    assert rows["applications_to_review"] > 0 and rows["registrations_pending"] > 0


def test_report_form_defaults_to_the_open_call_up_to_today(seeded, client):
    today = timezone.localdate()
    call = Call.objects.get(opens_on__lte=today, closes_on__gte=today)
    assert call.exchanges_from <= today < call.exchanges_until
    client.login(email="coordinator@clamtex.example", password="clamtex-demo")
    form = client.get(reverse("projects:dashboard")).context["report_form"]
    assert form is not None
    start, end = form.initial["period_start"], form.initial["period_end"]
    assert (start, end) == (call.opens_on, today)
