"""Rate limits: per key, sliding, bounded in memory; the clock is an input, not a wait."""

from __future__ import annotations

from app.web.rate_limit import RateLimiter, client_key


class Clock:
    """A clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_per_key_and_window_slides() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=3, window_s=60, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    assert 1 <= limiter.retry_after("a") <= 61
    clock.now += 61
    assert limiter.allow("a") and limiter.retry_after("a") == 0


def test_memory_stays_bounded_under_many_clients() -> None:
    limiter = RateLimiter(limit=1, window_s=60, max_keys=100, clock=Clock())
    for n in range(1000):
        limiter.allow(f"client-{n}")
    assert len(limiter._events) <= 100


def test_client_keys_hide_the_address() -> None:
    key = client_key("203.0.113.7", secret="s")
    assert "203" not in key and key == client_key("203.0.113.7", secret="s")
    assert key != client_key("203.0.113.7", secret="other")
