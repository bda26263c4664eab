"""Django's Redis cache, keeping one client per server instead of making one per call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every operation
(each builds its table of about 170 response callbacks: a third of a millisecond a call);
the client is thread-safe and shares the connection pool either way, so one is kept per
pool. `settings.CACHES` uses this backend for `redis://` cache URLs."""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
