"""Issue 12: the money path pays only what happened (actual dates, outcomes), dates that
make sense, distance never unknown, evidence and bank details, KPIs."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from exchange.models import (
    BankDetails,
    ClosingReport,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    Payment,
    Programme,
)
from exchange.placements import services as lifecycle
from notifications.models import Email
from tests import factories as f

from .lifecycle_factories import (
    END,
    IBAN,
    PLAN,
    START,
    advance,
    evidence_file,
    matched_exchange,
    sign_all,
)

pytestmark = pytest.mark.django_db

X = Exchange.Status
K = ExchangeDocument.Kind


@pytest.fixture
def parties(world):
    return matched_exchange(world)


def _reload(exchange):
    return Exchange.objects.get(pk=exchange.pk)


def _submitted_report(parties, **actual):
    advance(parties, X.COMPLETED)
    exchange = parties.exchange
    lifecycle.report_save(
        exchange=exchange,
        data={
            "objectives_reached": "All",
            "results": "A pilot",
            "rating": 5,
            "actual_start": START,
            "actual_end": END,
            **actual,
        },
        by=parties.visitor,
    )
    for kind in (Evidence.Kind.TICKET, Evidence.Kind.ACCOMMODATION_INVOICE):
        lifecycle.evidence_add(
            exchange=exchange, kind=kind, upload=evidence_file(), by=parties.visitor
        )
    lifecycle.host_confirm(exchange=exchange, took_place=True, feedback="", by=parties.host)
    lifecycle.bank_details_save(
        exchange=exchange, account_holder="Alfa", iban=IBAN, bic="", by=parties.visitor
    )
    return lifecycle.report_submit(exchange=exchange, by=parties.visitor)


# --- 1. Pay what happened ---------------------------------------------------------------------


def test_payment_equals_the_grant_of_the_actual_dates(parties):
    _submitted_report(parties, actual_end=START + timedelta(days=2))  # 3 days, not 5
    report = ClosingReport.objects.get(exchange=parties.exchange)
    assert report.final_grant_amount == Decimal("450.00")
    lifecycle.report_validate(exchange=parties.exchange, by=parties.vop, evidence_checked=True)
    payment = lifecycle.payment_record(
        exchange=parties.exchange, paid_on=timezone.localdate(), reference="T", by=parties.vop
    )
    assert payment.amount == Decimal("450.00")
    assert ExchangePlan.objects.get(exchange=parties.exchange).grant_amount == Decimal("900.00")
    steps = ClosingReport.objects.get(exchange=parties.exchange).final_grant_steps
    assert any("Halved once" in s for s in steps) and steps[-1] == "Final grant: €450.00."


def test_final_grant_is_never_above_the_signed_amount(parties):
    # A longer actual stay than signed (and a longer distance) never pays more.
    _submitted_report(parties, actual_start=START - timedelta(days=3), actual_distance_km=2500)
    report = ClosingReport.objects.get(exchange=parties.exchange)
    assert report.final_grant_amount == Decimal("900.00")


def test_a_short_actual_distance_halves_the_final_grant(parties):
    _submitted_report(parties, actual_distance_km=120, actual_travel_mode="car")
    report = ClosingReport.objects.get(exchange=parties.exchange)
    assert report.final_grant_amount == Decimal("450.00")
    assert any("Distance actually travelled: 120 km" in s for s in report.final_grant_steps)


# --- 2. When it did not happen ------------------------------------------------------------------


def test_not_happened_is_never_payable_and_tells_the_four_parties(parties, world):
    world.manager_b.language = "fr"
    world.manager_b.save()
    advance(parties, X.ONGOING)
    exchange = parties.exchange
    lifecycle.host_confirm(
        exchange=exchange, took_place=False, feedback="Never came", by=parties.host
    )
    for user in (parties.visitor, parties.host, parties.hop):
        with pytest.raises(PermissionDenied):
            lifecycle.outcome_record(exchange=exchange, outcome="not_happened", reason="x", by=user)
    with pytest.raises(ValidationError):
        lifecycle.outcome_record(
            exchange=exchange, outcome="not_happened", reason=" ", by=parties.vop
        )
    lifecycle.outcome_record(
        exchange=exchange,
        outcome="not_happened",
        reason="The host says nobody came",
        by=parties.vop,
    )
    exchange = _reload(exchange)
    assert (exchange.status, exchange.outcome) == (X.NOT_HAPPENED, "not_happened")
    emails = Email.objects.filter(kind="exchange.outcome")
    recipients = set(emails.values_list("recipient", flat=True))
    assert {
        parties.visitor.email,
        parties.host.email,
        parties.vop.email,
        parties.hop.email,
    } <= recipients
    assert emails.get(recipient=parties.hop.email).language == "fr"
    # nothing more can happen to it: no report, no validation, no payment
    with pytest.raises(ValidationError):
        lifecycle.report_save(exchange=exchange, data={"results": "x"}, by=parties.visitor)
    with pytest.raises(ValidationError):
        lifecycle.payment_record(
            exchange=exchange, paid_on=timezone.localdate(), reference="T", by=parties.vop
        )
    assert not Payment.objects.exists()


def test_outcome_only_after_the_start_date(parties):
    advance(parties, X.READY)  # the stay is in 2031
    with pytest.raises(ValidationError, match="after the first day"):
        lifecycle.outcome_record(
            exchange=parties.exchange, outcome="not_happened", reason="x", by=parties.vop
        )


def test_the_report_cannot_be_validated_when_the_host_says_it_did_not_happen(parties):
    _submitted_report(parties)
    lifecycle.host_confirm(
        exchange=parties.exchange, took_place=False, feedback="No", by=parties.host
    )
    with pytest.raises(ValidationError, match="did not take place"):
        lifecycle.report_validate(exchange=parties.exchange, by=parties.vop, evidence_checked=True)


def test_cut_short_pays_the_recomputed_amount(parties):
    advance(parties, X.COMPLETED)
    lifecycle.outcome_record(
        exchange=parties.exchange,
        outcome="cut_short",
        reason="Strike: went home on Wednesday",
        last_day=START + timedelta(days=2),
        by=parties.vop,
    )
    report = ClosingReport.objects.get(exchange=parties.exchange)
    assert (report.actual_end, report.final_grant_amount) == (
        START + timedelta(days=2),
        Decimal("450.00"),
    )
    recipients = set(
        Email.objects.filter(kind="exchange.outcome").values_list("recipient", flat=True)
    )
    assert {
        parties.visitor.email,
        parties.host.email,
        parties.vop.email,
        parties.hop.email,
    } <= recipients
    with pytest.raises(ValidationError, match="last day"):
        lifecycle.outcome_record(
            exchange=parties.exchange, outcome="cut_short", reason="x", by=parties.vop
        )


def test_kpis_count_completed_on_validation_and_paid_on_payment(parties, world):
    from projects import kpis

    advance(parties, X.COMPLETED)
    assert kpis.exchanges_completed(world.partnership).value == 0
    _ = world
    funnel = {row["key"]: row["value"] for row in kpis.exchange_funnel(world.partnership)}
    assert funnel["completed"] == 0
    advance(parties, X.REPORT_VALIDATED)
    assert kpis.exchanges_completed(world.partnership).value == 1
    funnel = {row["key"]: row["value"] for row in kpis.exchange_funnel(world.partnership)}
    assert (funnel["completed"], funnel["paid"]) == (1, 0)
    advance(parties, X.PAID)
    funnel = {row["key"]: row["value"] for row in kpis.exchange_funnel(world.partnership)}
    assert funnel["paid"] == 1


def test_a_not_happened_exchange_is_not_counted(parties, world):
    from projects import kpis

    advance(parties, X.COMPLETED)
    lifecycle.outcome_record(
        exchange=parties.exchange, outcome="not_happened", reason="No", by=parties.vop
    )
    assert kpis.exchanges_completed(world.partnership).value == 0


# --- 3. Dates that make sense ------------------------------------------------------------------


def test_signing_only_before_the_stay_starts(parties):
    past = {**PLAN, "start_date": date(2020, 3, 2), "end_date": date(2020, 3, 6)}
    parties.exchange.visitor_application.call.__class__.objects.filter(
        pk=parties.exchange.visitor_application.call_id
    ).update(opens_on=date(2019, 1, 1))
    lifecycle.plan_update(exchange=parties.exchange, data=past, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    with pytest.raises(ValidationError, match="before the stay starts"):
        lifecycle.document_sign(
            document=document, role="vo", by=parties.visitor, password=f.PASSWORD
        )


def test_stay_dates_inside_the_call_window_and_the_project_period(parties, world):
    call = parties.exchange.visitor_application.call
    call.exchanges_from, call.exchanges_until = date(2031, 1, 1), date(2031, 6, 30)
    call.save()
    with pytest.raises(ValidationError) as exc:
        lifecycle.plan_update(
            exchange=parties.exchange,
            data={**PLAN, "start_date": date(2031, 7, 7), "end_date": date(2031, 7, 11)},
            by=parties.visitor,
        )
    assert "end_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        lifecycle.plan_update(
            exchange=parties.exchange,
            data={**PLAN, "start_date": date(2030, 12, 29), "end_date": date(2031, 1, 2)},
            by=parties.visitor,
        )
    assert "start_date" in exc.value.message_dict
    world.partnership.end_date = date(2031, 3, 12)
    world.partnership.save()
    with pytest.raises(ValidationError, match="2031-03-12"):
        lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    world.partnership.end_date = date(2031, 12, 31)
    world.partnership.save()
    plan = lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    assert plan.grant_amount == Decimal("900.00")


def test_payment_date_not_before_validation_nor_in_the_future(parties):
    advance(parties, X.REPORT_VALIDATED)
    today = timezone.localdate()
    for paid_on in (date(2000, 1, 1), today - timedelta(days=1), today + timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            lifecycle.payment_record(
                exchange=parties.exchange, paid_on=paid_on, reference="T", by=parties.vop
            )
        assert "paid_on" in exc.value.message_dict
    lifecycle.payment_record(
        exchange=parties.exchange, paid_on=today, reference="T", by=parties.vop
    )


# --- 4. Distance is never unknown --------------------------------------------------------------


def test_without_a_location_the_grant_cannot_be_computed_nor_signed(world):
    nowhere = f.OrganisationFactory(country="ES", city="", latitude=None, longitude=None)
    parties = matched_exchange(world, visitor_org=nowhere)
    nowhere.latitude = nowhere.longitude = None
    nowhere.save()
    plan = lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    assert plan.grant_amount is None
    assert any("distance is unknown" in s for s in plan.grant_steps)
    with pytest.raises(ValidationError, match="cannot be computed"):
        lifecycle.document_generate(exchange=parties.exchange, kind=K.FINANCIAL, by=parties.vop)
    commitment = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.vop
    )
    with pytest.raises(ValidationError, match="cannot be computed"):
        lifecycle.document_sign(
            document=commitment, role="vo", by=parties.visitor, password=f.PASSWORD
        )


def test_the_city_is_resolved_from_the_offline_gazetteer(world):
    terrassa = f.OrganisationFactory(country="ES", city="Terrassa", latitude=None, longitude=None)
    parties = matched_exchange(world, visitor_org=terrassa)
    terrassa.latitude = terrassa.longitude = None
    terrassa.save()
    plan = lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    terrassa.refresh_from_db()
    assert abs(float(terrassa.latitude) - 41.57) < 0.05
    assert plan.grant_amount == Decimal("900.00")


def test_a_manager_corrects_the_coordinates(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    with pytest.raises(PermissionDenied):
        lifecycle.location_correct(
            exchange=parties.exchange,
            side="host",
            latitude="42.7",
            longitude="2.9",
            by=parties.visitor,
        )
    # Perpignan is ~150 km from Terrassa: the distance rule halves the grant.
    plan = lifecycle.location_correct(
        exchange=parties.exchange,
        side="host",
        latitude="42.698",
        longitude="2.895",
        by=parties.hop,
    )
    assert plan.grant_amount == Decimal("450.00")


# --- 9. Evidence and bank details ----------------------------------------------------------------


def test_bank_details_validated_masked_and_erased_after_retention(parties):
    advance(parties, X.COMPLETED)
    with pytest.raises(ValidationError) as exc:
        lifecycle.bank_details_save(
            exchange=parties.exchange,
            account_holder="A",
            iban="DE00 1234",
            bic="",
            by=parties.visitor,
        )
    assert "iban" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        lifecycle.bank_details_save(
            exchange=parties.exchange,
            account_holder="A",
            iban=IBAN,
            bic="NOTABIC",
            by=parties.visitor,
        )
    assert "bic" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        lifecycle.bank_details_save(
            exchange=parties.exchange, account_holder="A", iban=IBAN, bic="", by=parties.vop
        )
    details = lifecycle.bank_details_save(
        exchange=parties.exchange, account_holder="A", iban=IBAN, bic="", by=parties.visitor
    )
    assert (details.iban, details.bic) == ("DE89370400440532013000", "COBADEFFXXX")
    assert details.iban_masked == "DE89 •••• 3000"
    advance(parties, X.PAID)
    assert lifecycle.bank_details_erase_due() == 0  # kept during the retention
    later = timezone.localdate() + timedelta(days=Programme.objects.get().bank_retention_days + 1)
    assert lifecycle.bank_details_erase_due(today=later) == 1
    details.refresh_from_db()
    assert (details.iban, details.bic, details.account_holder) == ("", "", "")
    assert details.erased_at is not None
    assert lifecycle.bank_details_erase_due(today=later) == 0


def test_payment_needs_bank_details(parties):
    advance(parties, X.REPORT_VALIDATED)
    BankDetails.objects.all().delete()
    with pytest.raises(ValidationError, match="bank details"):
        lifecycle.payment_record(
            exchange=parties.exchange, paid_on=timezone.localdate(), reference="T", by=parties.vop
        )


def test_required_evidence_is_programme_data(parties):
    programme = Programme.objects.get_or_create(
        partnership_id=parties.exchange.visitor_cluster.partnership_id
    )[0]
    programme.required_evidence = ["ticket"]
    programme.save()
    advance(parties, X.COMPLETED)
    lifecycle.report_save(
        exchange=parties.exchange,
        data={
            "objectives_reached": "A",
            "results": "B",
            "rating": 4,
            "actual_start": START,
            "actual_end": END,
        },
        by=parties.visitor,
    )
    lifecycle.evidence_add(
        exchange=parties.exchange, kind="ticket", upload=evidence_file(), by=parties.visitor
    )
    lifecycle.host_confirm(exchange=parties.exchange, took_place=True, feedback="", by=parties.host)
    assert (
        lifecycle.report_submit(exchange=parties.exchange, by=parties.visitor).status == "submitted"
    )


def test_sign_all_still_works(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    sign_all(parties, K.COMMITMENT)
    assert _reload(parties.exchange).status == X.COMMITMENT_SIGNED


def test_bank_details_cleanup_task_is_scheduled_and_runs(parties):
    from django.conf import settings

    from exchange import tasks

    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "exchange.tasks.bank_details_cleanup" in tasks_scheduled
    advance(parties, X.COMPLETED)
    lifecycle.bank_details_save(
        exchange=parties.exchange, account_holder="A", iban=IBAN, bic="", by=parties.visitor
    )
    Exchange.objects.filter(pk=parties.exchange.pk).update(status=X.NOT_HAPPENED)
    assert tasks.bank_details_cleanup.delay().get() == 1
    assert BankDetails.objects.get().iban == ""


# --- 10. Complete documents ---------------------------------------------------------------------


def test_documents_name_everyone_and_everything_in_the_documents_language(parties, world):
    from django.utils import translation

    from exchange.placements import pdf

    visitor, host = world.org_a, world.org_b
    visitor.address, visitor.city = "Carrer Major 1", "Terrassa"
    visitor.save()
    host.address, host.city = "1 rue de la Loire", "Nantes"
    host.save()
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    financial = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.FINANCIAL, by=parties.visitor
    )
    content = financial.content
    assert content["traveller"] == "Vera Visitant"
    assert content["visitor_party"] == {
        "name": "Teixits Alfa S.L.",
        "address": "Carrer Major 1",
        "city": "Terrassa",
        "country": "ES",
    }
    assert content["host_party"]["country"] == "FR"
    assert content["visitor_partnership"] == world.partnership.name
    assert (content["working_days"], content["distance_km"]) == (5, 689)
    assert any("Lump sum" in step for step in content["grant_steps"])
    assert "Funded by the European Union" in content["funding_statement"]
    with translation.override("fr"):
        html = pdf.document_html(financial)
    assert "Vera Visitant" in html and "1 rue de la Loire" in html and "Espagne" in html
    assert "10 mars 2031" in html and "14 mars 2031" in html
    assert "900,00\xa0€" in html
    assert "689 km" in html
    assert "European Union" in html or "Union européenne" in html
    commitment = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    with translation.override("es"):
        html = pdf.document_html(commitment)
    assert "10 de marzo de 2031" in html and "Vera Visitant" in html


def test_certificates_carry_the_funding_statement(parties):
    from django.template.loader import render_to_string
    from django.utils import translation

    from exchange.placements import pdf

    advance(parties, X.COMPLETED)
    exchange = Exchange.objects.get(pk=parties.exchange.pk)
    with translation.override("fr"):
        html = render_to_string(
            "exchange/exchange/certificate_pdf.html", pdf.certificate_context(exchange, "visitor")
        )
    assert "funding-statement" in html
    assert "10 mars 2031" in html
