"""Token bucket rate limiting for outgoing HTTP requests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

DEFAULT_RATE = 10.0
DEFAULT_BURST = 20
_registry: dict[str, "TokenBucket"] = {}
_lock = threading.Lock()


@dataclass
class Config:
    """Settings of one bucket."""

    rate: float = DEFAULT_RATE
    burst: int = DEFAULT_BURST
    tags: list[str] = field(default_factory=list)


class TokenBucket:
    """A thread-safe token bucket.

    Tokens are added at a fixed rate up to a maximum burst.
    """

    class Stats:
        """Counters of granted and refused requests."""

        def __init__(self) -> None:
            self.granted = 0
            self.refused = 0

        def ratio(self) -> float:
            total = self.granted + self.refused
            return self.granted / total if total else 1.0

    def __init__(self, config: Config, now=time.monotonic):
        self.config = config
        self._now = now
        self._tokens = float(config.burst)
        self._last = now()
        self.stats = TokenBucket.Stats()

    # take removes n tokens if available.
    def take(self, n: int = 1) -> bool:
        self._refill()
        if self._tokens >= n:
            self._tokens -= n
            self.stats.granted += 1
            return True
        self.stats.refused += 1
        return False

    @property
    def tokens(self) -> float:
        """The number of tokens left, after refilling."""
        self._refill()
        return self._tokens

    def _refill(self):
        now = self._now()
        self._tokens = min(self.config.burst, self._tokens + (now - self._last) * self.config.rate)
        self._last = now


# bucket_for returns the shared bucket of a host, creating it on first use.
# Buckets live for the whole process.
def bucket_for(host: str, config: Config | None = None) -> TokenBucket:
    with _lock:
        if host not in _registry:
            _registry[host] = TokenBucket(config or Config())
        return _registry[host]


async def wait_for(bucket: TokenBucket, n: int = 1, *, poll: float = 0.05) -> None:
    '''Wait until n tokens are available.'''
    import asyncio

    def ready() -> bool:
        return bucket.take(n)

    while not ready():
        await asyncio.sleep(poll)


if __name__ == "__main__":
    b = bucket_for("example.com", Config(rate=2, burst=3))
    for i in range(10):
        print(i, b.take(), round(b.tokens, 2))
        time.sleep(0.1)
    print("granted", b.stats.granted, "refused", b.stats.refused)
