"""The worker under faults: kill -9 with deliveries in flight (leases bring them back), PostgreSQL
restarted under it, SIGTERM drain, and several workers on one queue (each job exactly once)."""

import collections
import os
import signal
import time

from harness import wait_for
from sinks import HTTPSink
from workerlib import (Worker, advance, alive, ensure_stack_worker, jobs, pages, policy, quiesce,
                       service, timeline, trigger, user)

ORDER = 95  # disruptive (kills and restarts processes): after everything else


def webhook_incident(s, url):
    """An incident of a service whose legacy webhook_url is url (set after the trigger, so the
    trigger's own notification does not reach the sink)."""
    sid, rk = service(s)
    inc, _, _ = trigger(s, rk)
    quiesce(s, inc)
    s.psql("UPDATE service SET webhook_url = :'u' WHERE id = :'s'", u=url, s=sid)
    return inc


def enqueue_deliveries(s, inc, n):
    """n NOTIFICATION jobs to the incident's service webhook in one transaction; their ids."""
    rows = s.psql("INSERT INTO background_job (type, payload, incident_id) "
                  "SELECT 'NOTIFICATION', jsonb_build_object('kind', 'service_webhook', "
                  "'incident_id', :'i'::uuid, 'n', g), :'i' FROM generate_series(1, :n) g "
                  "RETURNING id; NOTIFY opsknight_jobs;", i=inc, n=n)
    return [r[0] for r in rows]


def states(s, ids):
    return s.psql("SELECT status, attempts, count(*) FROM background_job WHERE id = ANY (:'ids') "
                  "GROUP BY 1, 2 ORDER BY 1, 2", ids="{%s}" % ",".join(ids))


def test_kill9_with_deliveries_in_flight(s):
    extra = []
    # each first delivery is held 30 s by the receiver: all 100 are surely in flight at the kill
    with HTTPSink() as web:
        web.respond("/slow", delay=30, times=100)
        try:
            inc = webhook_incident(s, web.url + "/slow")
            ids = enqueue_deliveries(s, inc, 100)
            web.wait_for("/slow", count=100, timeout=10)
            owner = s.psql("SELECT DISTINCT locked_by FROM background_job WHERE id = ANY (:'ids')",
                           ids="{%s}" % ",".join(ids))
            assert len(owner) == 1 and ":%d:" % s.pid("worker") in owner[0][0], owner
            os.kill(s.pid("worker"), signal.SIGKILL)
            assert wait_for(lambda: not alive(s.pid("worker")), 5)
            extra = [Worker(s, "b"), Worker(s, "c")]
            assert states(s, ids) == [("PROCESSING", "1", "100")], states(s, ids)

            advance(s, "121 seconds")  # past the dead worker's leases
            assert wait_for(lambda: states(s, ids) == [("COMPLETED", "2", "100")], 20), \
                states(s, ids)
            reqs = web.wait_for("/slow", count=200, timeout=10)
            per_job = collections.Counter(r.headers["Idempotency-Key"] for r in reqs)
            assert set(per_job) == set(ids), set(per_job) ^ set(ids)
            # one delivery per attempt: the dead worker's and the survivors' (never both of them)
            assert set(per_job.values()) == {2}, collections.Counter(per_job.values())
            for w in extra:
                assert w.stop() == 0, w.text()[-500:]
        finally:
            for w in extra:
                w.stop()
            ensure_stack_worker(s)


def test_postgres_restart_under_the_worker(s):
    a = user(s, "alice", email=False)
    _, rk = service(s, policy(s, [{"user": a["id"]}]))
    worker = s.pid("worker")
    s.pg_stop()
    s.pg_start()
    assert wait_for(lambda: s.http("GET", "/api/health?mode=readiness").status != 503, 15)
    inc = None
    for _ in range(30):  # the pool reconnects on its own schedule (test_faults covers it)
        try:
            inc, _, _ = trigger(s, rk)
            break
        except AssertionError:
            time.sleep(0.5)
    assert inc, "no trigger accepted after the restart"
    started = time.monotonic()
    assert wait_for(lambda: pages(s, inc, a) == 1, 10), timeline(s, inc)
    assert time.monotonic() - started < 5, "paged %.1f s after the trigger" % (
        time.monotonic() - started)
    assert s.pid("worker") == worker and alive(worker)  # the same process, reconnected
    # what PostgreSQL said while going down is logged as JSON too, not as a raw libpq line
    with open(os.path.join(s.var, "log", "worker.log")) as f:
        raw = [line for line in f.read().splitlines() if not line.startswith("{")]
    assert raw == [], raw[:3]


def test_sigterm_drains_in_flight_jobs(s):
    """SIGTERM: no new claims; deliveries in flight finish (a slow receiver) or end by the 10 s
    HTTP timeout (a hanging one) within the 10 s drain; the process exits 0 and every row is
    COMPLETED or back to PENDING with no lock, so another worker takes it over."""
    with HTTPSink() as web:
        web.respond("/slow", delay=3, times=5)
        web.respond("/hang", hang=True, times=5)
        slow_inc, hang_inc = webhook_incident(s, web.url + "/slow"), \
            webhook_incident(s, web.url + "/hang")
        w = Worker(s, "term")
        try:
            with s.paused("worker"):
                slow_ids = enqueue_deliveries(s, slow_inc, 5)
                hang_ids = enqueue_deliveries(s, hang_inc, 5)
                ids = slow_ids + hang_ids
                web.wait_for("/slow", count=5, timeout=10)
                web.wait_for("/hang", count=5, timeout=10)
                held = jobs(s, "id = ANY (:'ids')", ids="{%s}" % ",".join(ids))
                assert {(r[2], r[5].split(":")[1]) for r in held} == {("PROCESSING", str(w.pid))}, \
                    held
                t0 = time.monotonic()
                w.proc.send_signal(signal.SIGTERM)
                rc = w.proc.wait(15)
                took = time.monotonic() - t0
                assert rc == 0, "exit %s: %s" % (rc, w.text()[-500:])
                assert took < 11.5, "exited %.1f s after SIGTERM (drain is 10 s)" % took
                assert states(s, slow_ids) == [("COMPLETED", "1", "5")], states(s, slow_ids)
                assert states(s, hang_ids) == [("PENDING", "1", "5")], states(s, hang_ids)
                rows = jobs(s, "id = ANY (:'ids')", ids="{%s}" % ",".join(hang_ids))
                assert all(r[5] == "" and "timed out" in r[4] for r in rows), rows
                assert "stopping: no new claims" in w.text(), w.text()[-500:]
            # the stack's worker takes the unfinished ones over: nothing was lost
            assert wait_for(lambda: states(s, hang_ids) == [("COMPLETED", "2", "5")], 15), \
                states(s, hang_ids)
        finally:
            w.stop()


def test_two_workers_each_job_once(s):
    with HTTPSink() as web:
        web.respond("/many", delay=0.05)
        inc = webhook_incident(s, web.url + "/many")
        w = Worker(s, "pair")
        try:
            with s.paused("worker"):
                os.kill(w.pid, signal.SIGSTOP)
                ids = enqueue_deliveries(s, inc, 200)
                os.kill(w.pid, signal.SIGCONT)
            assert wait_for(lambda: states(s, ids) == [("COMPLETED", "1", "200")], 30), \
                s.psql("SELECT status, attempts, last_error, count(*) FROM background_job "
                       "WHERE id = ANY (:'ids') GROUP BY 1, 2, 3", ids="{%s}" % ",".join(ids))
            reqs = web.wait_for("/many", count=200, timeout=5)
            keys = collections.Counter(r.headers["Idempotency-Key"] for r in reqs)
            assert len(reqs) == 200 and set(keys) == set(ids), (len(reqs), len(keys))
            assert w.stop() == 0, w.text()[-500:]
        finally:
            w.stop()
