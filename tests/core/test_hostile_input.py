"""No 500 on hostile input: every form the portal shows (walked from its pages, for each
role) is submitted with generated values — huge and negative integers, impossible dates,
odd decimals, control characters, long strings — and must answer below 500.

The first test replays the security review's finding on every form deterministically;
the second lets Hypothesis generate the values."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange.models import Application
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.exchange.lifecycle_factories import matched_exchange
from tests.projects.factories import (
    DeliverableFactory,
    PartnerFactory,
    ProjectFactory,
    WorkPackageFactory,
)
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@dataclass
class Form:
    role: str
    page: str
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> known options
    multiple: set[str] = field(default_factory=set)

    def __str__(self):
        return f"{self.role} {self.method.upper()} {self.action} (from {self.page})"


class _FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.page, self.forms, self.current, self.select = page, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self.current = Form("", self.page, action, (a.get("method") or "get").lower())
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag in ("input", "textarea", "select") and a.get("name"):
            name = a["name"]
            if name == "csrfmiddlewaretoken" or a.get("type") in ("file", "submit", "button"):
                return
            options = self.current.fields.setdefault(name, [])
            if a.get("value") and a.get("type") in ("checkbox", "radio", "hidden"):
                options.append(a["value"])
            if tag == "select":
                self.select = name
                if "multiple" in a:
                    self.current.multiple.add(name)
            if a.get("type") == "checkbox":
                self.current.multiple.add(name)
        elif tag == "option" and self.select and a.get("value") is not None:
            self.current.fields[self.select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None


@pytest.fixture
def pages(world):
    """The pages of the portal with forms, with objects each role may work on."""
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
        capacity_online=5,
    )
    registration = RegistrationFactory(event=event)
    call = CallFactory(partnership=world.partnership)
    application = ApplicationFactory(
        call=call,
        applicant=world.rep_a,
        organisation=world.org_a,
        managing_cluster=world.cluster_a,
        status=Application.Status.DRAFT,
    )
    parties = matched_exchange(world, call=call)
    project = ProjectFactory(partnership=world.partnership)
    PartnerFactory(project=project, cluster=world.cluster_a)
    deliverable = DeliverableFactory(work_package=WorkPackageFactory(project=project))
    exchange_pk = parties.exchange.pk
    by_role = {
        "anonymous": [
            reverse("exchange:apply"),
            reverse("workshops:register", args=[event.pk]),
            reverse("workshops:event_list"),
            reverse("workshops:registration_cancel", args=[registration.token]),
        ],
        "rep_a": [
            reverse("exchange:apply"),
            reverse("members:organisation_edit", args=[world.org_a.pk]),
            reverse("workshops:register", args=[event.pk]),
            *[
                reverse("exchange:application_step", args=[application.pk, step])
                for step in (
                    "organisation",
                    "participation",
                    "preferences",
                    "documents",
                    "consents",
                )
            ],
            reverse("profile"),
            reverse("privacy:my_data"),
            reverse("account_delete"),
        ],
        "manager_a": [
            reverse("members:directory"),
            reverse("members:organisation_create"),
            reverse("members:organisation_edit", args=[world.org_a.pk]),
            reverse("members:contact_create", args=[world.org_a.pk]),
            reverse("members:invitation_create", args=[world.org_a.pk]),
            reverse("members:cluster_edit", args=[world.cluster_a.pk]),
            reverse("members:import"),
            reverse("workshops:event_create"),
            reverse("workshops:event_edit", args=[event.pk]),
            reverse("workshops:participants", args=[event.pk]),
            reverse("workshops:participants_message", args=[event.pk]),
            reverse("exchange:review_queue"),
            reverse("exchange:catalogue"),
            reverse("exchange:exchange_list"),
            reverse("exchange:exchange_detail", args=[exchange_pk]),
            reverse("exchange:payments"),
            reverse("projects:dashboard") + f"?project={project.pk}",
            reverse("projects:deliverable_detail", args=[deliverable.pk]),
        ],
        "visitor": [
            reverse("exchange:exchange_detail", args=[exchange_pk]),
        ],
        "coordinator": [
            reverse("projects:dashboard") + f"?project={project.pk}",
            reverse("members:cluster_list"),
        ],
    }
    users = {
        "rep_a": world.rep_a,
        "manager_a": world.manager_a,
        "visitor": parties.visitor,
        "coordinator": world.coordinator,
    }
    clients, found, seen = {}, [], set()
    for role, urls in by_role.items():
        client = Client()
        if role in users:
            client.force_login(users[role])
        clients[role] = client
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            parser = _FormParser(url)
            parser.feed(response.content.decode())
            for form in parser.forms:
                if urlsplit(form.action).path.startswith(("/i18n/", "/accounts/logout")):
                    continue
                form.role = role
                # One form per view and shape (a list shows the same form on every row).
                view = resolve(urlsplit(form.action).path).view_name
                key = (role, form.method, view, tuple(sorted(form.fields)))
                if form.fields and key not in seen:
                    seen.add(key)
                    found.append(form)
    return clients, found


def _submit(clients, form: Form, values: dict):
    client = clients[form.role]
    call = client.post if form.method == "post" else client.get
    response = call(form.action, values)
    assert response.status_code < 500, f"{form}: {response.status_code} with {values!r}"
    return response


def test_every_form_refuses_the_reviews_huge_number(pages, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    clients, forms = pages
    assert len(forms) >= 25, len(forms)
    print(f"{len(forms)} forms")
    for form in forms:
        _submit(clients, form, dict.fromkeys(form.fields, HUGE))
        _submit(clients, form, {name: [HUGE, "1"] for name in form.fields})


HOSTILE = st.one_of(
    st.sampled_from(
        [
            HUGE,
            "-" + HUGE,
            "9" * 400,
            "1e309",
            "NaN",
            "-0",
            "0x1F",
            "2026-02-30",
            "9999-12-31",
            "0000-01-01",
            "2026-13-01T25:61",
            "",
            " ",
            "\x00",
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
            "<script>alert(1)</script>",
            "=cmd|' /C calc'!A0",
            "../../etc/passwd",
            "a" * 10_000,
            "€" * 300,
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=60),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_values_never_give_a_server_error(pages, data):
    clients, forms = pages
    form = data.draw(st.sampled_from(forms), label="form")
    values = {}
    for name, options in form.fields.items():
        choice = st.sampled_from(options) if options else HOSTILE
        strategy = st.one_of(HOSTILE, choice)
        if name in form.multiple:
            values[name] = data.draw(st.lists(strategy, max_size=4), label=name)
        else:
            values[name] = data.draw(strategy, label=name)
    _submit(clients, form, values)
