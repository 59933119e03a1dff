"""The CLAMTEX demo: members first, then each feature's demo on top of them.

The orchestration lives here, in core, because it is the one place allowed to know every
feature app; members (and each feature) only seeds its own data. Idempotent: every seeder
looks objects up by a natural key first."""

from django.db import transaction

from api.demo import seed_webhooks
from exchange.demo import seed_exchange
from members.demo.seed import DEMO_PASSWORD, seed_members_demo
from members.models import User
from projects.demo import seed_programme
from workshops.demo import seed_events

__all__ = ["DEMO_PASSWORD", "seed_demo"]


@transaction.atomic
def seed_demo(*, with_accounts: bool = True) -> dict:
    result = seed_members_demo(with_accounts=with_accounts)
    partnership, clusters = result["partnership"], result["clusters"]
    members, accounts = result["members"], result["accounts"]
    events = seed_events(
        partnership=partnership,
        clusters=clusters,
        members=members,
        accounts_users={
            user.email: user
            for user in User.objects.filter(email__in=[email for email, _role in accounts])
        },
    )
    project = seed_programme(partnership=partnership, clusters=clusters)
    exchange = seed_exchange(
        partnership=partnership, clusters=clusters, members=members, accounts=accounts
    )
    seed_webhooks(clusters=result["clusters"])
    return {**result, "exchange": exchange, "events": events, "project": project}
