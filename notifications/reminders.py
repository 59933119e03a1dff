"""Occasions on which the portal writes to someone by itself."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone, translation

from . import digest, kinds
from .services import email_queue


def digest_recipients() -> list[int]:
    """Active users who manage or coordinate something: one query."""
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(manager_roles__isnull=False) | Q(coordinator_roles__isnull=False))
        .distinct()
        .values_list("pk", flat=True)
    )


def manager_digest_queue(*, user_id: int, day: str, window: timedelta):
    """Queues the digest of `day` for one manager, unless there is nothing to say. The
    occasion key makes a second sweep of the same day a no-op."""
    user = get_user_model().objects.get(pk=user_id)
    day_start = timezone.make_aware(datetime.combine(date.fromisoformat(day), time.min))
    since = day_start - window
    blocks = []
    with translation.override(user.language):
        for key, title, func in digest.sections():
            items = func(user, since)
            if items:
                blocks.append({"key": key, "title": str(title), "items": items})
    if not blocks:
        return None
    return email_queue(
        kind=kinds.MANAGER_DIGEST.name,
        to=user.email,
        language=user.language,
        occasion_key=f"digest:{day}",
        context={"name": user.get_short_name(), "day": day, "sections": blocks},
        user=user,
    )
