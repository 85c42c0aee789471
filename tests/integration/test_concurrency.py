"""Concurrent identical events: the database's unique index decides, exactly once."""

import threading

from harness import new_key, pd_event


def concurrently(n, fn):
    """Runs fn(i) in n threads released together; returns the results in order."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as e:  # reported by the caller's assertion
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_triggers_and_resolves(s):
    _, k = s.create_integration()
    key = new_key("conc")
    answers = concurrently(50, lambda i: s.http(
        "POST", "/api/events", pd_event(None, dedup_key=key, summary="t%d" % i),
        {"X-Routing-Key": k}))
    assert [getattr(r, "status", r) for r in answers] == [202] * 50, answers
    actions = sorted(r.json()["result"]["action"] for r in answers)
    assert actions == ["deduplicated"] * 49 + ["triggered"], actions
    assert len({r.json()["result"]["incident"]["id"] for r in answers}) == 1
    rows = s.psql("SELECT status, alert_count FROM incident WHERE dedup_key = :'k'", k=key)
    assert rows == [("OPEN", "50")], rows
    assert s.scalar("SELECT count(*) FROM alert WHERE dedup_key = :'k'", k=key) == "50"
    types = dict(s.psql("SELECT e.type, count(*) FROM incident_event e JOIN incident i "
                        "ON i.id = e.incident_id WHERE i.dedup_key = :'k' GROUP BY 1", k=key))
    assert types.get("TRIGGERED") == "1" and types.get("RETRIGGERED") == "49", types

    statuses = [getattr(r, "status", r) for r in concurrently(
        20, lambda i: s.http("POST", "/v2/enqueue", pd_event(k, "resolve", key)))]
    assert statuses == [202] * 20, statuses
    rows = s.psql("SELECT status FROM incident WHERE dedup_key = :'k'", k=key)
    assert rows == [("RESOLVED",)], rows
    n = s.scalar("SELECT count(*) FROM incident_event e JOIN incident i ON i.id = e.incident_id "
                 "WHERE i.dedup_key = :'k' AND e.type = 'AUTO_RESOLVED'", k=key)
    assert n == "1", n
