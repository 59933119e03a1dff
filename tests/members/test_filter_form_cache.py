"""The directory's filter form is cached (its ~1,400 options for a coordinator of a
landscape-sized partnership): per language and per scope, never shared between users who
see different clusters, and renewed when a cluster or a sector changes."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from members.filters import directory_filterset
from tests import factories as f

pytestmark = pytest.mark.django_db


def _cluster_options(client, query=""):
    html = client.get(reverse("members:directory") + query).content.decode()
    select = re.search(r'<select name="cluster".*?</select>', html, re.S).group(0)
    return select


def test_another_clusters_manager_never_sees_a_cached_option(client, world):
    client.force_login(world.coordinator)
    assert "AEI" in _cluster_options(client) and "EMC2" in _cluster_options(client)
    client.force_login(world.manager_a)
    options = _cluster_options(client)  # cached now for manager A's scope
    assert "AEI" in options and "EMC2" not in options
    client.force_login(world.manager_b)
    options = _cluster_options(client)
    assert "EMC2" in options and "AEI" not in options
    client.force_login(world.manager_a)
    assert "EMC2" not in _cluster_options(client)


def test_a_renamed_or_new_cluster_shows_at_once(client, world):
    client.force_login(world.coordinator)
    assert "AEI" in _cluster_options(client)
    world.cluster_a.acronym = "AEI-TEX"
    world.cluster_a.save()
    f.ClusterFactory(partnership=world.partnership, acronym="NEWCL")
    options = _cluster_options(client)
    assert "AEI-TEX" in options and "NEWCL" in options


def test_a_new_sector_shows_at_once(client, world):
    client.force_login(world.coordinator)
    client.get(reverse("members:directory"))
    f.SectorFactory(code="Z99", name="Zither making")
    assert "Zither making" in client.get(reverse("members:directory")).content.decode()


def test_the_chosen_value_is_selected_from_the_cached_options(client, world):
    client.force_login(world.coordinator)
    _cluster_options(client)  # cached without a selection
    options = _cluster_options(client, f"?cluster={world.cluster_b.pk}")
    assert f'<option value="{world.cluster_b.pk}" selected>EMC2</option>' in options
    assert f'<option value="{world.cluster_a.pk}">AEI</option>' in options
    options = _cluster_options(client)
    assert f'<option value="{world.cluster_b.pk}">EMC2</option>' in options
    assert '<option value="" selected>' in options  # no choice: the empty one, as before


def test_options_are_cached_per_language(world):
    def country_select():
        return str(directory_filterset(world.coordinator, {}).form["country"])

    with translation.override("en"):
        assert ">Spain</option>" in country_select()
    with translation.override("fr"):
        assert ">Espagne</option>" in country_select()
    with translation.override("en"):
        assert ">Spain</option>" in country_select()


def test_form_copies_share_the_choices_but_validate_each_users_scope(world):
    """SharedChoiceField: the form's copy of a field shares the (value, label) pairs instead
    of deep-copying ~1,400 of them per request; what a user may choose stays their own."""
    coordinator = directory_filterset(world.coordinator, {"cluster": str(world.cluster_b.pk)})
    manager_a = directory_filterset(world.manager_a, {"cluster": str(world.cluster_b.pk)})
    assert coordinator.form.is_valid()
    assert not manager_a.form.is_valid() and "cluster" in manager_a.form.errors
    country = coordinator.form.fields["country"]
    base = coordinator.form.base_fields["country"]
    assert country is not base and country._choices is base._choices
    assert ("ES", "Spain") in [(str(v), str(label)) for v, label in country.choices]
