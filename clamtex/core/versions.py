"""Cached values that a change must replace at once. Each family of cache keys carries a
version number in its keys; a save or delete of what the values are computed from starts
a new version (an atomic INCR on Redis), and the old entries expire by themselves."""

import hashlib

from django.core.cache import cache


def version(key: str) -> int:
    return cache.get(key, 0)


def new_version(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # never set, or evicted
        cache.set(key, 1, None)


def cached_per_query(name: str, version_key: str, queryset, compute, ttl: int = 3600):
    """`compute()`, cached under the SQL of `queryset` — a queryset scoped to the user, so
    users who see different rows have different keys and never read each other's entry —
    and the current version of `version_key`."""
    digest = hashlib.sha256(str(queryset.query).encode()).hexdigest()[:32]
    key = f"{name}:{version(version_key)}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value


def renew_on_change(invalidate, *models, uid: str) -> None:
    """Connect `invalidate` (which starts a new version) to every save and delete of
    these models."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model, dispatch_uid=f"{uid}:{model._meta.label}")
