"""URL × role matrix, generated from the URLconf.

Every URL pattern that takes an object in its path is opened (GET and POST) by each role
that has no business with that object — anonymous, a representative, the manager of
another cluster, the coordinator of another partnership — with the object built in a
second partnership. Each must be refused: a redirect to the login page (anonymous), 403,
404 or 405. A new URL pattern with arguments fails this test until it gets a rule here
(how to build its arguments) or a place in PUBLIC with the reason it is public."""

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from exchange.models import (
    ApplicationDocument,
    ClosingReport,
    Evidence,
    ExchangeDocument,
    MatchProposal,
)
from projects.models import DeliverableVersion
from tests import factories as f
from tests import samples
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
}
CAPABILITIES = [name for name, why in PUBLIC.items() if why.startswith("capability")]
# allauth's own keyed links and the admin (staff only, checked in test_mfa and Django).
SKIPPED_PREFIXES = ("accounts/", "admin/", "^media/")


@dataclass
class Foreign:
    """Objects of a second partnership (clusters C and D) that none of the roles of the
    first partnership may see."""

    kwargs: dict


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
    ):
        rules[f"exchange:{name}"] = {"pk": exchange.pk}
    return Foreign(kwargs=rules)


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
    if response.status_code == 302 and role == "anonymous":
        return response["Location"].startswith(reverse("account_login"))
    return False


@pytest.mark.parametrize("role", ROLES)
def test_foreign_objects_are_refused_to_every_role(client, world, foreign, role, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    if role != "anonymous":
        client.force_login(getattr(world, role))
    allowed = []
    checked = 0
    for name, kwargs in sorted(foreign.kwargs.items()):
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            checked += 1
            if not _refused(response, role):
                allowed.append(f"{method.upper()} {url} ({name}) -> {response.status_code}")
    assert checked >= 2 * 60
    assert not allowed, f"{role} reached foreign objects:\n" + "\n".join(allowed)


@pytest.mark.parametrize("name", CAPABILITIES)
def test_capability_urls_refuse_a_guessed_token(client, name):
    url = reverse(name, kwargs={"token": "guessed-token-0123456789abcdef"})
    for method in ("get", "post"):
        assert getattr(client, method)(url).status_code in (400, 404)


def test_the_date_is_checked(client):
    assert timezone.now()  # the calendar month is public and validated:
    assert client.get(reverse("workshops:calendar_month", args=[2026, 13])).status_code == 404
