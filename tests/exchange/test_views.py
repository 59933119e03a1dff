"""Pages of ClusterXchange with the Django test client: who may open which URL (and that
refused POSTs change nothing), query budgets at two data sizes, the public application
that creates the account, the steps, uploads and downloads, the catalogue, and the review
decisions with their history and emails."""

import io
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import pgettext

from clamtex.core import uploads
from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Exchange,
    MatchProposal,
)
from members.models import Organisation, User
from notifications.models import Email
from tests import factories as f
from tests import samples
from tests.exchange.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db

S = Application.Status
R = Application.Role
LOGIN_URL = "/accounts/login/"
ROLES = [
    "admin",
    "coordinator",
    "manager_a",
    "manager_b",
    "rep_a",
    "outsider",
    "anonymous",
    "applicant",
]
LOGIN = "login"  # 302 to the login page
MOVED = "moved"  # 302 somewhere else
ALL_FIELDS = ["organisation", "country", "sectors", "objectives", "contact"]

PDF = samples.PDF


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _html(response) -> str:
    return response.content.decode()


def _text(response) -> str:
    """What the page says: tags removed, whitespace collapsed (templates span lines)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", _html(response))).split())


def _member_org(cluster, country, **kwargs) -> Organisation:
    org = f.OrganisationFactory(country=country, **kwargs)
    f.MembershipFactory(organisation=org, cluster=cluster)
    return org


def _document(application, name="CV Laia Serra.pdf", content=PDF, kind="cv"):
    """A stored document, as document_add leaves it (also for applications that can no
    longer be edited)."""
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
    )
    document.file.save("upload", ContentFile(content), save=False)
    document.save()
    return document


@dataclass
class Objects:
    call: object
    cluster_c: object
    manager_c: object
    applicant: object
    draft: Application  # the applicant's, editable
    submitted: Application  # the applicant's, waiting for cluster A's review
    accepted: Application  # the applicant's accepted visitor registration (cluster A)
    host: Application  # an accepted host in Portugal, reviewed by cluster C
    other_host: Application  # another one, no proposal yet
    nonmember_host: Application  # a non-member SME host, submitted to cluster A
    proposal: MatchProposal  # accepted → host, proposed by the applicant
    draft_doc: ApplicationDocument
    submitted_doc: ApplicationDocument


@pytest.fixture
def objects(world) -> Objects:
    """Everything an object URL points at. Cluster B (manager_b) has nothing to do with
    any of it: the host side is a third cluster, in Portugal."""
    call = CallFactory(partnership=world.partnership, name="Open call")
    cluster_c = f.ClusterFactory(partnership=world.partnership, acronym="CITEVE", country="PT")
    manager_c = f.ClusterManagerFactory(cluster=cluster_c).user
    a_week_ago = timezone.now() - timedelta(days=7)
    applicant = f.UserFactory(email="laia@filats.example", full_name="Laia Serra", language="en")
    draft = ApplicationFactory(
        call=call,
        applicant=applicant,
        organisation=_member_org(world.cluster_a, "ES", legal_name="Filats Delta S.L."),
        managing_cluster=world.cluster_a,
    )
    submitted = ApplicationFactory(
        call=call,
        applicant=applicant,
        organisation=world.org_a,
        managing_cluster=world.cluster_a,
        status=S.SUBMITTED,
        submitted_at=timezone.now(),
    )
    ApplicationTransition.objects.create(
        application=submitted, from_status=S.DRAFT, to_status=S.SUBMITTED, by=applicant
    )
    accepted = ApplicationFactory(
        call=call,
        applicant=applicant,
        organisation=_member_org(world.cluster_a, "ES", legal_name="Tints Beta S.L."),
        managing_cluster=world.cluster_a,
        status=S.ACCEPTED,
        submitted_at=a_week_ago,
        catalogue_fields=ALL_FIELDS,
    )
    host, other_host = (
        ApplicationFactory(
            call=call,
            organisation=_member_org(cluster_c, "PT", legal_name=name),
            managing_cluster=cluster_c,
            role=R.HOST,
            status=S.ACCEPTED,
            submitted_at=a_week_ago,
            catalogue_fields=ALL_FIELDS,
        )
        for name in ("Malhas Gama Lda", "Fios Delta Lda")
    )
    nonmember_host = ApplicationFactory(
        call=call,
        organisation=f.OrganisationFactory(legal_name="Nou Teixit S.L.", country="ES"),
        managing_cluster=world.cluster_a,
        role=R.HOST,
        status=S.SUBMITTED,
        submitted_at=timezone.now(),
    )
    proposal = MatchProposal.objects.create(
        visitor=accepted, host=host, proposed_by=applicant, proposer_side="visitor", message="Olá"
    )
    return Objects(
        call=call,
        cluster_c=cluster_c,
        manager_c=manager_c,
        applicant=applicant,
        draft=draft,
        submitted=submitted,
        accepted=accepted,
        host=host,
        other_host=other_host,
        nonmember_host=nonmember_host,
        proposal=proposal,
        draft_doc=_document(draft),
        submitted_doc=_document(submitted, name="Memòria tècnica.pdf", kind="supporting"),
    )


@pytest.fixture
def as_role(client, world, objects):
    def _as(role):
        if role == "applicant":
            client.force_login(objects.applicant)
        elif role != "anonymous":
            client.force_login(getattr(world, role))
        return client

    return _as


@pytest.fixture
def url_of(objects):
    def _url(name, target=None):
        o = objects
        args = {
            None: [],
            "draft": [o.draft.pk],
            "draft_step": [o.draft.pk, "organisation"],
            "submitted": [o.submitted.pk],
            "nonmember_host": [o.nonmember_host.pk],
            "pair": [o.accepted.pk, o.host.pk],
            "new_pair": [o.accepted.pk, o.other_host.pk],
            "proposal": [o.proposal.pk],
            "draft_doc": [o.draft_doc.pk],
            "submitted_doc": [o.submitted_doc.pk],
        }[target]
        return reverse(f"exchange:{name}", args=args)

    return _url


def _snapshot():
    """Everything a refused request could have changed."""
    return (
        list(
            Application.objects.order_by("pk").values_list(
                "pk",
                "status",
                "motivation",
                "review_notes",
                "review_checklist",
                "exception_approved",
                "organisation_id",
                "managing_cluster_id",
            )
        ),
        list(ApplicationDocument.objects.order_by("pk").values_list("pk", "file")),
        list(ApplicationTransition.objects.order_by("pk").values_list("pk", "to_status")),
        list(MatchProposal.objects.order_by("pk").values_list("pk", "status")),
        Exchange.objects.count(),
        Email.objects.count(),
        Organisation.objects.count(),
    )


def _assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.url.startswith(LOGIN_URL), response.url
    elif expected == MOVED:
        assert response.status_code == 302, response.status_code
        assert not response.url.startswith(LOGIN_URL), response.url
    else:
        assert response.status_code == expected, (response.status_code, expected)


# --- Who gets which page ----------------------------------------------------------------

# Each row: the URL name, what it points at, then the answer for each role of ROLES.
# An application another user may not see is a 404 (its existence is not revealed); one
# they see but may not act on is a 403.
GET_MATRIX = [
    ("landing", None, 200, 200, 200, 200, 200, 200, 200, 200),
    ("apply", None, 200, 200, 200, 200, 200, 200, 200, 200),
    ("apply_sent", None, 200, 200, 200, 200, 200, 200, 200, 200),
    ("mine", None, 200, 200, 200, 200, 200, 200, LOGIN, 200),
    ("review_queue", None, 200, 200, 200, 200, 403, 403, LOGIN, 403),
    ("catalogue", None, 200, 200, 200, 200, 403, 403, LOGIN, 200),
    ("application_detail", "submitted", 200, 200, 200, 404, 404, 404, LOGIN, 200),
    ("application_edit", "draft", 404, 404, 404, 404, 404, 404, LOGIN, MOVED),
    ("application_step", "draft_step", 404, 404, 404, 404, 404, 404, LOGIN, 200),
    ("application_withdraw", "draft", 404, 404, 404, 404, 404, 404, LOGIN, 200),
    ("proposal_create", "new_pair", 200, 403, 200, 404, 404, 404, LOGIN, 200),
    ("document_download", "submitted_doc", 200, 200, 200, 404, 404, 404, LOGIN, 200),
    ("document_delete", "draft_doc", 403, 403, 403, 404, 404, 404, LOGIN, 200),
    # POST only: a GET changes nothing.
    ("application_submit", "draft", 405, 405, 405, 405, 405, 405, LOGIN, 405),
    ("application_review", "submitted", 405, 405, 405, 405, 405, 405, LOGIN, 405),
    ("application_exception", "nonmember_host", 405, 405, 405, 405, 405, 405, LOGIN, 405),
    ("application_link", "submitted", 405, 405, 405, 405, 405, 405, LOGIN, 405),
    ("proposal_respond", "proposal", 405, 405, 405, 405, 405, 405, LOGIN, 405),
]


@pytest.mark.parametrize(
    ("name", "target", "role", "expected"),
    [
        pytest.param(name, target, role, expected, id=f"{name}-{role}")
        for name, target, *answers in GET_MATRIX
        for role, expected in zip(ROLES, answers, strict=True)
    ],
)
def test_get_access(as_role, url_of, name, target, role, expected):
    before = _snapshot()
    response = as_role(role).get(url_of(name, target))
    _assert_status(response, expected)
    assert _snapshot() == before


def test_every_url_of_the_app_is_in_the_access_matrix():
    """Part 1 (exchange.applications.views): a URL added without a row here fails. The
    exchanges of part 2 (exchange.placements.views) have their own matrix."""
    from exchange.applications import views
    from exchange.urls import urlpatterns

    part_1 = {p.name for p in urlpatterns if p.callback.__module__ == views.__name__}
    assert part_1 == {row[0] for row in GET_MATRIX}
    assert len(part_1) == len(GET_MATRIX)  # and no row twice


@pytest.mark.parametrize("step", ["organisation", "participation", "preferences", "documents",
                                  "consents", "review"])  # fmt: skip
def test_every_step_opens_for_the_applicant_only(as_role, objects, step):
    url = reverse("exchange:application_step", args=[objects.draft.pk, step])
    assert as_role("applicant").get(url).status_code == 200
    assert as_role("manager_a").get(url).status_code == 404


def test_unknown_step_is_404(as_role, objects):
    url = reverse("exchange:application_step", args=[objects.draft.pk, "payment"])
    assert as_role("applicant").get(url).status_code == 404


def test_steps_of_a_submitted_application_lead_to_its_page(as_role, objects):
    url = reverse("exchange:application_step", args=[objects.submitted.pk, "participation"])
    client = as_role("applicant")
    before = _snapshot()
    response = client.post(url, {"motivation": "Changed after submitting", "draft": "1"})
    assert response.url == reverse("exchange:application_detail", args=[objects.submitted.pk])
    assert _snapshot() == before
    assert "This application can no longer be edited." in _text(client.get(response.url))


# Object POSTs by people who may not make them. Columns: coordinator, manager_b, rep_a,
# outsider, anonymous, applicant (None: the applicant may, tested below).
REFUSED_POSTS = [
    ("application_review", "submitted", {"decision": "accepted"}, 403, 404, 404, 404, LOGIN, 403),
    ("application_review", "submitted", {"decision": "rejected", "note": "No"},
     403, 404, 404, 404, LOGIN, 403),
    ("application_review", "submitted", {"decision": "info_requested", "note": "CV?"},
     403, 404, 404, 404, LOGIN, 403),
    ("application_review", "submitted", {"decision": "under_review"},
     403, 404, 404, 404, LOGIN, 403),
    ("application_review", "submitted",
     {"decision": "save", "review_notes": "Hijacked", "membership_confirmed": "on"},
     403, 404, 404, 404, LOGIN, 403),
    ("application_exception", "nonmember_host", {"reason": "x"}, 403, 404, 404, 404, LOGIN, 404),
    ("application_link", "submitted", {"organisation": "1"}, 403, 404, 404, 404, LOGIN, 403),
    ("proposal_create", "new_pair", {"message": "Shall we?"}, 403, 404, 404, 404, LOGIN, None),
    # The applicant proposed this match: only the other side answers it.
    ("proposal_respond", "proposal", {"decision": "accept"}, 403, 404, 404, 404, LOGIN, 403),
    ("proposal_respond", "proposal", {"decision": "decline"}, 403, 404, 404, 404, LOGIN, 403),
    ("document_delete", "draft_doc", {}, 403, 404, 404, 404, LOGIN, None),
    ("application_step", "draft_step", {"legal_name": "Hijack S.L.", "country": "ES", "draft": "1"},
     404, 404, 404, 404, LOGIN, None),
    ("application_submit", "draft", {}, 404, 404, 404, 404, LOGIN, None),
    ("application_withdraw", "draft", {}, 404, 404, 404, 404, LOGIN, None),
]  # fmt: skip
REFUSING_ROLES = ["coordinator", "manager_b", "rep_a", "outsider", "anonymous", "applicant"]


@pytest.mark.parametrize(
    ("name", "target", "data", "role", "expected"),
    [
        pytest.param(
            name, target, data, role, expected, id=f"{name}-{data.get('decision', '')}-{role}"
        )
        for name, target, data, *answers in REFUSED_POSTS
        for role, expected in zip(REFUSING_ROLES, answers, strict=True)
        if expected is not None
    ],
)
def test_refused_posts_change_nothing(
    as_role, url_of, mailoutbox, django_capture_on_commit_callbacks,
    name, target, data, role, expected,
):  # fmt: skip
    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role(role).post(url_of(name, target), data)
    _assert_status(response, expected)
    assert _snapshot() == before
    assert mailoutbox == []


def test_other_clusters_manager_is_refused_on_every_object_url(as_role, url_of):
    """The two tables together refuse cluster B's manager every object URL, GET and POST
    (each row is run above); this guards the tables against a row that lets B through."""
    b_get = ROLES.index("manager_b") + 2
    b_post = REFUSING_ROLES.index("manager_b") + 3
    object_urls = {row[0] for row in GET_MATRIX if row[1]}
    post_only = {row[0] for row in GET_MATRIX if row[1] and row[b_get] == 405}
    refused_gets = {row[0] for row in GET_MATRIX if row[1] and row[b_get] in (403, 404)}
    refused_posts = {row[0] for row in REFUSED_POSTS if row[b_post] in (403, 404)}
    assert object_urls - post_only <= refused_gets
    assert post_only <= refused_posts
    assert {"application_review", "proposal_create", "document_delete"} <= refused_posts
    # Whatever host B's manager pairs cluster A's visitor with: 404.
    assert as_role("manager_b").get(url_of("proposal_create", "pair")).status_code == 404


def test_proposing_side_cannot_answer_its_own_proposal(as_role, url_of, objects):
    before = _snapshot()
    response = as_role("manager_a").post(
        url_of("proposal_respond", "proposal"), {"decision": "accept"}
    )
    assert response.status_code == 403
    assert _snapshot() == before


# --- Query budgets at two data sizes ----------------------------------------------------


def _accepted_counterparts(cluster, n, *, call):
    """n accepted hosts in France reviewed by `cluster`, in the catalogue with all fields,
    each with two sectors."""
    sectors = [f.SectorFactory(code="C13.96"), f.SectorFactory(code="C13.3")]
    apps = []
    for i in range(n):
        app = ApplicationFactory(
            call=call,
            organisation=_member_org(cluster, "FR", latitude=48.8 + i / 100, longitude=2.3),
            managing_cluster=cluster,
            role=R.HOST,
            status=S.ACCEPTED,
            submitted_at=timezone.now(),
            catalogue_fields=ALL_FIELDS,
            objectives="digital printing of technical textiles",
            activity_types=["rdi", "networking"],
        )
        app.sectors.set(sectors)
        apps.append(app)
    return apps


@pytest.mark.parametrize("n", [3, 30])
def test_review_queue_query_budget(as_role, world, objects, django_assert_max_num_queries, n):
    for _ in range(n):
        app = ApplicationFactory(
            call=objects.call,
            organisation=_member_org(world.cluster_a, "ES"),
            managing_cluster=world.cluster_a,
            status=S.SUBMITTED,
            submitted_at=timezone.now(),
        )
        ApplicationTransition.objects.create(
            application=app, from_status=S.DRAFT, to_status=S.SUBMITTED, by=app.applicant
        )
    client = as_role("manager_a")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("exchange:review_queue"))
    assert response.status_code == 200
    # The fixture's submitted and non-member host applications, its accepted visitor, and n.
    assert f"{n + 3} applications" in _text(response)


@pytest.mark.parametrize("n", [3, 30])
def test_catalogue_query_budget(as_role, world, objects, django_assert_max_num_queries, n):
    _accepted_counterparts(world.cluster_b, n, call=objects.call)
    client = as_role("applicant")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("exchange:catalogue"))
    assert response.status_code == 200
    assert f"{n + 3} participants" in _text(response)
    assert _html(response).count(">Propose a match<") == min(n + 2, 25)  # hosts, one page


@pytest.mark.parametrize("n", [3, 30])
def test_application_detail_query_budget(as_role, world, objects, django_assert_max_num_queries, n):
    app = objects.accepted
    hosts = _accepted_counterparts(world.cluster_b, n, call=objects.call)
    app.sectors.set(hosts[0].sectors.all())
    for i, host in enumerate(hosts):
        _document(app, name=f"Annex {i}.pdf", kind="supporting")
        ApplicationTransition.objects.create(
            application=app, from_status=S.SUBMITTED, to_status=S.SUBMITTED, note=f"note {i}"
        )
        MatchProposal.objects.create(
            visitor=app,
            host=host,
            proposed_by=host.applicant,
            proposer_side="host",
            status=MatchProposal.Status.DECLINED if i % 2 else MatchProposal.Status.PROPOSED,
        )
    for role in ("manager_a", "applicant"):
        client = as_role(role)
        with django_assert_max_num_queries(26):
            response = client.get(reverse("exchange:application_detail", args=[app.pk]))
        assert response.status_code == 200
        html = _html(response)
        assert html.count("Annex ") == n
        assert html.count("note ") >= n
        assert html.count('name="decision" value="accept"') == (n + 1) // 2


@pytest.mark.parametrize("n", [3, 30])
def test_my_applications_query_budget(as_role, world, objects, django_assert_max_num_queries, n):
    for i in range(n):
        app = ApplicationFactory(
            call=objects.call,
            applicant=objects.applicant,
            organisation=_member_org(world.cluster_a, "ES"),
            managing_cluster=world.cluster_a,
            status=S.INFO_REQUESTED if i % 2 else S.REJECTED,
        )
        _document(app)
        for to, note in ((S.SUBMITTED, ""), (app.status, f"Reason {i}")):
            ApplicationTransition.objects.create(
                application=app, from_status=S.DRAFT, to_status=to, by=world.manager_a, note=note
            )
    client = as_role("applicant")
    # 11: the draft's eligibility asks once whether its organisation is one it described
    with django_assert_max_num_queries(11):
        response = client.get(reverse("exchange:mine"))
    assert response.status_code == 200
    assert _html(response).count('class="card mb-3" id="application-') == n + 3


# --- The public application ---------------------------------------------------------------


def _apply_data(world, call, **changes):
    data = {
        "call": call.pk,
        "full_name": "Jordi Puig",
        "email": "jordi@filats-nous.example",
        "password1": "Teixit-segur-2024",
        "password2": "Teixit-segur-2024",
        "language": "fr",
        "legal_name": "Filats Nous S.L.",
        "country": "ES",
        "org_type": "sme",
        "vat_number": "B99887766",
        "city": "Sabadell",
        "employees": "12",
        "turnover_eur": "900000",
        "managing_cluster": world.cluster_a.pk,
        "consent_privacy": "on",
    }
    data.update(changes)
    return data


CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def test_anonymous_apply_creates_an_unverified_account_and_a_draft(
    client, world, objects, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:apply"), _apply_data(world, objects.call))

    assert response.url == reverse("exchange:apply_sent")
    assert "jordi@filats-nous.example" in _html(client.get(response.url))
    user = User.objects.get(email="jordi@filats-nous.example")
    assert (user.full_name, user.language) == ("Jordi Puig", "fr")
    assert user.check_password("Teixit-segur-2024")
    address = EmailAddress.objects.get(user=user)
    assert address.primary and not address.verified
    application = Application.objects.get(applicant=user)
    assert application.status == S.DRAFT
    assert application.consent_privacy
    assert application.managing_cluster == world.cluster_a
    org = application.organisation
    assert (org.legal_name, org.country.code, application.vat_number_typed, org.employees) == (
        "Filats Nous S.L.",
        "ES",
        "B99887766",
        12,
    )
    assert not org.memberships.exists()  # the cluster confirms membership in its review
    # The verification email, in the language chosen on the form.
    (message,) = mailoutbox
    assert message.to == ["jordi@filats-nous.example"]
    # The portal's own account emails (formal register), in the catalogue's French.
    with translation.override("fr"):
        subject = pgettext("account email subject", "Please confirm your email address")
    assert message.subject == f"[CLAMTEX Portal] {subject}"
    # Confirming the address logs the applicant in and brings them back to the draft.
    path = CONFIRM_LINK.search(message.body).group(1)
    assert client.get(reverse("exchange:mine")).status_code == 302  # not logged in yet
    response = client.post(path)
    assert response.url == reverse(
        "exchange:application_step", args=[application.pk, "participation"]
    )
    assert client.get(response.url).status_code == 200
    address.refresh_from_db()
    assert address.verified


def test_a_typed_vat_never_links_an_application_to_a_registered_organisation(
    client, world, objects
):
    world.org_a.vat_number, world.org_a.city = "B11223344", "Terrassa"
    world.org_a.save()
    data = _apply_data(
        world,
        objects.call,
        legal_name="Alfa (typed differently)",
        vat_number=world.org_a.vat_number.lower(),
        managing_cluster="",
    )
    client.post(reverse("exchange:apply"), data)
    application = Application.objects.get(applicant__email="jordi@filats-nous.example")
    assert application.organisation != world.org_a  # keeps what the applicant typed
    assert application.organisation.legal_name == "Alfa (typed differently)"
    assert application.vat_number_typed == "b11223344"
    assert application.managing_cluster is None  # nothing taken from the member's record
    world.org_a.refresh_from_db()
    assert world.org_a.legal_name == "Teixits Alfa S.L."  # never changed by an applicant
    client.force_login(application.applicant)
    page = _text(client.get(reverse("exchange:application_detail", args=[application.pk])))
    assert "Teixits Alfa" not in page and "Terrassa" not in page


@pytest.mark.parametrize("email", ["rep.a@example.org", "REP.A@Example.org"])
def test_apply_with_a_registered_email_answers_as_for_a_new_one(
    client, world, objects, mailoutbox, email, django_capture_on_commit_callbacks
):
    """No enumeration: the page answers exactly as for a new address; the owner of the
    address is emailed a link to log in and continue."""
    before = (User.objects.count(), Application.objects.count(), Organisation.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchange:apply"), _apply_data(world, objects.call, email=email)
        )
    assert response.url == reverse("exchange:apply_sent")
    assert "already exists" not in _text(client.get(response.url))
    assert (User.objects.count(), Application.objects.count(), Organisation.objects.count()) == (
        before
    )
    (message,) = mailoutbox
    assert message.to == ["rep.a@example.org"]
    assert "/accounts/login/?next=/exchange/apply/" in message.body


def test_apply_errors_keep_what_was_typed(client, world, objects):
    data = _apply_data(world, objects.call, password2="something else", employees="many")
    response = client.post(reverse("exchange:apply"), data)
    assert response.status_code == 200
    html, text = _html(response), _text(response)
    assert "The two passwords are not the same." in text
    assert "Enter a whole number." in text
    assert "Please correct the marked fields. Nothing you typed has been lost." in text
    for value in ("Jordi Puig", "jordi@filats-nous.example", "Filats Nous S.L.", "B99887766"):
        assert f'value="{value}"' in html
    assert "Teixit-segur-2024" not in html  # passwords are never sent back
    assert not User.objects.filter(email="jordi@filats-nous.example").exists()


def test_apply_needs_consent_to_the_privacy_notice(client, world, objects):
    data = _apply_data(world, objects.call)
    del data["consent_privacy"]
    response = client.post(reverse("exchange:apply"), data)
    assert "Your agreement is needed to create the account." in _text(response)
    assert not User.objects.filter(email="jordi@filats-nous.example").exists()


def test_no_open_call_no_application(client, world):
    CallFactory(
        partnership=world.partnership, opens_on=date(2021, 1, 1), closes_on=date(2021, 3, 1)
    )
    response = client.post(reverse("exchange:apply"), {"email": "x@example.org"})
    assert "No call is open at the moment" in _text(response)
    assert not User.objects.filter(email="x@example.org").exists()


def test_logged_in_user_starts_a_draft(as_role, world, objects):
    client = as_role("rep_a")
    response = client.post(reverse("exchange:apply"), {"call": objects.call.pk})
    application = Application.objects.get(applicant=world.rep_a)
    assert response.url == reverse(
        "exchange:application_step", args=[application.pk, "organisation"]
    )
    # The organisation they represent is offered, already chosen.
    html = _html(client.get(response.url))
    assert f'<option value="{world.org_a.pk}" selected>Teixits Alfa S.L.</option>' in html


# --- The steps: partial saves, input kept on errors ---------------------------------------


def _step(objects, step):
    return reverse("exchange:application_step", args=[objects.draft.pk, step])


def test_continue_with_missing_answers_saves_what_was_typed(as_role, objects):
    client = as_role("applicant")
    data = {
        "motivation": "Learn how Portuguese mills finish knits",
        "objectives": "",
        "continue": "1",
    }
    response = client.post(_step(objects, "participation"), data)
    assert response.status_code == 200  # stays on the step
    text = _text(response)
    assert "Fill this in to continue." in text
    assert "Learn how Portuguese mills finish knits</textarea>" in _html(response)
    objects.draft.refresh_from_db()
    assert objects.draft.motivation == "Learn how Portuguese mills finish knits"


def test_save_draft_keeps_partial_data_and_stays(as_role, objects):
    client = as_role("applicant")
    data = {"role": "", "motivation": "A first idea", "objectives": "", "draft": "1"}
    response = client.post(_step(objects, "participation"), data)
    assert response.url == _step(objects, "participation")
    page = client.get(response.url)
    assert "Your draft was saved." in _text(page)
    assert "A first idea</textarea>" in _html(page)
    objects.draft.refresh_from_db()
    assert (objects.draft.motivation, objects.draft.objectives) == ("A first idea", "")
    assert objects.draft.role == R.VISITOR  # a role left empty keeps the one saved


def test_complete_step_continues_to_the_next(as_role, objects):
    data = {
        "role": "visitor",
        "motivation": "Learn",
        "objectives": "Digital printing",
        "activity_types": ["rdi", "market"],
        "continue": "1",
    }
    response = as_role("applicant").post(_step(objects, "participation"), data)
    assert response.url == _step(objects, "preferences")
    objects.draft.refresh_from_db()
    assert objects.draft.activity_types == ["rdi", "market"]


def test_invalid_values_keep_the_input_and_save_the_valid_part(as_role, objects):
    sector = f.SectorFactory(code="C13.96", name="Technical textiles")
    data = {
        "available_from": "2031-05-20",
        "available_until": "2031-05-01",  # before the start
        "residence_days": "not a number",
        "preferred_countries": ["PT", "FR"],
        "sectors": [sector.pk],
        "continue": "1",
    }
    response = as_role("applicant").post(_step(objects, "preferences"), data)
    assert response.status_code == 200
    html, text = _html(response), _text(response)
    assert "The end of the window cannot be before its start." in text
    assert "Enter a whole number." in text
    assert 'value="2031-05-01"' in html and 'value="not a number"' in html
    assert 'value="PT" class="form-check-input" id="id_preferred_countries_' in html
    objects.draft.refresh_from_db()
    assert objects.draft.preferred_countries == ["PT", "FR"]
    assert list(objects.draft.sectors.all()) == [sector]
    assert objects.draft.available_from == date(2031, 5, 20)
    assert objects.draft.available_until is None


def test_organisation_step_describes_a_new_organisation(client, world):
    call = CallFactory(partnership=world.partnership)
    app = ApplicationFactory(call=call, organisation=None, applicant=f.UserFactory())
    url = reverse("exchange:application_step", args=[app.pk, "organisation"])
    client.force_login(app.applicant)
    response = client.post(
        url,
        {
            "legal_name": "Estampats Nous S.L.",
            "country": "ES",
            "org_type": "sme",
            "managing_cluster": world.cluster_a.pk,
            "continue": "1",
        },
    )
    # The SME figures are missing: the organisation is kept, the step asks for them.
    assert response.status_code == 200
    assert "Needed to check the EU SME definition." in _text(response)
    assert 'value="Estampats Nous S.L."' in _html(response)
    app.refresh_from_db()
    assert app.organisation.legal_name == "Estampats Nous S.L."
    assert app.managing_cluster == world.cluster_a


# --- Documents ------------------------------------------------------------------------------


def _upload(client, objects, name, content, kind="cv"):
    return client.post(
        _step(objects, "documents"),
        {"upload": "1", "kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_upload_through_the_documents_step(as_role, objects, settings):
    client = as_role("applicant")
    response = _upload(client, objects, "CV Laia Serra (2024).docx", uploads_docx())
    assert response.url == _step(objects, "documents")
    assert "CV Laia Serra (2024).docx was uploaded." in _text(client.get(response.url))
    document = objects.draft.documents.latest("pk")
    assert document.original_name == "CV Laia Serra (2024).docx"
    assert document.content_type == uploads.CONTENT_TYPES["docx"]
    # Stored under a random name, outside the static files.
    assert "Laia" not in document.file.name
    assert re.fullmatch(rf"private/exchange/{objects.draft.pk}/[0-9a-f]{{32}}", document.file.name)
    path = document.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))


def uploads_docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


NOT_A_DOCUMENT = "Only PDF, DOCX or ODT documents are accepted."
# Contents are built when the test runs: the big ones are not kept in memory.
REFUSED_UPLOADS = [
    ("program.pdf", lambda: b"MZ\x90\x00 an executable renamed", NOT_A_DOCUMENT),
    ("notes.txt", lambda: b"just some text", NOT_A_DOCUMENT),
    ("sheet.docx",
     lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}),
     NOT_A_DOCUMENT),
    # One byte above the cap.
    ("big.pdf", lambda: b"%PDF-" + b"0" * (uploads.MAX_BYTES - 4), "The file is larger than 10 MB."),
    # Under 1 MB uploaded, 60 MB unpacked.
    ("bomb.docx",
     lambda: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * (60 << 20)}),
     "The document unpacks to an unreasonable size and was refused."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [pytest.param(*row, id=row[0]) for row in REFUSED_UPLOADS],
)
def test_refused_uploads_leave_no_document(as_role, objects, settings, name, make, message):
    content = make()
    if name == "big.pdf":
        assert len(content) == uploads.MAX_BYTES + 1
    if name == "bomb.docx":
        assert len(content) < 1 << 20
    before = list(ApplicationDocument.objects.values_list("pk", flat=True))
    response = _upload(as_role("applicant"), objects, name, content)
    assert response.status_code == 200
    text = _text(response)
    assert message in text
    assert "Please correct the marked fields. Nothing you typed has been lost." in text
    assert list(ApplicationDocument.objects.values_list("pk", flat=True)) == before
    stored = settings.MEDIA_ROOT / "private" / "exchange" / str(objects.draft.pk)
    assert len(list(stored.iterdir())) == 1  # the fixture's CV only


def test_continue_without_a_cv_is_refused(as_role, objects):
    objects.draft_doc.delete()
    client = as_role("applicant")
    response = client.post(_step(objects, "documents"), {"continue": "1"})
    assert response.status_code == 200
    assert "Upload your CV to continue." in _text(response)


def test_download_is_an_attachment_with_the_original_name(as_role, url_of, objects):
    for role in ("applicant", "manager_a", "coordinator", "admin"):
        response = as_role(role).get(url_of("document_download", "submitted_doc"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''Mem%C3%B2ria%20t%C3%A8cnica.pdf" in disposition
        assert response["Cache-Control"] == "private, no-store"
        # Opened directly, the file never runs as a page of the portal.
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert b"".join(response.streaming_content) == PDF


def test_applicant_deletes_a_document(as_role, url_of, objects, django_capture_on_commit_callbacks):
    client = as_role("applicant")
    path = objects.draft_doc.file.path
    assert "Delete CV Laia Serra.pdf from your application?" in _text(
        client.get(url_of("document_delete", "draft_doc"))
    )
    # The file goes once the deletion is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_of("document_delete", "draft_doc"))
    assert response.url == _step(objects, "documents")
    assert not ApplicationDocument.objects.filter(pk=objects.draft_doc.pk).exists()
    assert not os.path.exists(path)


# --- Catalogue ----------------------------------------------------------------------------


def test_catalogue_shows_only_what_each_participant_agreed_to(as_role, world, objects):
    sector = f.SectorFactory(code="C13.92", name="Cordage")
    discreet_user = f.UserFactory(email="discreet@secret.example", full_name="Dora Discreta")
    discreet = ApplicationFactory(
        call=objects.call,
        applicant=discreet_user,
        organisation=_member_org(world.cluster_b, "FR", legal_name="Cordages Secrets SAS"),
        managing_cluster=world.cluster_b,
        role=R.HOST,
        status=S.ACCEPTED,
        objectives="Hidden objectives about ropes",
        catalogue_fields=["country"],
        activity_types=["networking"],
    )
    discreet.sectors.add(sector)
    ApplicationFactory(
        call=objects.call,
        organisation=_member_org(world.cluster_b, "FR", legal_name="Pas Au Catalogue SARL"),
        managing_cluster=world.cluster_b,
        role=R.HOST,
        status=S.ACCEPTED,
        consent_catalogue=False,
        catalogue_fields=[],
    )
    client = as_role("applicant")
    response = client.get(reverse("exchange:catalogue"))
    html = _html(response).split('id="catalogue"')[1]  # the list, not the search form
    text = " ".join(html.split())
    assert "Malhas Gama Lda" in html  # shares everything
    assert "Pas Au Catalogue" not in html  # did not agree to appear
    assert "France" in text and "Networking" in text  # shared, and always shown
    for hidden in ("Cordages Secrets", "Hidden objectives", "discreet@secret.example",
                   "Dora Discreta", "C13.92"):  # fmt: skip
        assert hidden not in html
    assert "Organisation not shown" in text
    # Searching on what is hidden does not find it out either.
    found = client.get(reverse("exchange:catalogue"), {"q": "ropes"})
    assert "0 participants" in _text(found)
    found = client.get(reverse("exchange:catalogue"), {"sector": sector.pk})
    assert "0 participants" in _text(found)
    found = client.get(reverse("exchange:catalogue"), {"country": "FR"})
    assert "1 participant" in _text(found)


def test_catalogue_refused_to_applicants_not_yet_accepted(as_role, objects):
    objects.accepted.status = S.WITHDRAWN
    objects.accepted.save()
    response = as_role("applicant").get(reverse("exchange:catalogue"))
    assert response.status_code == 403


# --- Review through the pages -------------------------------------------------------------


TICKED = {"membership_confirmed": "on", "documents_complete": "on", "objectives_clear": "on"}


def _review(client, application, decision, **data):
    return client.post(
        reverse("exchange:application_review", args=[application.pk]),
        {"decision": decision, **data},
    )


def _decision_email(applicant, status):
    return Email.objects.get(
        kind="exchange.decision", recipient=applicant.email, context__status=status
    )


@pytest.mark.parametrize(
    ("decision", "note", "shown"),
    [
        (S.ACCEPTED, "", "The application is now “Accepted”. The applicant is told by email."),
        (S.REJECTED, "Not a member of AEI.", "The application is now “Rejected”."),
        (S.INFO_REQUESTED, "Please add your CV.", "“More information requested”"),
    ],
)
def test_review_decision_records_history_and_emails_the_applicant_in_their_language(
    as_role, world, objects, mailoutbox, django_capture_on_commit_callbacks, decision, note, shown
):
    app = objects.submitted
    objects.applicant.language = "pt"
    objects.applicant.save()
    client = as_role("manager_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = _review(
            client,
            app,
            decision,
            note=note,
            review_notes="Checked the statutes.",
            **TICKED,
        )
    assert response.url == reverse("exchange:application_detail", args=[app.pk])
    app.refresh_from_db()
    assert app.status == decision
    assert app.review_notes == "Checked the statutes."
    assert app.review_checklist["membership_confirmed"] is True
    step = app.history.last()
    assert (step.from_status, step.to_status, step.by, step.note) == (
        S.SUBMITTED,
        decision,
        world.manager_a,
        note,
    )
    page = client.get(response.url)
    assert shown in _text(page)
    history = _html(page).split('id="history"')[1].split("</table>")[0]
    assert "Submitted → " + str(S(decision).label) in history
    assert world.manager_a.full_name in history
    # Emailed through the outbox in the applicant's language (Portuguese), not the
    # manager's (English).
    row = _decision_email(objects.applicant, decision)
    assert row.language == "pt"
    assert row.status == Email.Status.SENT
    (message,) = mailoutbox
    assert message.to == [objects.applicant.email]
    if note:
        assert note in message.body


def test_reject_without_a_reason_is_refused(as_role, objects, mailoutbox):
    before = _snapshot()
    response = _review(as_role("manager_a"), objects.submitted, S.REJECTED, note="  ")
    assert response.status_code == 200
    text = _text(response)
    assert "Give the reason for the rejection." in text
    assert "The decision was not recorded: see the review panel." in text
    assert _snapshot() == before
    assert mailoutbox == []


def test_info_request_then_the_applicant_changes_and_submits_again(
    as_role, world, objects, mailoutbox, django_capture_on_commit_callbacks
):
    app = objects.submitted
    with django_capture_on_commit_callbacks(execute=True):
        _review(as_role("manager_a"), app, S.INFO_REQUESTED, note="Which machines?")
    client = as_role("applicant")
    mine = _text(client.get(reverse("exchange:mine")))
    assert "Your cluster asks: Which machines?" in mine
    response = client.get(reverse("exchange:application_edit", args=[app.pk]))
    assert response.status_code == 302
    client.post(
        reverse("exchange:application_step", args=[app.pk, "participation"]),
        {
            "role": "visitor",
            "motivation": app.motivation,
            "objectives": "Rotary screen printing machines",
            "activity_types": ["rdi"],
            "draft": "1",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:application_submit", args=[app.pk]))
    assert response.url == reverse("exchange:application_detail", args=[app.pk])
    assert "Your application was submitted again." in _text(client.get(response.url))
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    assert app.objectives == "Rotary screen printing machines"
    assert list(app.history.values_list("to_status", flat=True)) == [
        S.SUBMITTED,
        S.INFO_REQUESTED,
        S.SUBMITTED,
    ]
    to_applicant = [m for m in mailoutbox if m.to == [objects.applicant.email]]
    assert len(to_applicant) == 2
    # The resubmission is a new submission for the cluster's managers too.
    assert any(m.to == [world.manager_a.email] for m in mailoutbox)


def test_submit_blocked_by_a_failed_rule_shows_the_rules(as_role, objects):
    org = objects.draft.organisation
    org.employees = 900
    org.save()
    client = as_role("applicant")
    response = client.post(reverse("exchange:application_submit", args=[objects.draft.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "The application cannot be submitted yet:" in text
    assert "EU SME definition: The organisation does not meet the EU SME definition." in text
    objects.draft.refresh_from_db()
    assert objects.draft.status == S.DRAFT


def test_non_member_host_needs_the_exception_before_acceptance(as_role, world, objects):
    app = objects.nonmember_host
    client = as_role("manager_a")
    page = _text(client.get(reverse("exchange:application_detail", args=[app.pk])))
    assert "Grant the non-member host exception" in page
    assert 'value="accepted"' not in page
    response = _review(client, app, S.ACCEPTED)
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    client.post(reverse("exchange:application_exception", args=[app.pk]), {"reason": ""})
    app.refresh_from_db()
    assert not app.exception_approved  # a reason is needed
    client.post(reverse("exchange:application_exception", args=[app.pk]), {"reason": "Unique line"})
    app.refresh_from_db()
    assert app.exception_approved
    assert app.history.last().note == "non-member host exception approved: Unique line"
    assert app.history.last().by == world.manager_a
    response = _review(client, app, S.ACCEPTED)
    assert response.status_code == 200  # the checklist is not ticked: refused on the server
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    _review(client, app, S.ACCEPTED, **TICKED)
    app.refresh_from_db()
    assert app.status == S.ACCEPTED


def test_coordinator_reads_but_does_not_decide(as_role, objects):
    client = as_role("coordinator")
    queue = _text(client.get(reverse("exchange:review_queue")))
    assert "Read only: the managing clusters decide" in queue
    assert "Tints Beta S.L." in queue and "Teixits Alfa S.L." in queue
    detail = _html(client.get(reverse("exchange:application_detail", args=[objects.submitted.pk])))
    assert reverse("exchange:application_review", args=[objects.submitted.pk]) not in detail
    assert 'name="decision"' not in detail
    manager = as_role("manager_a")
    assert "Read only" not in _text(manager.get(reverse("exchange:review_queue")))
    detail = _html(manager.get(reverse("exchange:application_detail", args=[objects.submitted.pk])))
    assert 'name="decision" value="accepted"' in detail


def test_review_queue_hides_drafts_and_other_clusters(as_role, world, objects):
    ApplicationFactory(
        call=objects.call,
        organisation=_member_org(world.cluster_b, "FR", legal_name="Bêta Submitted SAS"),
        managing_cluster=world.cluster_b,
        status=S.SUBMITTED,
    )
    text = _text(as_role("manager_a").get(reverse("exchange:review_queue")))
    assert "Teixits Alfa S.L." in text  # submitted to A
    assert "Filats Delta S.L." not in text  # a draft
    assert "Bêta Submitted SAS" not in text
    text = _text(as_role("manager_b").get(reverse("exchange:review_queue")))
    assert "Bêta Submitted SAS" in text and "Teixits Alfa S.L." not in text


def _country_options(response) -> str:
    return re.search(r'<select name="country".*?</select>', _html(response), re.S).group(0)


def test_review_queue_country_choices_are_each_scopes_own_and_fresh(as_role, world, objects):
    """The choices are cached per scope (the scoped query is the key) and renewed by any
    application or organisation change."""
    ApplicationFactory(
        call=objects.call,
        organisation=_member_org(world.cluster_b, "FR", legal_name="Bêta Submitted SAS"),
        managing_cluster=world.cluster_b,
        status=S.SUBMITTED,
    )
    queue = reverse("exchange:review_queue")
    assert 'value="FR"' in _country_options(as_role("manager_b").get(queue))
    # cached for B now; A's scope has its own entry, without France
    options = _country_options(as_role("manager_a").get(queue))
    assert 'value="ES"' in options and 'value="FR"' not in options
    assert 'value="IT"' not in options
    ApplicationFactory(
        call=objects.call,
        organisation=_member_org(world.cluster_a, "IT", legal_name="Tessuti Gamma S.r.l."),
        managing_cluster=world.cluster_a,
        status=S.SUBMITTED,
    )
    assert 'value="IT"' in _country_options(as_role("manager_a").get(queue))


# --- Matching through the pages --------------------------------------------------------


def test_applicant_proposes_and_the_host_cluster_accepts(as_role, world, objects, client):
    response = as_role("applicant").post(
        reverse("exchange:proposal_create", args=[objects.accepted.pk, objects.other_host.pk]),
        {"message": "We would like to see your knitting line."},
    )
    assert response.url == reverse("exchange:application_detail", args=[objects.accepted.pk])
    proposal = MatchProposal.objects.get(host=objects.other_host)
    assert (proposal.proposer_side, proposal.status) == ("visitor", MatchProposal.Status.PROPOSED)
    client.force_login(objects.manager_c)
    response = client.post(
        reverse("exchange:proposal_respond", args=[proposal.pk]), {"decision": "accept"}
    )
    assert response.url == reverse("exchange:application_detail", args=[objects.other_host.pk])
    exchange = Exchange.objects.get()
    assert exchange.status == Exchange.Status.MATCHED
    assert (exchange.visitor_cluster, exchange.host_cluster) == (world.cluster_a, objects.cluster_c)
    # A second acceptance for the same visitor is refused: it visits once.
    response = client.post(
        reverse("exchange:proposal_respond", args=[objects.proposal.pk]),
        {"decision": "accept"},
        follow=True,
    )
    assert "it may visit once only" in _text(response)
    assert Exchange.objects.count() == 1


def test_withdraw_a_draft(as_role, objects):
    client = as_role("applicant")
    response = client.post(reverse("exchange:application_withdraw", args=[objects.draft.pk]))
    assert response.url == reverse("exchange:mine")
    objects.draft.refresh_from_db()
    assert objects.draft.status == S.WITHDRAWN
    assert objects.draft.history.get().by == objects.applicant


def test_landing_lists_open_calls_only(client, world, objects):
    CallFactory(
        partnership=world.partnership,
        name="Call of 2021",
        opens_on=date(2021, 1, 1),
        closes_on=date(2021, 3, 1),
    )
    text = _text(client.get(reverse("exchange:landing")))
    assert "Open call" in text and "Call of 2021" not in text
    start, end = (
        formats.date_format(day, "SHORT_DATE_FORMAT")
        for day in (objects.call.opens_on, objects.call.closes_on)
    )
    assert f"CLAMTEX · open from {start} to {end} · 20 exchanges planned" in text


def test_after_its_match_the_visitors_own_application_still_passes_every_rule(
    as_role, objects, client
):
    """Its own exchange is not an "earlier visit"; another application of the same
    organisation as visitor is refused."""
    client.force_login(objects.manager_c)
    client.post(
        reverse("exchange:proposal_respond", args=[objects.proposal.pk]), {"decision": "accept"}
    )
    assert Exchange.objects.filter(visitor_application=objects.accepted).exists()
    html = _html(
        as_role("applicant").get(reverse("exchange:application_detail", args=[objects.accepted.pk]))
    )
    rules = html.split('aria-label="Eligibility rules"')[1].split("</ul>")[0]
    assert rules.count("Passed:") == 7 and "Failed:" not in rules
    again = ApplicationFactory(
        call=objects.call, applicant=objects.applicant, organisation=objects.accepted.organisation
    )
    html = _html(
        as_role("applicant").get(reverse("exchange:application_step", args=[again.pk, "review"]))
    )
    assert "This organisation already has an exchange as visitor." in html


def test_review_queue_lists_the_newest_submission_first_with_a_sort_control(
    as_role, world, objects
):
    old = ApplicationFactory(
        call=objects.call,
        organisation=_member_org(world.cluster_a, "ES", legal_name="Zeta Old S.L."),
        managing_cluster=world.cluster_a,
        status=S.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=30),
    )
    new = ApplicationFactory(
        call=objects.call,
        organisation=_member_org(world.cluster_a, "ES", legal_name="Alpha New S.L."),
        managing_cluster=world.cluster_a,
        status=S.SUBMITTED,
        submitted_at=timezone.now(),
    )
    client = as_role("manager_a")
    text = _text(client.get(reverse("exchange:review_queue")))
    assert text.index(new.organisation.legal_name) < text.index(old.organisation.legal_name)
    html = _html(client.get(reverse("exchange:review_queue")))
    assert 'name="sort"' in html and "Oldest first" in html
    text = _text(client.get(reverse("exchange:review_queue") + "?sort=submitted"))
    assert text.index(old.organisation.legal_name) < text.index(new.organisation.legal_name)


def test_landing_puts_the_review_queue_first_for_managers(as_role, objects):
    html = _html(as_role("manager_a").get(reverse("exchange:landing")))
    html = html[html.index('data-testid="reviewer-actions"') :]
    queue = html.index(reverse("exchange:review_queue"))
    assert queue < html.index(reverse("exchange:apply"))
    assert "btn btn-primary btn-lg" in html[html.rindex("<a", 0, queue) : queue]
    html = _html(as_role("applicant").get(reverse("exchange:landing")))
    assert reverse("exchange:review_queue") not in html
