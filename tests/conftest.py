"""Shared fixtures: a small partnership with two clusters (A in Spain, B in France), a
member of each, and one user per role."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from clamtex.celery import app as celery_app
from tests import factories as f


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run in-process (after commit, as in production) unless a test starts a real
    worker (see tests/core/test_celery_worker.py)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILES_DOWNLOAD = "stream"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # As in production (Redis): sessions read from the cache, so query budgets count what
    # a deployed page costs.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()  # rate-limit counters must not leak from one test into the next
    settings.STORAGES = {
        **settings.STORAGES,
        # The local disk even when S3_BUCKET is set (tests/core/conftest.py's `s3` for S3).
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    partnership: object
    cluster_a: object
    cluster_b: object
    org_a: object
    org_b: object
    contact_a: object
    contact_b: object
    admin: object
    coordinator: object
    manager_a: object
    manager_b: object
    rep_a: object
    outsider: object


@pytest.fixture
def eligible_countries(db):
    """The programme data a migration seeds; re-created because transactional tests
    elsewhere in the suite flush every table (autouse in tests/exchange and tests/api)."""
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)


@pytest.fixture
def world(db):
    partnership = f.PartnershipFactory(acronym="CLAMTEX")
    cluster_a = f.ClusterFactory(partnership=partnership, acronym="AEI", country="ES")
    cluster_b = f.ClusterFactory(partnership=partnership, acronym="EMC2", country="FR")
    org_a = f.OrganisationFactory(legal_name="Teixits Alfa S.L.", country="ES")
    org_b = f.OrganisationFactory(legal_name="Composites Bêta SAS", country="FR", vat_number="FR1")
    f.MembershipFactory(organisation=org_a, cluster=cluster_a)
    f.MembershipFactory(organisation=org_b, cluster=cluster_b)
    admin = f.UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    coordinator = f.CoordinatorFactory(partnership=partnership).user
    manager_a = f.ClusterManagerFactory(cluster=cluster_a, user__email="manager.a@example.org").user
    manager_b = f.ClusterManagerFactory(cluster=cluster_b, user__email="manager.b@example.org").user
    rep_a = f.RepresentativeFactory(organisation=org_a, user__email="rep.a@example.org").user
    outsider = f.UserFactory(email="nobody@example.org")
    return World(
        partnership=partnership,
        cluster_a=cluster_a,
        cluster_b=cluster_b,
        org_a=org_a,
        org_b=org_b,
        contact_a=f.ContactFactory(organisation=org_a, full_name="Anna Contacte"),
        contact_b=f.ContactFactory(organisation=org_b, full_name="Bruno Contact"),
        admin=admin,
        coordinator=coordinator,
        manager_a=manager_a,
        manager_b=manager_b,
        rep_a=rep_a,
        outsider=outsider,
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
