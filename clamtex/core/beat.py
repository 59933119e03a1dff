"""One beat for the whole portal, however many machines start one.

`SingletonScheduler` is django_celery_beat's DatabaseScheduler that sends due tasks only
while it holds a lock in Redis (a key with a TTL, renewed on every tick, at most every
TTL/3 seconds). A second beat started anywhere finds the key taken and stands by: its
ticks send nothing and only try to take the lock, which it gets when the leader stops
(released on a clean stop, or after BEAT_LOCK_TTL seconds if the leader dies). The
schedule state (last run of each entry) is written to PostgreSQL after every task sent,
so the successor does not send again what the leader sent.

Without REDIS_URL (`make run` on one machine with SQLite) there is nothing to share and
the scheduler behaves exactly like DatabaseScheduler."""

from __future__ import annotations

import logging
import os
import socket
import uuid

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

LOCK_KEY = "clamtex:beat:leader"
# Renew only if we still hold it; release only if we still hold it.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class SingletonScheduler(DatabaseScheduler):
    lock_key = LOCK_KEY

    def __init__(self, *args, **kwargs):
        # Set before DatabaseScheduler.__init__, which calls setup_schedule().
        self.lock_ttl = float(os.environ.get("BEAT_LOCK_TTL", "30"))
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lock_key = kwargs.pop("lock_key", None) or LOCK_KEY
        url = kwargs.pop("lock_url", None) or settings.REDIS_URL
        self._redis = redis.Redis.from_url(url, socket_timeout=5) if url else None
        self.is_leader = self._redis is None
        self._ready = False
        self._announced_standby = False
        super().__init__(*args, **kwargs)
        # The last run of each entry reaches the database after every task sent.
        self.sync_every_tasks = 1
        if self._redis is not None:
            self.max_interval = min(self.max_interval, self.lock_ttl / 3)

    # --- the lock ------------------------------------------------------------------------

    def holds_lock(self) -> bool:
        """Renews the lock if held, tries to take it otherwise; True while leader. A Redis
        error counts as not holding it: better no beat for a while than two."""
        if self._redis is None:
            return True
        ttl_ms = int(self.lock_ttl * 1000)
        try:
            if self.is_leader and self._redis.eval(_RENEW, 1, self.lock_key, self.token, ttl_ms):
                return True
            if self.is_leader:
                logger.warning("beat: lost the lock %s; standing by", self.lock_key)
                self.is_leader = False
            if self._redis.set(self.lock_key, self.token, nx=True, px=ttl_ms):
                self.is_leader = True
                self._announced_standby = False
                logger.info(
                    "beat: %s holds the lock %s and sends the schedule", self.token, self.lock_key
                )
                return True
            if not self._announced_standby:
                holder = self._redis.get(self.lock_key)
                logger.info(
                    "beat: standby, %s holds the lock %s",
                    holder.decode() if holder else "another beat",
                    self.lock_key,
                )
                self._announced_standby = True
        except redis.RedisError as exc:
            logger.warning("beat: Redis unavailable (%s); sending nothing", exc)
            self.is_leader = False
        return False

    def release_lock(self) -> None:
        if self._redis is not None and self.is_leader:
            try:
                self._redis.eval(_RELEASE, 1, self.lock_key, self.token)
            except redis.RedisError as exc:  # it expires by itself
                logger.warning("beat: could not release the lock (%s)", exc)
            self.is_leader = False

    # --- the scheduler -----------------------------------------------------------------

    def setup_schedule(self):
        # Only the leader writes the code's schedule into the database; a standby does it
        # when it takes over (two beats writing the same rows at start-up could collide).
        if self.holds_lock():
            self._setup()

    def _setup(self):
        super().setup_schedule()
        self._ready = True

    def tick(self, *args, **kwargs):
        if not self.holds_lock():
            return self.lock_ttl / 3
        if not self._ready:
            self._setup()
        return super().tick(*args, **kwargs)

    def close(self):
        try:
            super().close()
        finally:
            self.release_lock()
