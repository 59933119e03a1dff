import pytest


@pytest.fixture(autouse=True)
def privacy_notice(db):
    """The notice v1 a migration seeds; re-created because transactional tests elsewhere
    in the suite flush every table."""
    from privacy.models import PrivacyNotice
    from privacy.notice_seed import seed_notice_v1

    seed_notice_v1(PrivacyNotice)
    return PrivacyNotice.objects.get(version=1)


@pytest.fixture(autouse=True)
def eligible_countries(db):
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)
