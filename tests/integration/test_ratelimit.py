"""Per-integration token bucket: 429 + Retry-After for triggers, never for resolves."""

import math
import time

from harness import new_key, pd_event


def test_rate_limit(s):
    _, k = s.create_integration("--rate-limit", "1", "--burst", "5")
    key = new_key("rl")
    # The pool learns an integration's own limit from its first accepted event.
    r = s.http("POST", "/v2/enqueue", pd_event(k, dedup_key=key))
    assert r.status == 202, r
    started = time.monotonic()
    answers = [s.http("POST", "/v2/enqueue", pd_event(k, dedup_key=new_key("rl")))
               for _ in range(15)]
    refill = math.ceil(time.monotonic() - started)  # 1 token per second
    statuses = [r.status for r in answers]
    limited = [r for r in answers if r.status == 429]
    assert limited and set(statuses) <= {202, 429}, statuses
    assert statuses.count(202) <= 5 + refill, (refill, statuses)
    r = limited[-1]
    assert r.json() == {"status": "error", "message": "Rate limit exceeded"}, r
    assert int(r.headers.get("retry-after", "0")) >= 1, r.headers
    # Still throttled for triggers, resolves pass.
    r = s.http("POST", "/v2/enqueue", pd_event(k, "resolve", key))
    assert r.status == 202, r
    assert s.scalar("SELECT status FROM incident WHERE dedup_key = :'k'", k=key) == "RESOLVED"
    r = s.http("POST", "/api/events", {"event_action": "trigger", "payload": {
        "summary": "x", "source": "y", "severity": "info"}}, {"X-Routing-Key": k})
    assert r.status == 429 and r.json()["error"]["code"] == "rate_limited", r
    assert int(r.headers.get("retry-after", "0")) >= 1, r.headers


def test_default_limit_is_generous(s):
    _, k = s.create_integration()
    statuses = [s.http("POST", "/v2/enqueue", pd_event(k, dedup_key=new_key("rl"))).status
                for _ in range(30)]
    assert statuses == [202] * 30, statuses
