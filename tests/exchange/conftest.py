import pytest


@pytest.fixture(autouse=True)
def eligible_countries(db):
    """The programme data a migration seeds; re-created because transactional tests
    elsewhere in the suite flush every table."""
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)
