"""Cached values that a change must replace at once. Each family of cache keys carries a
version number in its keys; a save or delete of what the values are computed from starts
a new version (an atomic INCR on Redis), and the old entries expire by themselves."""

from django.core.cache import cache


def version(key: str) -> int:
    return cache.get(key, 0)


def new_version(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # never set, or evicted
        cache.set(key, 1, None)
