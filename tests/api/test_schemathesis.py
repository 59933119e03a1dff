"""Schemathesis generates requests from the OpenAPI schema and checks every answer: no
5xx, and responses that conform to the schema (status codes, content types, bodies)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from clamtex.wsgi import application
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.projects.factories import KPIFactory, ProjectFactory
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event


@pytest.fixture
def api_schema(db):
    # As Django's test client does: keep the test's connection (and its transaction) open
    # across the WSGI requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(world, token_for):
    event = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], audience=Event.Audience.PUBLIC
    )
    RegistrationFactory(event=event)
    call = CallFactory(partnership=world.partnership)
    ApplicationFactory(
        call=call, organisation=world.org_a, managing_cluster=world.cluster_a, status="submitted"
    )
    KPIFactory(project=ProjectFactory(partnership=world.partnership))
    return {"Authorization": f"Bearer {token_for(world.manager_a, scope='write')}"}


@pytest.fixture
def real_ids(world, api_world):
    """An object the token may see behind every `{id}` path, so that conformance is also
    checked on full answers and not only on 404s for generated ids."""
    from exchange.models import Application
    from tests.projects.factories import exchange
    from workshops.models import Registration

    event = Event.objects.get()
    return {
        "registrations:cancel": RegistrationFactory(event=event).pk,
        "partnerships": world.partnership.pk,
        "clusters": world.cluster_a.pk,
        "organisations": world.org_a.pk,
        "events": event.pk,
        "registrations": Registration.objects.order_by("pk").first().pk,
        "calls": CallFactory(partnership=world.partnership).pk,
        "applications": Application.objects.get().pk,
        "exchanges": exchange(world.cluster_a, world.cluster_b, status="matched").pk,
    }


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    from rest_framework.settings import api_settings

    from api.drf import TokenRateThrottle

    TokenRateThrottle.THROTTLE_RATES = {"api": "100000/min"}
    yield
    TokenRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


# Valid bodies for the writes on real objects (others are generated).
BODIES = {
    ("POST", "/api/v1/events/{id}/registrations/"): {
        "full_name": "Nova Persona",
        "email": "nova@example.org",
        "mode": "in_person",
    },
    ("POST", "/api/v1/applications/{id}/decide/"): {"to": "under_review"},
    ("POST", "/api/v1/exchanges/{id}/cancel/"): {"reason": "The host closed for the summer."},
}


def test_api_conforms_on_real_objects(api_schema, api_world, real_ids):
    """Every operation on an object the token sees: a documented status, and a body that
    conforms to the schema (reads first, then the writes)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    checked = []
    for operation in sorted(operations, key=lambda o: o.method != "get"):  # reads first
        if "{id}" not in operation.path or "{format}" in operation.path:
            continue
        resource = operation.path.split("/")[3]
        if operation.path == "/api/v1/registrations/{id}/cancel/":
            resource += ":cancel"  # another registration than the one checked in
        kwargs = {"path_parameters": {"id": real_ids[resource]}}
        body = BODIES.get((operation.method.upper(), operation.path))
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        response = operation.Case(**kwargs).call_and_validate(headers=api_world)
        checked.append((operation.method.upper(), operation.path, response.status_code))
    assert len(checked) >= 14
    assert [c for c in checked if c[2] >= 400] == []


def test_api_conforms_to_its_schema(api_schema, api_world):
    """Every operation, generated cases (pytest 9 and schemathesis' pytest plugin do not
    agree yet, so the operations are walked here with Hypothesis directly)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    examples = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call_and_validate(headers=api_world)
            examples.append(response.status_code)

        check()
    assert all(code < 500 for code in examples)
    print(f"schemathesis: {len(operations)} operations, {len(examples)} examples")
