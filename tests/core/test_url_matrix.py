"""URL × role matrix, generated from the URLconf.

Every URL pattern that takes an object in its path is opened (GET and POST) by each role
that has no business with that object — anonymous, a representative, the manager of
another cluster, the coordinator of another partnership — with the object built in a
second partnership. Each must be refused: a redirect to the login page (anonymous), 403,
404 or 405 (401 from the REST API to an anonymous caller). The REST API's format-suffix
variants (`/api/v1/organisations/<pk>.json`) are opened too; patterns whose only argument
is the format suffix (list endpoints, the API root) take no object. A new URL pattern with arguments fails this test until it gets a rule here
(how to build its arguments) or a place in PUBLIC with the reason it is public."""

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiToken, WebhookSubscription
from exchange.models import (
    ApplicationDocument,
    ClosingReport,
    EligibleCountry,
    Evidence,
    ExchangeDocument,
    MatchProposal,
    Signature,
)
from members.models import ExportRun
from projects.models import DeliverableVersion
from tests import factories as f
from tests import samples
from tests.exchange.external_helpers import accepted_visitor, external_host_exchange, party
from tests.exchange.lifecycle_factories import matched_exchange
from tests.projects.factories import (
    DeliverableFactory,
    PartnerFactory,
    ProjectFactory,
    ReportRunFactory,
    WorkPackageFactory,
)
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event

pytestmark = pytest.mark.django_db

# Patterns with arguments that anyone may open, and why. Capability URLs are checked
# below with a guessed token instead.
PUBLIC = {
    "workshops:calendar_month": "the public calendar of a month (year and month, no object)",
    "members:invitation_accept": "capability: the secret token from the invitation email",
    "workshops:feed_ics": "capability: the secret address of a personal calendar feed",
    "workshops:registration_cancel": "capability: the token from the registration email",
    "workshops:registration_confirm": "capability: the token from the registration email",
    "workshops:feedback": "capability: the token from the registration email",
    "workshops:certificate": "capability: the token from the registration email",
    "notifications:unsubscribe": "capability: the random token of an unsubscribe link",
    # Open data for the clusters' websites: published events with the public audience only,
    # never the online link nor anyone's registration (workshops/public_feeds.py).
    "workshops:cluster_events_json": "open data: a cluster's published public events",
    "workshops:cluster_events_ics": "open data: a cluster's published public events",
    "workshops:partnership_events_json": "open data: a partnership's published public events",
    "workshops:partnership_events_ics": "open data: a partnership's published public events",
    "exchange:external_home": "capability: the private link emailed to a party of another "
    "partnership (only its SHA-256 is stored; it expires and can be revoked)",
    "exchange:external_respond": "capability: the private link of a party of another partnership",
    "exchange:external_plan": "capability: the private link of a party of another partnership",
    "exchange:external_generate": "capability: the private link of a party of another partnership",
    "exchange:external_code": "capability: the private link of a party of another partnership",
    "exchange:external_sign": "capability: the private link of a party of another partnership",
    "exchange:external_confirm": "capability: the private link of a party of another partnership",
    "exchange:impact_survey": "capability: the token of the impact survey email",
    "privacy:export_download": "capability: the token of the personal data export email",
    # The REST API's public reads (AllowAny): partnerships, the ECCP public fields of a
    # cluster (the full profile only for its managers and coordinator, tested in tests/api),
    # and the calls open for applications.
    "api:partnership-detail": "public: partnerships are public data",
    "api:cluster-detail": "public: a cluster's ECCP profile fields are public data",
    "api:call-detail": "public: calls open for applications are published",
}
CAPABILITIES = [name for name, why in PUBLIC.items() if why.startswith("capability")]
# Other arguments of a capability URL, besides the guessed token.
CAPABILITY_KWARGS = {"exchange:external_sign": {"document_pk": 1}}
# allauth's own keyed links and the admin (staff only, checked in test_mfa and Django).
SKIPPED_PREFIXES = ("accounts/", "admin/", "^media/")


@dataclass
class Foreign:
    """Objects of a second partnership (clusters C and D) that none of the roles of the
    first partnership may see."""

    kwargs: dict
    owner: object = None  # the manager of cluster C, who may open them


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern


def _object_patterns():
    for route, name, pattern in _patterns():
        if set(pattern.pattern.converters) == {"format"}:
            continue  # a REST API list (or the API root) with a format suffix: no object
        if route.startswith(SKIPPED_PREFIXES) or not pattern.pattern.converters:
            if not route.startswith(SKIPPED_PREFIXES) and "(?P<" in route:
                yield route, name
            continue
        yield route, name


@pytest.fixture
def foreign(world):
    partnership = f.PartnershipFactory(acronym="OTHER")
    cluster_c = f.ClusterFactory(partnership=partnership, acronym="CLC", country="IT")
    cluster_d = f.ClusterFactory(partnership=partnership, acronym="CLD", country="DE")
    org_c = f.OrganisationFactory(legal_name="Tessuti Gamma S.r.l.", country="IT")
    org_d = f.OrganisationFactory(legal_name="Delta Textil GmbH", country="DE")
    f.MembershipFactory(organisation=org_c, cluster=cluster_c)
    membership = f.MembershipFactory(organisation=org_d, cluster=cluster_d)
    manager_c = f.ClusterManagerFactory(cluster=cluster_c).user
    manager_d = f.ClusterManagerFactory(cluster=cluster_d).user
    contact = f.ContactFactory(organisation=org_c)
    invitation = f.InvitationFactory(organisation=org_c, cluster=cluster_c)

    project = ProjectFactory(partnership=partnership)
    PartnerFactory(project=project, cluster=cluster_c)
    deliverable = DeliverableFactory(work_package=WorkPackageFactory(project=project))
    version = DeliverableVersion(
        deliverable=deliverable, number=1, original_name="d.pdf", content_type="application/pdf"
    )
    version.size = len(samples.PDF)
    version.file.save("v1", ContentFile(samples.PDF), save=False)
    version.save()
    run = ReportRunFactory(project=project, requested_by=manager_c)
    cluster_c.logo.save("logo.png", ContentFile(samples.PNG), save=True)
    export = ExportRun(
        requested_by=manager_c,
        format=ExportRun.Format.CSV,
        status=ExportRun.Status.DONE,
        progress=100,
        rows=1,
    )
    export.file.save("members.csv", ContentFile(b"legal_name\r\nTessuti Gamma\r\n"), save=False)
    export.save()
    token = ApiToken.objects.create(
        user=manager_c, name="CLC sync", prefix="f0f0f0f0", key_hash="f" * 64
    )
    subscription = WebhookSubscription.objects.create(
        cluster=cluster_c,
        url="https://clc.example/hook",
        event_types=["event.published"],
        created_by=manager_c,
    )

    event = EventFactory(
        partnership=partnership, organisers=[cluster_c], audience=Event.Audience.CLUSTER
    )
    registration = RegistrationFactory(event=event)

    other_world = type(world)(
        partnership=partnership,
        cluster_a=cluster_c,
        cluster_b=cluster_d,
        org_a=org_c,
        org_b=org_d,
        contact_a=contact,
        contact_b=contact,
        admin=world.admin,
        coordinator=f.CoordinatorFactory(partnership=partnership).user,
        manager_a=manager_c,
        manager_b=manager_d,
        rep_a=world.rep_a,
        outsider=world.outsider,
    )
    parties = matched_exchange(other_world)
    exchange = parties.exchange
    visitor_app, host_app = exchange.visitor_application, exchange.host_application
    proposal = MatchProposal.objects.create(
        visitor=visitor_app, host=host_app, proposed_by=manager_c
    )
    document = ApplicationDocument(
        application=visitor_app,
        original_name="cv.pdf",
        content_type="application/pdf",
        size=len(samples.PDF),
    )
    document.file.save("cv", ContentFile(samples.PDF), save=False)
    document.save()
    exchange_document = ExchangeDocument.objects.create(
        exchange=exchange, kind=ExchangeDocument.Kind.COMMITMENT, version=1, content_hash="0" * 64
    )
    report = ClosingReport.objects.create(exchange=exchange)
    evidence = Evidence(
        report=report,
        kind=Evidence.Kind.TICKET,
        original_name="t.pdf",
        content_type="application/pdf",
        size=len(samples.PDF),
    )
    evidence.file.save("t", ContentFile(samples.PDF), save=False)
    evidence.save()
    org_e = f.OrganisationFactory(legal_name="Filati Epsilon S.p.A.", country="IT")
    f.MembershipFactory(organisation=org_e, cluster=cluster_c)
    # Seeded by a data migration; a transactional test elsewhere may have flushed it.
    EligibleCountry.objects.get_or_create(country="BE")
    external = external_host_exchange(other_world, visitor=accepted_visitor(other_world, org=org_e))
    external_ho = party(external, Signature.Role.HO)

    rules = {
        "members:organisation_detail": {"pk": org_c.pk},
        "members:organisation_edit": {"pk": org_c.pk},
        "members:contact_create": {"org_pk": org_c.pk},
        "members:invitation_create": {"org_pk": org_c.pk},
        "members:contact_edit": {"pk": contact.pk},
        "members:contact_delete": {"pk": contact.pk},
        "members:membership_edit": {"pk": membership.pk},
        "members:invitation_revoke": {"pk": invitation.pk},
        "members:cluster_detail": {"pk": cluster_c.pk},
        "members:cluster_edit": {"pk": cluster_c.pk},
        # Cluster profiles are seen within their own partnership only (clusters_visible_to).
        "members:cluster_logo": {"pk": cluster_c.pk},
        "members:cluster_eccp_json": {"pk": cluster_c.pk},
        "members:cluster_eccp_csv": {"pk": cluster_c.pk},
        # A directory export (done, with its file) of the other partnership's manager.
        "members:export_detail": {"pk": export.pk},
        "members:export_status": {"pk": export.pk},
        "members:export_download": {"pk": export.pk},
        "projects:cluster_dashboard": {"pk": cluster_c.pk},
        "projects:kpi_value_add": {"project_pk": project.pk},
        "projects:report_detail": {"pk": run.pk},
        "projects:report_status": {"pk": run.pk},
        "projects:report_download": {"pk": run.pk},
        "projects:deliverable_detail": {"pk": deliverable.pk},
        "projects:deliverable_upload": {"pk": deliverable.pk},
        "projects:deliverable_approve": {"pk": deliverable.pk},
        "projects:deliverable_return": {"pk": deliverable.pk},
        "projects:version_download": {"pk": version.pk},
        "exchange:application_detail": {"pk": visitor_app.pk},
        "exchange:application_edit": {"pk": visitor_app.pk},
        "exchange:application_step": {"pk": visitor_app.pk, "step": "organisation"},
        "exchange:application_submit": {"pk": visitor_app.pk},
        "exchange:application_withdraw": {"pk": visitor_app.pk},
        "exchange:application_review": {"pk": visitor_app.pk},
        "exchange:application_exception": {"pk": visitor_app.pk},
        "exchange:application_link": {"pk": visitor_app.pk},
        "exchange:proposal_create": {"pk": visitor_app.pk, "other": host_app.pk},
        "exchange:proposal_respond": {"pk": proposal.pk},
        "exchange:document_download": {"pk": document.pk},
        "exchange:document_delete": {"pk": document.pk},
        "exchange:exchange_certificate": {"pk": exchange.pk, "side": "visitor"},
        "exchange:exchange_document_pdf": {"pk": exchange.pk, "document_pk": exchange_document.pk},
        "exchange:exchange_document_sign": {
            "pk": exchange.pk,
            "document_pk": exchange_document.pk,
        },
        "exchange:exchange_evidence_download": {"pk": exchange.pk, "evidence_pk": evidence.pk},
        "exchange:exchange_evidence_delete": {"pk": exchange.pk, "evidence_pk": evidence.pk},
        # An exchange with a host of a third partnership, proposed by the manager of CLC.
        "exchange:external_party_revoke": {"pk": external.pk, "party_pk": external_ho.pk},
        "exchange:external_party_renew": {"pk": external.pk, "party_pk": external_ho.pk},
        # The REST API: someone else's token, another cluster's webhook subscription, and
        # every detail route and action of an object of the other partnership (the event
        # is for cluster members only, so its detail is not public either).
        "api:token_revoke": {"pk": token.pk},
        "api:webhook_detail": {"pk": subscription.pk},
        "api:organisation-detail": {"pk": org_c.pk},
        "api:organisation-contacts": {"pk": org_c.pk},
        "api:event-detail": {"pk": event.pk},
        "api:event-registrations": {"pk": event.pk},
        "api:registration-detail": {"pk": registration.pk},
        "api:registration-cancel": {"pk": registration.pk},
        "api:registration-check-in": {"pk": registration.pk},
        "api:application-detail": {"pk": visitor_app.pk},
        "api:application-decide": {"pk": visitor_app.pk},
        "api:exchange-detail": {"pk": exchange.pk},
        "api:exchange-cancel": {"pk": exchange.pk},
    }
    for name in (
        "workshops:event_detail",
        "workshops:event_ics",
        "workshops:register",
        "workshops:event_edit",
        "workshops:event_publish",
        "workshops:event_cancel",
        "workshops:event_duplicate",
        "workshops:participants",
        "workshops:participants_csv",
        "workshops:participants_xlsx",
        "workshops:participants_message",
    ):
        rules[name] = {"pk": event.pk}
    for name in ("mark", "approve", "decline", "cancel_by_organiser"):
        rules[f"workshops:registration_{name}"] = {"pk": registration.pk}
    for name in (
        "exchange_detail",
        "exchange_plan",
        "exchange_document_generate",
        "exchange_grant_reopen",
        "exchange_cancel",
        "exchange_report",
        "exchange_evidence_add",
        "exchange_host_confirm",
        "exchange_review",
        "exchange_payment",
        "exchange_close",
        "exchange_outcome",
        "exchange_location",
        "exchange_bank",
    ):
        rules[f"exchange:{name}"] = {"pk": exchange.pk}
    return Foreign(kwargs=rules, owner=manager_c)


ROLES = ["anonymous", "rep_a", "manager_a", "coordinator"]


def test_every_object_url_has_a_rule(foreign):
    missing = [
        f"{name} ({route})"
        for route, name in _object_patterns()
        if name not in foreign.kwargs and name not in PUBLIC
    ]
    assert not missing, "URL patterns without a rule in tests/core/test_url_matrix.py: " + (
        ", ".join(missing)
    )
    assert not set(foreign.kwargs) & set(PUBLIC)


def _refused(response, role) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code == 401 and role == "anonymous":
        return True
    if response.status_code == 302 and role == "anonymous":
        return response["Location"].startswith(reverse("account_login"))
    return False


def _urls(name, kwargs):
    """The URL, and its REST API format-suffix variant when the pattern has one."""
    yield reverse(name, kwargs=kwargs)
    try:
        url = reverse(name, kwargs={**kwargs, "format": "json"})
    except NoReverseMatch:
        return
    yield url


def test_api_format_suffix_variants_are_checked(foreign):
    urls = list(_urls("api:organisation-detail", foreign.kwargs["api:organisation-detail"]))
    assert len(urls) == 2 and ".json" in urls[1]


# The objects behind the newer rules exist and open for their owner, so the refusals above
# are not a 404 of a missing file or an empty profile.
OWNER_OPENS = [
    "members:export_detail",
    "members:export_status",
    "members:export_download",
    "members:cluster_logo",
    "members:cluster_eccp_json",
    "members:cluster_eccp_csv",
    "api:webhook_detail",
    "api:organisation-detail",
    "api:organisation-contacts",
    "api:event-detail",
    "api:event-registrations",
    "api:registration-detail",
    "api:exchange-detail",
]


def test_the_owner_opens_the_objects_of_the_newer_rules(client, foreign, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(foreign.owner)
    statuses = {
        name: client.get(url).status_code
        for name in OWNER_OPENS
        for url in _urls(name, foreign.kwargs[name])
    }
    assert set(statuses.values()) == {200}, statuses
    revoke = reverse("api:token_revoke", kwargs=foreign.kwargs["api:token_revoke"])
    assert client.post(revoke).status_code == 302
    assert ApiToken.objects.get(pk=foreign.kwargs["api:token_revoke"]["pk"]).revoked_at


@pytest.mark.parametrize("role", ROLES)
def test_foreign_objects_are_refused_to_every_role(client, world, foreign, role, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    if role != "anonymous":
        client.force_login(getattr(world, role))
    allowed = []
    checked = 0
    for name, kwargs in sorted(foreign.kwargs.items()):
        for url in _urls(name, kwargs):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                checked += 1
                if not _refused(response, role):
                    allowed.append(f"{method.upper()} {url} ({name}) -> {response.status_code}")
    assert checked >= 2 * 95
    assert not allowed, f"{role} reached foreign objects:\n" + "\n".join(allowed)


@pytest.mark.parametrize("name", CAPABILITIES)
def test_capability_urls_refuse_a_guessed_token(client, name):
    kwargs = {"token": "guessed-token-0123456789abcdef", **CAPABILITY_KWARGS.get(name, {})}
    url = reverse(name, kwargs=kwargs)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        # 405: a GET of a POST-only step (its POST is checked too); the login page: the
        # personal data export also belongs to one logged-in user.
        assert response.status_code in (400, 403, 404, 405) or _refused(response, "anonymous")
        assert response.status_code != 405 or method == "get"


def test_the_date_is_checked(client):
    assert timezone.now()  # the calendar month is public and validated:
    assert client.get(reverse("workshops:calendar_month", args=[2026, 13])).status_code == 404
