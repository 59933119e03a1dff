"""The rows of the member export (members/exports.py): PostgreSQL aggregates them in one
streamed query, other databases read chunks with three queries each; both give the same
rows, in the order of the name, scoped like the directory."""

import datetime

import pytest
from django.db import connection

from members import exports, selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(world):
    a, b = world.cluster_a, world.cluster_b
    knit = f.SectorFactory(code="C13.9", name="Knitting")
    dye = f.SectorFactory(code="C13.3", name="Dyeing")
    both = f.OrganisationFactory(legal_name="Alfa Teixits S.L.", employees=300)
    both.sectors.set([knit, dye])
    f.MembershipFactory(organisation=both, cluster=b, start_date=datetime.date(2021, 5, 1))
    f.MembershipFactory(organisation=both, cluster=a, start_date=datetime.date(2020, 1, 15))
    f.ContactFactory(organisation=both, full_name="Zoe Secondary", is_primary=False)
    f.ContactFactory(
        organisation=both, full_name="Marta Primary", email="marta@alfa.example", is_primary=True
    )
    bare = f.OrganisationFactory(
        legal_name='=Beta, "quoted"', employees=None, turnover_eur=None, balance_sheet_eur=None
    )
    f.MembershipFactory(organisation=bare, cluster=a, start_date=datetime.date(2022, 2, 2))
    only_b = f.OrganisationFactory(legal_name="Gamma Composites SAS", country="FR")
    f.MembershipFactory(organisation=only_b, cluster=b, start_date=datetime.date(2023, 3, 3))
    return world


def _rows(user, cluster_ids=None):
    return list(
        exports.organisation_rows(selectors.organisations_visible_to(user), cluster_ids=cluster_ids)
    )


def test_rows_in_name_order_with_memberships_sectors_and_the_primary_contact(members):
    rows = _rows(members.coordinator)
    names = [row[0] for row in rows if row[0][0].isalnum()]  # (collations differ on "=")
    assert names == sorted(names) and "Alfa Teixits S.L." in names
    alfa = dict(
        zip(exports.COLUMNS, next(r for r in rows if r[0] == "Alfa Teixits S.L."), strict=True)
    )
    assert alfa["sectors"] == "C13.3;C13.9"
    assert alfa["clusters"] == ";".join(
        sorted([members.cluster_a.acronym, members.cluster_b.acronym])
    )
    assert alfa["contact_name"] == "Marta Primary" and alfa["contact_email"] == "marta@alfa.example"
    assert alfa["is_sme"] == "no"  # 300 staff
    bare = dict(
        zip(exports.COLUMNS, next(r for r in rows if r[0].startswith("=Beta")), strict=True)
    )
    assert bare["sectors"] == "" and bare["contact_email"] == "" and bare["is_sme"] == ""
    assert bare["membership_start"] == "2022-02-02"


def test_a_managers_rows_show_their_own_clusters_membership_first(members):
    a = members.cluster_a
    rows = _rows(members.manager_a, cluster_ids={a.pk})
    assert {row[0] for row in rows} >= {'=Beta, "quoted"', "Alfa Teixits S.L."}
    alfa = dict(
        zip(exports.COLUMNS, next(r for r in rows if r[0] == "Alfa Teixits S.L."), strict=True)
    )
    assert alfa["membership_start"] == "2020-01-15"  # cluster A's, not B's
    assert "Gamma Composites SAS" not in [row[0] for row in rows]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-query path is PostgreSQL's")
@pytest.mark.parametrize("role", ["coordinator", "manager_a", "manager_b"])
def test_the_postgresql_query_gives_the_chunked_rows(members, monkeypatch, role):
    user = getattr(members, role)
    scope = None if role == "coordinator" else {getattr(members, f"cluster_{role[-1]}").pk}
    one_query = _rows(user, scope)
    monkeypatch.setattr(exports, "_postgresql_rows", exports._chunked_rows)
    assert one_query == _rows(user, scope) and one_query
