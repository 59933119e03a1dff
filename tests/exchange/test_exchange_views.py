"""The exchange pages (ClusterXchange part 2) with the Django test client: who may open
or post to every URL (another cluster's manager gets 404 everywhere, and nothing changes),
the forms that drive the lifecycle, what the pages show, query budgets at two sizes, the
payments export and the PDFs."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exchange.models import (
    ClosingReport,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    HostConfirmation,
    Payment,
    Signature,
)
from exchange.placements import pdf as exchange_pdf
from exchange.placements import services as lifecycle
from tests import factories as f

from .lifecycle_factories import (
    END,
    PASSWORD,
    PDF_BYTES,
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
R = Signature.Role
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def parties(world):
    return matched_exchange(world)


@pytest.fixture
def manager_c(world):
    cluster_c = f.ClusterFactory(partnership=world.partnership, acronym="CITEVE", country="PT")
    return f.ClusterManagerFactory(cluster=cluster_c, user__email="manager.c@example.org").user


@pytest.fixture
def as_user(client):
    def _as(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _as


def _user(role, world, parties, manager_c):
    return {
        "visitor": parties.visitor,
        "host": parties.host,
        "vop": parties.vop,
        "hop": parties.hop,
        "rep_a": world.rep_a,
        "coordinator": world.coordinator,
        "admin": world.admin,
        "manager_c": manager_c,
        "outsider": world.outsider,
        "anonymous": None,
    }[role]


def _url(name, *args):
    return reverse(f"exchange:{name}", args=args)


def _html(response):
    return response.content.decode()


def _status(exchange):
    return Exchange.objects.get(pk=exchange.pk).status


# --- Every URL, every role ---------------------------------------------------------------------

VIEWERS = {"visitor", "host", "vop", "hop", "rep_a", "coordinator", "admin"}


@pytest.mark.parametrize(
    "role",
    [
        "visitor",
        "host",
        "vop",
        "hop",
        "rep_a",
        "coordinator",
        "admin",
        "manager_c",
        "outsider",
        "anonymous",
    ],
)
def test_exchange_page_per_role(as_user, world, parties, manager_c, role):
    advance(parties, X.IN_PREPARATION)
    response = as_user(_user(role, world, parties, manager_c)).get(
        _url("exchange_detail", parties.exchange.pk)
    )
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(LOGIN_URL)
    elif role in VIEWERS:
        assert response.status_code == 200
        html = _html(response)
        assert "Teixits Alfa S.L." in html and "Composites Bêta SAS" in html
        # the plan form for the parties; read only for the coordinator
        assert ('name="objectives"' in html) == (role != "coordinator")
    else:
        assert response.status_code == 404


def _object_urls(parties, stage_objects):
    """(method, url, data) of every object URL of the exchange."""
    pk = parties.exchange.pk
    document, evidence = stage_objects
    return [
        ("get", _url("exchange_detail", pk), None),
        ("post", _url("exchange_plan", pk), {"objectives": "hacked"}),
        ("post", _url("exchange_document_generate", pk), {"kind": "commitment"}),
        ("get", _url("exchange_document_pdf", pk, document.pk), None),
        ("get", _url("exchange_document_sign", pk, document.pk), None),
        (
            "post",
            _url("exchange_document_sign", pk, document.pk),
            {"role": "vop", "password": PASSWORD},
        ),
        ("get", _url("exchange_grant_reopen", pk), None),
        ("post", _url("exchange_grant_reopen", pk), {"reason": "x"}),
        ("get", _url("exchange_cancel", pk), None),
        ("post", _url("exchange_cancel", pk), {"reason": "x"}),
        ("post", _url("exchange_report", pk), {"results": "x", "submit": "1"}),
        ("post", _url("exchange_evidence_add", pk), {"kind": "ticket"}),
        ("get", _url("exchange_evidence_download", pk, evidence.pk), None),
        ("post", _url("exchange_evidence_delete", pk, evidence.pk), None),
        ("post", _url("exchange_host_confirm", pk), {"took_place": "yes"}),
        ("post", _url("exchange_review", pk), {"decision": "validate", "evidence_checked": "on"}),
        ("post", _url("exchange_payment", pk), {"paid_on": "2030-01-01", "reference": "x"}),
        ("post", _url("exchange_close", pk), None),
        ("get", _url("exchange_certificate", pk, "visitor"), None),
        ("get", _url("exchange_certificate", pk, "host"), None),
    ]


@pytest.fixture
def submitted(parties):
    """An exchange with a submitted report: a document and an evidence file exist."""
    advance(parties, X.REPORT_SUBMITTED)
    return (
        ExchangeDocument.objects.filter(exchange=parties.exchange).first(),
        Evidence.objects.filter(report__exchange=parties.exchange, kind="ticket").get(),
    )


@pytest.mark.parametrize("role", ["manager_c", "outsider"])
def test_another_clusters_manager_gets_404_on_every_url(
    as_user, world, parties, manager_c, submitted, role
):
    client = as_user(_user(role, world, parties, manager_c))
    before = (
        _status(parties.exchange),
        Signature.objects.count(),
        Evidence.objects.count(),
        ExchangePlan.objects.get().objectives,
    )
    for method, url, data in _object_urls(parties, submitted):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, (method, url, response.status_code)
    after = (
        _status(parties.exchange),
        Signature.objects.count(),
        Evidence.objects.count(),
        ExchangePlan.objects.get().objectives,
    )
    assert before == after


def test_anonymous_is_sent_to_log_in_on_every_url(as_user, parties, submitted):
    client = as_user(None)
    urls = _object_urls(parties, submitted) + [
        ("get", _url("exchange_list"), None),
        ("get", _url("payments"), None),
        ("get", _url("payments_xlsx"), None),
    ]
    for method, url, data in urls:
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302 and response.url.startswith(LOGIN_URL), url
    assert _status(parties.exchange) == X.REPORT_SUBMITTED


def test_actions_refused_to_parties_without_the_role(as_user, world, parties, submitted):
    """Visible, but not theirs to do: 403 and nothing changes."""
    pk = parties.exchange.pk
    cases = [
        (
            parties.hop,
            "post",
            _url("exchange_review", pk),
            {"decision": "validate", "evidence_checked": "on"},
        ),
        (
            parties.host,
            "post",
            _url("exchange_review", pk),
            {"decision": "return", "comments": "no"},
        ),
        (
            world.coordinator,
            "post",
            _url("exchange_review", pk),
            {"decision": "validate", "evidence_checked": "on"},
        ),
        (parties.visitor, "post", _url("exchange_host_confirm", pk), {"took_place": "no"}),
    ]
    for user, method, url, data in cases:
        response = getattr(as_user(user), method)(url, data)
        assert response.status_code == 403, (user, url)
    assert _status(parties.exchange) == X.REPORT_SUBMITTED
    assert HostConfirmation.objects.get().took_place is True


def test_evidence_is_private_to_the_visitor_side(as_user, world, parties, submitted):
    _document, evidence = submitted
    url = _url("exchange_evidence_download", parties.exchange.pk, evidence.pk)
    for user in (parties.visitor, parties.vop, world.coordinator, world.admin):
        response = as_user(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert "attachment" in response["Content-Disposition"]
    for user in (parties.host, parties.hop):
        assert as_user(user).get(url).status_code == 404
        page = _html(as_user(user).get(_url("exchange_detail", parties.exchange.pk)))
        assert "ticket.pdf" not in page and "A pilot" not in page  # report and evidence hidden


# --- Preparation through the pages ---------------------------------------------------------------


def test_parties_fill_the_plan_and_see_the_grant(as_user, parties):
    client = as_user(parties.host)
    response = client.post(
        _url("exchange_plan", parties.exchange.pk),
        {
            "start_date": START.isoformat(),
            "end_date": END.isoformat(),
            "objectives": "Finishing line",
            "agenda": "Day 1: welcome\n\nDay 2: line\n",
            "activity_types": ["knowledge"],
        },
    )
    assert response.status_code == 302
    plan = ExchangePlan.objects.get()
    assert plan.agenda == ["Day 1: welcome", "Day 2: line"]
    assert _status(parties.exchange) == X.IN_PREPARATION
    html = _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    assert "Working days at the host (weekends and public holidays excluded): 5." in html
    assert "<strong>€900.00</strong>" in html
    assert "The plan was saved." in html


def test_plan_errors_are_shown_next_to_the_field(as_user, parties):
    response = as_user(parties.visitor).post(
        _url("exchange_plan", parties.exchange.pk),
        {"start_date": END.isoformat(), "end_date": START.isoformat()},
    )
    assert response.status_code == 200
    assert "The last day cannot be before the first day." in _html(response)
    assert not ExchangePlan.objects.exists()


def test_an_exchange_that_cannot_be_costed_says_why(as_user, world):
    from exchange.models import EligibleCountry

    EligibleCountry.objects.filter(country="IS").update(host_cap=None)
    host = f.OrganisationFactory(country="IS", latitude="64.1", longitude="-21.9")
    other = matched_exchange(world, host_org=host)
    lifecycle.plan_update(exchange=other.exchange, data=PLAN, by=other.visitor)
    html = _html(as_user(other.visitor).get(_url("exchange_detail", other.exchange.pk)))
    assert "This exchange cannot be costed yet" in html
    assert "No lump-sum cap is set for Iceland yet" in html
    assert 'value="financial"' not in html  # no financial agreement without a grant


def test_generate_sign_with_password_and_voided_versions(as_user, parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    pk = parties.exchange.pk
    client = as_user(parties.visitor)
    assert (
        client.post(_url("exchange_document_generate", pk), {"kind": "commitment"}).status_code
        == 302
    )
    document = ExchangeDocument.objects.get()
    sign_url = _url("exchange_document_sign", pk, document.pk)
    page = client.get(sign_url)
    assert page.status_code == 200
    assert document.content_hash in _html(page) and "Learn the digital finishing line" in _html(
        page
    )
    wrong = client.post(sign_url, {"role": "vo", "password": "nope"})
    assert wrong.status_code == 200 and "The password is not correct." in _html(wrong)
    assert not Signature.objects.exists()
    # signing for another party is not offered, and refused if forced
    assert client.post(sign_url, {"role": "ho", "password": PASSWORD}).status_code == 200
    assert not Signature.objects.exists()
    assert client.post(sign_url, {"role": "vo", "password": PASSWORD}).status_code == 302
    signature = Signature.objects.get()
    assert (signature.role, signature.user, signature.document_hash) == (
        "vo",
        parties.visitor,
        document.content_hash,
    )
    # nothing left to sign for the visitor on this document
    assert client.get(sign_url).status_code == 302
    # the coordinator reads but signs nothing
    assert as_user(parties.vop).get(sign_url).status_code == 200
    # a change of the plan voids the version: listed as voided
    client.post(
        _url("exchange_plan", pk),
        {"start_date": START, "end_date": END, "objectives": "Other", "agenda": "Day 1"},
    )
    html = _html(client.get(_url("exchange_detail", pk)))
    assert "Voided versions" in html and "generated again from the new plan" in html


def test_coordinator_cannot_sign(as_user, world, parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    url = _url("exchange_document_sign", parties.exchange.pk, document.pk)
    assert as_user(world.coordinator).get(url).status_code == 403
    assert (
        as_user(world.coordinator).post(url, {"role": "vop", "password": PASSWORD}).status_code
        == 403
    )


def test_reopen_the_grant_with_a_reason(as_user, parties):
    advance(parties, X.READY)
    url = _url("exchange_grant_reopen", parties.exchange.pk)
    for user in (parties.visitor, parties.host, parties.hop):
        assert as_user(user).get(url).status_code == 403
    client = as_user(parties.vop)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Cap corrected"}).status_code == 302
    assert _status(parties.exchange) == X.COMMITMENT_SIGNED
    html = _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    assert "Grant re-opened: Cap corrected" in html


def test_cancel_with_a_reason(as_user, world, parties):
    advance(parties, X.IN_PREPARATION)
    url = _url("exchange_cancel", parties.exchange.pk)
    assert as_user(world.coordinator).get(url).status_code == 403
    client = as_user(parties.host)
    assert "cannot be undone" in _html(client.get(url))
    assert client.post(url, {"reason": ""}).status_code == 200
    assert _status(parties.exchange) == X.IN_PREPARATION
    assert client.post(url, {"reason": "Our line is down"}).status_code == 302
    assert _status(parties.exchange) == X.CANCELLED
    assert "Our line is down" in _html(client.get(_url("exchange_detail", parties.exchange.pk)))


# --- After the stay through the pages ---------------------------------------------------------------


def test_visitor_writes_adds_evidence_and_submits(as_user, parties):
    advance(parties, X.COMPLETED)
    pk = parties.exchange.pk
    client = as_user(parties.visitor)
    data = {
        "objectives_reached": "All",
        "results": "A pilot order",
        "follow_up": "",
        "rating": "5",
        "actual_start": START.isoformat(),
        "actual_end": END.isoformat(),
        "actual_travel_mode": "",
        "actual_distance_km": "",
    }
    form_html = _html(client.get(_url("exchange_detail", pk)))
    assert f'value="{START.isoformat()}"' in form_html  # actual days default to the plan
    refused = client.post(_url("exchange_report", pk), {**data, "submit": "1"})
    assert refused.status_code == 200 and "Boarding pass or ticket" in _html(refused)
    assert ClosingReport.objects.get().results == "A pilot order"  # saved anyway
    bad = client.post(
        _url("exchange_evidence_add", pk),
        {"kind": "ticket", "file": evidence_file().__class__("x.gif", b"GIF89a....", "image/gif")},
    )
    assert bad.status_code == 200 and "Only PDF, DOCX, ODT, JPEG or PNG" in _html(bad)
    for kind in ("ticket", "accommodation_invoice", "attendance"):
        response = client.post(
            _url("exchange_evidence_add", pk), {"kind": kind, "file": evidence_file(f"{kind}.pdf")}
        )
        assert response.status_code == 302
    assert client.post(_url("exchange_report", pk), {**data, "submit": "1"}).status_code == 302
    assert _status(parties.exchange) == X.REPORT_SUBMITTED
    assert ClosingReport.objects.get().status == "submitted"


def test_host_confirms_the_visit(as_user, parties):
    advance(parties, X.COMPLETED)
    client = as_user(parties.host)
    html = _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    assert "Did the visit take place as planned?" in html
    response = client.post(
        _url("exchange_host_confirm", parties.exchange.pk),
        {"took_place": "yes", "feedback": "Motivated visitor"},
    )
    assert response.status_code == 302
    confirmation = HostConfirmation.objects.get()
    assert (confirmation.took_place, confirmation.feedback) == (True, "Motivated visitor")


def test_vop_returns_then_validates_then_pays_and_closes(as_user, parties):
    advance(parties, X.REPORT_SUBMITTED)
    pk = parties.exchange.pk
    client = as_user(parties.vop)
    no_check = client.post(_url("exchange_review", pk), {"decision": "validate"})
    assert no_check.status_code == 200 and "Check the evidence" in _html(no_check)
    assert (
        client.post(
            _url("exchange_review", pk), {"decision": "return", "comments": "Add the hotel invoice"}
        ).status_code
        == 302
    )
    assert _status(parties.exchange) == X.REPORT_REJECTED
    visitor_page = _html(as_user(parties.visitor).get(_url("exchange_detail", pk)))
    assert "Add the hotel invoice" in visitor_page
    lifecycle.report_submit(exchange=parties.exchange, by=parties.visitor)
    client = as_user(parties.vop)
    # no payment before validation
    today = timezone.localdate()
    early = client.post(_url("exchange_payment", pk), {"paid_on": today, "reference": "TR-1"})
    assert early.status_code == 200
    assert "only after the closing report is validated" in _html(early)
    assert not Payment.objects.exists()
    assert (
        client.post(
            _url("exchange_review", pk), {"decision": "validate", "evidence_checked": "on"}
        ).status_code
        == 302
    )
    html = _html(client.get(_url("exchange_detail", pk)))
    due = today + timedelta(days=10)
    assert "Due by" in html and f"{due.day} " in html
    recorded = client.post(
        _url("exchange_payment", pk), {"paid_on": today, "reference": "TR-77"}, follow=True
    )
    # the amount as the language writes it, the sentence without a currency sign of its own
    assert "The payment of €900.00 was recorded." in _html(recorded)
    again = client.post(_url("exchange_payment", pk), {"paid_on": today, "reference": "TR-78"})
    assert again.status_code == 200 and "already recorded" in _html(again)
    assert Payment.objects.get().reference == "TR-77"
    assert client.post(_url("exchange_close", pk)).status_code == 302
    assert _status(parties.exchange) == X.CLOSED


def test_overdue_payment_is_flagged(as_user, parties):
    advance(parties, X.REPORT_VALIDATED)
    ClosingReport.objects.update(validated_at=timezone.now() - timedelta(days=11))
    client = as_user(parties.vop)
    assert 'id="overdue"' in _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    payments_page = _html(client.get(_url("payments") + "?state=overdue"))
    assert "Teixits Alfa S.L." in payments_page and "table-danger" in payments_page
    assert "Teixits Alfa S.L." not in _html(client.get(_url("payments") + "?state=due"))


# --- Lists, payments, export ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, visible",
    [
        ("visitor", True),
        ("host", True),
        ("vop", True),
        ("hop", True),
        ("rep_a", True),
        ("coordinator", True),
        ("admin", True),
        ("manager_c", False),
        ("outsider", False),
    ],
)
def test_exchange_list_is_scoped(as_user, world, parties, manager_c, role, visible):
    response = as_user(_user(role, world, parties, manager_c)).get(_url("exchange_list"))
    assert response.status_code == 200
    assert ("Teixits Alfa S.L." in _html(response)) == visible


def test_exchange_list_filters_by_status(as_user, world, parties):
    other = matched_exchange(
        world, visitor_org=f.OrganisationFactory(legal_name="Other Visitor SL")
    )
    advance(other, X.IN_PREPARATION)
    client = as_user(world.manager_a)
    html = _html(client.get(_url("exchange_list") + "?status=matched"))
    assert "Teixits Alfa S.L." in html and "Other Visitor SL" not in html
    assert "to agree" in html  # no dates yet
    html = _html(client.get(_url("exchange_list") + "?q=other"))
    assert "Teixits Alfa S.L." not in html and "Other Visitor SL" in html


@pytest.mark.parametrize(
    "role, code",
    [
        ("vop", 200),
        ("hop", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("manager_c", 200),
        ("visitor", 403),
        ("outsider", 403),
    ],
)
def test_payments_page_per_role(as_user, world, parties, manager_c, role, code):
    advance(parties, X.REPORT_VALIDATED)
    response = as_user(_user(role, world, parties, manager_c)).get(_url("payments"))
    assert response.status_code == code
    if code == 200:
        # the visitor's cluster pays: the host's cluster and other clusters do not see it
        assert ("Teixits Alfa S.L." in _html(response)) == (role in ("vop", "coordinator", "admin"))


def test_payments_xlsx_opens_with_openpyxl(as_user, world, parties, manager_c):
    advance(parties, X.PAID)
    second = matched_exchange(world, visitor_org=f.OrganisationFactory(legal_name="=HYPERLINK()"))
    advance(second, X.REPORT_VALIDATED)
    response = as_user(parties.vop).get(_url("payments_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Exchange" and rows[0][-1] == "State"
    by_visitor = {row[1]: row for row in rows[1:]}
    assert (
        by_visitor["Teixits Alfa S.L."][8] == 900 and by_visitor["Teixits Alfa S.L."][-1] == "paid"
    )
    assert by_visitor["Teixits Alfa S.L."][15] == "TR-1"
    # the treasurer gets the bank details (in full) to make the transfer
    assert by_visitor["Teixits Alfa S.L."][9:12] == (
        "Teixits Alfa S.L.",
        "DE89370400440532013000",
        "COBADEFFXXX",
    )
    assert by_visitor["'=HYPERLINK()"][-1] == "due"  # formula injection neutralised
    only_paid = as_user(parties.vop).get(_url("payments_xlsx") + "?state=paid")
    rows = list(
        load_workbook(io.BytesIO(b"".join(only_paid.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 2
    empty = as_user(manager_c).get(_url("payments_xlsx"))
    rows = list(
        load_workbook(io.BytesIO(b"".join(empty.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 1  # the header only
    assert as_user(parties.visitor).get(_url("payments_xlsx")).status_code == 403


# --- PDFs ------------------------------------------------------------------------------------------


def test_document_pdf_shows_signatures(as_user, world, parties):
    advance(parties, X.READY)
    document = ExchangeDocument.objects.get(kind=K.COMMITMENT)
    html = exchange_pdf.document_html(document)
    assert document.content_hash in html and parties.hop.get_full_name() in html
    for user in (parties.visitor, parties.host, world.coordinator):
        response = as_user(user).get(
            _url("exchange_document_pdf", parties.exchange.pk, document.pk)
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_certificates_after_the_stay_only(as_user, parties):
    advance(parties, X.ONGOING)
    client = as_user(parties.visitor)
    assert (
        client.get(_url("exchange_certificate", parties.exchange.pk, "visitor")).status_code == 403
    )
    lifecycle.exchanges_follow_dates(today=END + timedelta(days=1))
    for side in ("visitor", "host"):
        response = client.get(_url("exchange_certificate", parties.exchange.pk, side))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(_url("exchange_certificate", parties.exchange.pk, "other")).status_code == 404


def test_pdf_engine_missing_gives_a_503_page(as_user, parties, monkeypatch):
    advance(parties, X.COMPLETED)

    def broken(html, *, base_url):
        raise exchange_pdf.PdfUnavailable("no pango")

    monkeypatch.setattr(exchange_pdf, "_write_pdf", broken)
    document = ExchangeDocument.objects.first()
    client = as_user(parties.visitor)
    for url in (
        _url("exchange_document_pdf", parties.exchange.pk, document.pk),
        _url("exchange_certificate", parties.exchange.pk, "host"),
    ):
        response = client.get(url)
        assert response.status_code == 503
        assert "PDF engine is not available" in _html(response)


# --- Links from part 1 -------------------------------------------------------------------------------


def test_application_page_links_to_the_exchange(as_user, parties):
    html = _html(
        as_user(parties.visitor).get(
            _url("application_detail", parties.exchange.visitor_application_id)
        )
    )
    assert _url("exchange_detail", parties.exchange.pk) in html


# --- Query budgets -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 12])
def test_exchange_list_query_budget(as_user, world, django_assert_max_num_queries, n):
    for _ in range(n):
        other = matched_exchange(world, visitor_org=f.OrganisationFactory())
        lifecycle.plan_update(exchange=other.exchange, data=PLAN, by=other.visitor)
    client = as_user(world.manager_a)
    with django_assert_max_num_queries(9):
        response = client.get(_url("exchange_list"))
    assert response.status_code == 200
    assert f"{n} exchanges" in _html(response)


@pytest.mark.parametrize("stage", [X.IN_PREPARATION, X.COMPLETED])
@pytest.mark.parametrize("n", [1, 6])
def test_exchange_page_query_budget(as_user, parties, django_assert_max_num_queries, n, stage):
    """n rounds of plan changes: more history rows, more voided versions and signatures,
    more evidence files; the number of queries stays the same. Before the stay the grant
    is computed live (programme, country caps); after, it is the fixed one."""
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    for i in range(n):
        sign_all(parties, K.COMMITMENT)
        lifecycle.plan_update(
            exchange=parties.exchange, data={"objectives": f"round {i}"}, by=parties.visitor
        )
    if stage == X.COMPLETED:
        advance(parties, X.COMPLETED)
        for i in range(n):
            lifecycle.evidence_add(
                exchange=parties.exchange,
                kind="ticket",
                upload=evidence_file(f"ticket-{i}.pdf"),
                by=parties.visitor,
            )
    client = as_user(parties.visitor)
    with django_assert_max_num_queries(14):
        response = client.get(_url("exchange_detail", parties.exchange.pk))
    assert response.status_code == 200
    html = _html(response)
    assert html.count('download/">ticket-') == (n if stage == X.COMPLETED else 0)
    assert html.count("voided</span>") == n


@pytest.mark.parametrize("n", [2, 8])
def test_payments_page_query_budget(as_user, world, django_assert_max_num_queries, n):
    for i in range(n):
        other = matched_exchange(world, visitor_org=f.OrganisationFactory())
        advance(other, X.PAID if i % 2 else X.REPORT_VALIDATED)
    client = as_user(world.manager_a)
    with django_assert_max_num_queries(9):
        response = client.get(_url("payments"))
    assert response.status_code == 200
    assert f"{n} exchanges" in _html(response)


# --- Administration ----------------------------------------------------------------------------------


def test_admin_screens_of_part_2(as_user, world, parties):
    advance(parties, X.PAID)
    client = as_user(world.admin)
    objects = {
        "exchange": parties.exchange,
        "exchangeplan": ExchangePlan.objects.get(),
        "exchangedocument": ExchangeDocument.objects.first(),
        "closingreport": ClosingReport.objects.get(),
        "hostconfirmation": HostConfirmation.objects.get(),
        "payment": Payment.objects.get(),
    }
    for model, obj in objects.items():
        changelist = client.get(reverse(f"admin:exchange_{model}_changelist"))
        assert changelist.status_code == 200, model
        change = client.get(reverse(f"admin:exchange_{model}_change", args=[obj.pk]))
        assert change.status_code == 200, model
    # status and payments are records of the workflow: not editable by hand
    page = _html(client.get(reverse("admin:exchange_exchange_change", args=[parties.exchange.pk])))
    assert 'name="status"' not in page
    assert client.get(reverse("admin:exchange_payment_add")).status_code == 403
    export = client.post(
        reverse("admin:exchange_payment_changelist"),
        {"action": "export_as_csv", "_selected_action": [Payment.objects.get().pk]},
    )
    assert export.status_code == 200 and b"TR-1" in b"".join(export.streaming_content)
