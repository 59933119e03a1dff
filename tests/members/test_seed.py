import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from members.models import Cluster, ClusterManager, Organisation, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Cluster.objects.count() == 5
    assert Organisation.objects.filter(memberships__isnull=False).distinct().count() == 100
    # plus the host of another partnership of the exchange demo (no membership)
    assert Organisation.objects.filter(memberships__isnull=True).count() == 1
    for cluster in Cluster.objects.all():
        countries = set(cluster.memberships.values_list("organisation__country", flat=True))
        assert countries == {cluster.country.code}, cluster
    aei = Cluster.objects.get(acronym="AEI TÈXTILS")
    assert aei.is_coordinator and aei.year_founded == 2008
    manager = User.objects.get(email="manager.emc2@clamtex.example")
    assert manager.check_password("clamtex-demo")
    assert ClusterManager.objects.get(user=manager).cluster.acronym == "Pôle EMC2"
    assert EmailAddress.objects.get(email="manager.emc2@clamtex.example").verified


def test_seed_demo_refuses_passwords_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--no-accounts")
    assert Organisation.objects.count() == 100
    assert not User.objects.exists()
