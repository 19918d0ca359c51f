"""Retrying flaky calls with exponential backoff."""

import functools
import logging
import random
import time
from typing import Callable, Optional, Tuple, Type

log = logging.getLogger(__name__)


class RetryError(Exception):
    """Raised when every attempt failed; wraps the last exception."""

    def __init__(self, attempts: int, last: BaseException):
        super().__init__(f"gave up after {attempts} attempts: {last}")
        self.attempts = attempts
        self.last = last


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 30.0, jitter: bool = True) -> float:
    """Delay before retry number `attempt` (1-based).

    Exponential: base * 2**(attempt-1), capped at `cap`. With jitter the
    delay is drawn uniformly from [0, that] ("full jitter"), which spreads
    out clients that failed at the same moment.
    """
    delay = min(cap, base * (2 ** (attempt - 1)))
    if jitter:
        delay = random.uniform(0, delay)
    return delay


class RetryPolicy:
    """How many times to try, which errors to retry, and how long to wait."""

    def __init__(
        self,
        max_attempts: int = 5,
        retry_on: Tuple[Type[BaseException], ...] = (ConnectionError, TimeoutError),
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.max_attempts = max_attempts
        self.retry_on = retry_on
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep

    def call(self, fn: Callable, *args, **kwargs):
        """Call fn until it succeeds, an error not in retry_on is raised,
        or max_attempts is reached (then RetryError)."""
        last: Optional[BaseException] = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                return fn(*args, **kwargs)
            except self.retry_on as exc:
                last = exc
                if attempt == self.max_attempts:
                    break
                delay = backoff_delay(attempt, self.base_delay, self.max_delay)
                log.warning("attempt %d of %s failed (%s); retrying in %.1fs",
                            attempt, getattr(fn, "__name__", fn), exc, delay)
                self.sleep(delay)
        raise RetryError(self.max_attempts, last)


def retry(max_attempts: int = 5, retry_on=(ConnectionError, TimeoutError), base_delay: float = 0.5):
    """Decorator form of RetryPolicy.call.

        @retry(max_attempts=3)
        def fetch_rates(): ...
    """
    policy = RetryPolicy(max_attempts=max_attempts, retry_on=retry_on, base_delay=base_delay)

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return policy.call(fn, *args, **kwargs)
        return wrapper

    return decorate
