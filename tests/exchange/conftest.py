import pytest


@pytest.fixture(autouse=True)
def _programme_countries(eligible_countries):
    """Every ClusterXchange test reads the programme's countries (tests/conftest.py)."""
