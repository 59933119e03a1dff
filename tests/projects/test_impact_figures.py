"""The impact follow-up in the programme's dashboard and generated reports, with an
exchange whose host belongs to another partnership (issue 12, bullets 7 and 11)."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from exchange.impact import services as impact
from exchange.models import ClosingReport, Exchange, ImpactSurvey
from projects import services
from projects.models import ReportRun
from tests.exchange.external_helpers import external_host_exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveyed(world, project):
    """An exchange of cluster A's visitor with a host of another partnership, validated
    3 months ago; the visitor answered its survey (agreement signed), the host did not."""
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)  # flushed by transactional tests elsewhere
    exchange = external_host_exchange(world)
    Exchange.objects.filter(pk=exchange.pk).update(status=Exchange.Status.REPORT_VALIDATED)
    validated = timezone.now() - timedelta(days=95)
    ClosingReport.objects.create(exchange=exchange, status="validated", validated_at=validated)
    impact.surveys_create()
    for pk, occasion in impact.due():
        impact.survey_send(survey_id=pk, occasion=occasion)
    visitor = ImpactSurvey.objects.get(respondent="visitor")
    impact.survey_answer(survey=visitor, data={"collaboration_agreement": True, "jobs_created": 1})
    return exchange


def _generate(project, user, django_capture_on_commit_callbacks, fmt):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_request(
            project=project,
            cluster=None,
            period_start=project.start_date,
            period_end=timezone.localdate(),
            format=fmt,
            by=user,
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def test_dashboard_shows_the_impact_follow_up(client, world, project, surveyed):
    client.force_login(world.coordinator)
    body = client.get(reverse("projects:dashboard")).content.decode()
    assert "Impact follow-up" in body
    assert "1 of 2 answered (50 % response rate)" in body
    assert "Collaboration agreements: 1" in body


def test_pdf_report_has_the_response_rate(
    world, project, surveyed, django_capture_on_commit_callbacks
):
    run = _generate(project, world.coordinator, django_capture_on_commit_callbacks, "pdf")
    with run.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Impact follow-up" in text
    assert "1 of 2 answered (50 % response rate)" in text


def test_xlsx_report_lists_an_exchange_with_an_external_host(
    world, project, surveyed, django_capture_on_commit_callbacks
):
    run = _generate(project, world.coordinator, django_capture_on_commit_callbacks, "xlsx")
    with run.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    rows = [list(r) for r in workbook["Exchanges"].iter_rows(values_only=True)]
    row = next(r for r in rows if r[3] == "Textiles Gamma SRL")
    assert row[2] == "AEI" and row[4] in ("", None)
