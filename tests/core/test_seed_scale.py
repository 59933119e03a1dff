"""seed_scale: the landscape-sized data set, here at a tiny scale on the test database."""

import pytest
from django.core.management import CommandError, call_command

from clamtex.core.scale import scaled, seed_scale
from exchange.models import Application, Exchange
from members.models import ClusterManager, Membership, Organisation, PartnershipCoordinator
from notifications.models import Email
from tests import factories as f
from workshops.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)

SCALE = 0.001


def test_seed_scale_counts_roles_and_idempotence():
    coordinator = f.UserFactory(email="coordinator@clamtex.example")
    manager = f.UserFactory(email="manager.aei@clamtex.example")
    counts = scaled(SCALE)
    result = seed_scale(scale=SCALE, log=lambda *a: None)
    assert result["counts"] == counts
    assert Organisation.objects.filter(vat_number__startswith="SC").count() == 200
    per_org = Membership.objects.values("organisation").distinct().count()
    assert per_org == 200 and 200 <= Membership.objects.count() <= 600
    assert Registration.objects.count() == counts["registrations"]
    assert Application.objects.count() == counts["applications"]
    assert Exchange.objects.values("status").distinct().count() == len(Exchange.Status)
    assert Email.objects.filter(status="sent").count() == counts["emails"]
    assert PartnershipCoordinator.objects.filter(user=coordinator).count() == 2
    assert ClusterManager.objects.filter(user=manager, cluster__acronym="SC0001").exists()
    # Ids keep working after the explicit-id inserts (sequences were reset).
    f.MembershipFactory()
    # A second run at the same scale adds nothing.
    seed_scale(scale=SCALE, log=lambda *a: None)
    assert Organisation.objects.filter(vat_number__startswith="SC").count() == 200
    assert Registration.objects.count() == counts["registrations"]
    # Another scale needs another database.
    with pytest.raises(CommandError):
        call_command("seed_scale", "--scale", "0.002")
