"""Real faults: PostgreSQL stopped under the pool, a responder child SIGKILLed."""

import os
import signal
import threading
import time

from harness import new_key, pd_event, wait_for

ORDER = 90  # disruptive: after everything else


def test_database_down_then_back(s):
    rk = s.keys["OPSKNIGHT_ROUTING_KEY"]
    prefix = new_key("pgdown")
    s.pg_stop()
    try:
        for i in range(8):  # enough to reach every responder
            r = s.http("POST", "/v2/enqueue", pd_event(rk, dedup_key="%s-%d" % (prefix, i)))
            assert r.status == 503, r
            assert r.json() == {"status": "error", "message": "Service temporarily unavailable"}, r
            assert int(r.headers.get("retry-after", "0")) >= 1, r.headers
        r = s.http("POST", "/api/events", pd_event(None), {"X-Routing-Key": rk})
        assert r.status == 503 and r.json()["error"]["code"] == "database_unavailable", r
        r = s.http("GET", "/api/health?mode=readiness")
        assert r.status == 503, r
        assert r.json() == {"status": "unavailable", "database": "unreachable"}, r
    finally:
        s.pg_start()
    started = time.monotonic()
    key = prefix + "-back"
    last = wait_for(lambda: s.http("POST", "/v2/enqueue", pd_event(rk, dedup_key=key)).status == 202,
                    timeout=15, interval=0.5)
    assert last, "no 202 within 15 s after PostgreSQL came back"
    assert time.monotonic() - started <= 12, "took %.1f s" % (time.monotonic() - started)
    stored = s.psql("SELECT dedup_key FROM alert WHERE dedup_key LIKE :'p' || '%'", p=prefix)
    assert [r[0] for r in stored] == [key], stored  # nothing from the outage
    assert s.http("GET", "/api/health?mode=readiness").status == 200


def test_child_killed_under_load(s):
    children = s.children("fcgi")
    assert children, "the pool has no children"
    rk = s.keys["OPSKNIGHT_ROUTING_KEY"]
    prefix = new_key("kill")
    accepted, lock, stop = [], threading.Lock(), threading.Event()

    def sender(t):
        i = 0
        while not stop.is_set():
            key = "%s-%d-%d" % (prefix, t, i)
            i += 1
            try:
                r = s.http("POST", "/v2/enqueue", pd_event(rk, dedup_key=key))
            except Exception:
                continue
            if r.status == 202:
                with lock:
                    accepted.append(key)

    threads = [threading.Thread(target=sender, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    victim = children[len(children) // 2]
    os.kill(victim, signal.SIGKILL)
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join()

    replaced = wait_for(lambda: len(s.children("fcgi")) == len(children)
                        and victim not in s.children("fcgi"), timeout=10)
    assert replaced, "children %s -> %s" % (children, s.children("fcgi"))
    assert len(accepted) > 20, "only %d events accepted" % len(accepted)
    stored = {r[0] for r in s.psql("SELECT dedup_key FROM alert WHERE dedup_key LIKE :'p' || '%'",
                                   p=prefix)}
    lost = [k for k in accepted if k not in stored]
    assert not lost, "%d of %d accepted events missing, e.g. %s" % (len(lost), len(accepted), lost[:3])
    assert s.http("GET", "/api/health").status == 200
