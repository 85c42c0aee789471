"""The worker's deliveries (spec §8.4, §8.5): service webhooks (generic, Slack, legacy),
status-page webhooks, retries and failures, and malformed jobs — at real local receivers."""

import json
import time

from harness import new_key, wait_for
from sinks import HTTPSink
from workerlib import (advance, event, insert_job, job, jobs, service, sign, task_done, trigger,
                       webhook_integration)


def delivery_job(s, incident, **payload):
    """The NOTIFICATION jobs of the incident whose payload contains payload."""
    return jobs(s, "incident_id = :'i' AND type = 'NOTIFICATION' AND payload @> :'p'::jsonb",
                i=incident, p=json.dumps(payload))


def for_incident(inc, field="incident"):
    def match(r):
        try:
            body = r.json()
        except ValueError:
            return False
        return (body.get(field) or {}).get("id") == inc
    return match


def test_generic_and_slack_webhooks(s):
    secret = new_key("secret")
    with HTTPSink() as web:
        sid, rk = service(s, channels=["WEBHOOK"])
        gen = webhook_integration(s, sid, web.url + "/generic", secret=secret)
        slack = webhook_integration(s, sid, web.url + "/slack", kind="SLACK", channel="#ops")
        inc, title, key = trigger(s, rk)

        [req] = web.wait_for("/generic", timeout=5)
        body = req.json()
        assert body["event"]["type"] == "triggered", body
        assert body["event"]["timestamp"].endswith("Z"), body
        i = body["incident"]
        assert (i["id"], i["title"], i["status"], i["urgency"]) == (inc, title, "OPEN", "HIGH"), i
        assert i["url"].endswith("/incidents/" + inc) and i["assignee"] is None, i
        assert i["service"]["id"] == sid and i["timestamps"]["created"], i
        assert i["timestamps"]["resolved"] is None, i
        assert req.headers["Content-Type"] == "application/json"
        assert req.headers["User-Agent"] == "OpsKnight/1.0"
        ts = req.headers["X-OpsKnight-Timestamp"]
        assert ts.isdigit() and abs(int(ts) / 1000 - time.time()) < 60, ts
        expected = sign(secret, ts.encode() + b"." + req.body)
        assert req.headers["X-OpsKnight-Signature"] == expected, \
            req.headers["X-OpsKnight-Signature"]
        [gjob] = delivery_job(s, inc, kind="webhook_integration", webhook_id=gen)
        assert req.headers["Idempotency-Key"] == gjob[0], (req.headers["Idempotency-Key"], gjob)
        assert wait_for(lambda: job(s, gjob[0])[2:4] == ("COMPLETED", "1"), 5), job(s, gjob[0])

        [sreq] = web.wait_for("/slack", timeout=5)
        sb = sreq.json()
        assert sb["channel"] == "#ops" and sb["text"] == "🔴 Incident Triggered: " + title, sb
        [att] = sb["attachments"]
        assert att["color"] == "#d32f2f", att
        assert att["blocks"][0] == {"type": "header", "text": {
            "type": "plain_text", "text": sb["text"], "emoji": True}}, att["blocks"][0]
        fields = [f["text"] for f in att["blocks"][1]["fields"]]
        assert "*Status:*\nOPEN" in fields and "*Assignee:*\nUnassigned" in fields, fields
        assert "X-OpsKnight-Signature" not in sreq.headers
        [sjob] = delivery_job(s, inc, kind="webhook_integration", webhook_id=slack)
        assert wait_for(lambda: job(s, sjob[0])[2] == "COMPLETED", 5), job(s, sjob[0])

        event(s, rk, "resolve", key)
        [_, req2] = web.wait_for("/generic", count=2, timeout=5)
        b2 = req2.json()
        assert b2["event"]["type"] == "resolved" and b2["incident"]["status"] == "RESOLVED", b2
        assert b2["incident"]["timestamps"]["resolved"], b2
        ts2 = req2.headers["X-OpsKnight-Timestamp"]
        assert req2.headers["X-OpsKnight-Signature"] == \
            sign(secret, ts2.encode() + b"." + req2.body)
        assert req2.headers["Idempotency-Key"] != req.headers["Idempotency-Key"]
        [_, sreq2] = web.wait_for("/slack", count=2, timeout=5)
        assert sreq2.json()["text"] == "🟢 Incident Resolved: " + title, sreq2.json()
        assert sreq2.json()["attachments"][0]["color"] == "#388e3c"


def test_legacy_service_webhook(s):
    with HTTPSink() as web:
        _, rk = service(s, webhook_url=web.url + "/legacy")
        inc, title, _ = trigger(s, rk)
        [req] = web.wait_for("/legacy", timeout=5)
        body = req.json()
        assert body["event"]["type"] == "triggered" and body["incident"]["id"] == inc, body
        assert body["incident"]["title"] == title
        assert "X-OpsKnight-Signature" not in req.headers and "X-OpsKnight-Timestamp" in req.headers
        [j] = delivery_job(s, inc, kind="service_webhook")
        assert req.headers["Idempotency-Key"] == j[0]


def test_status_page_webhook(s):
    secret = new_key("sp")
    with HTTPSink() as web:
        sid, rk = service(s)
        page = s.scalar("INSERT INTO status_page (name, enabled) VALUES (:'n', true) RETURNING id",
                        n=new_key("page"))
        s.psql("INSERT INTO status_page_service (status_page_id, service_id) VALUES (:'p', :'s')",
               p=page, s=sid)
        hook = s.scalar("INSERT INTO status_page_webhook (status_page_id, url, secret, events) "
                        "VALUES (:'p', :'u', :'sec', '[\"incident.created\", "
                        "\"incident.resolved\"]') RETURNING id",
                        p=page, u=web.url + "/status", sec=secret)
        try:
            inc, title, key = trigger(s, rk)
            [req] = web.wait_for("/status", timeout=5, where=for_incident(inc, "data"))
            body = req.json()
            assert body["event"] == "incident.created" and body["timestamp"].endswith("Z"), body
            d = body["data"]
            assert (d["title"], d["status"], d["urgency"], d["service"]["id"]) == \
                (title, "OPEN", "HIGH", sid), d
            assert "acknowledgedAt" not in d and "resolvedAt" not in d and d["createdAt"], d
            assert req.headers["X-Webhook-Event"] == "incident.created"
            assert req.headers["X-Webhook-Signature"] == sign(secret, req.body)
            assert req.headers["User-Agent"] == "OpsKnight-StatusPage/1.0"
            assert wait_for(lambda: s.scalar("SELECT last_triggered_at IS NOT NULL FROM "
                                             "status_page_webhook WHERE id = :'h'", h=hook) == "t",
                            5)

            event(s, rk, "acknowledge", key)   # not subscribed: nothing is sent
            event(s, rk, "resolve", key)
            got = web.wait_for("/status", count=2, timeout=5, where=for_incident(inc, "data"))
            assert [r.json()["event"] for r in got] == ["incident.created", "incident.resolved"]
            assert got[1].headers["X-Webhook-Signature"] == sign(secret, got[1].body)
            assert got[1].json()["data"]["resolvedAt"] and got[1].json()["data"]["acknowledgedAt"]
        finally:
            s.psql("UPDATE status_page SET enabled = false WHERE id = :'p'", p=page)


def failing_hook(s, web, path):
    """A service whose one GENERIC webhook is web.url + path; returns (incident, job row)."""
    sid, rk = service(s, channels=["WEBHOOK"])
    webhook_integration(s, sid, web.url + path)
    inc, _, _ = trigger(s, rk)
    assert wait_for(lambda: delivery_job(s, inc, kind="webhook_integration"), 5)
    [j] = delivery_job(s, inc, kind="webhook_integration")
    return inc, j[0]


def test_5xx_is_retried_then_fails(s):
    with HTTPSink() as web:
        web.respond("/down", status=500, body="boom")
        _, jid = failing_hook(s, web, "/down")
        for n in (1, 2):
            assert wait_for(lambda: int(job(s, jid)[3]) >= n and job(s, jid)[2] != "PROCESSING",
                            5), job(s, jid)
            if int(job(s, jid)[3]) == n:
                assert job(s, jid)[2:5] == \
                    ("PENDING", str(n), "GENERIC: receiver answered HTTP 500"), job(s, jid)
            advance(s, "15 seconds")  # past the 1-10 s backoff
        assert wait_for(lambda: job(s, jid)[2] == "FAILED", 5), job(s, jid)
        assert job(s, jid)[2:6] == ("FAILED", "3", "GENERIC: receiver answered HTTP 500", ""), \
            job(s, jid)
        reqs = web.wait_for("/down", count=3)
        assert len(reqs) == 3 and {r.headers["Idempotency-Key"] for r in reqs} == {jid}, reqs
        assert s.scalar("SELECT completed_at IS NOT NULL FROM background_job WHERE id = :'j'",
                        j=jid) == "t"


def test_open_circuit_defers_without_spending_attempts(s):
    """Five failures in a row open the destination's breaker for 60 s; deliveries that meet the
    open breaker are put back for later with their attempt given back, not spent (spec §8.3)."""
    with HTTPSink() as web:
        web.respond("/down", status=500, body="boom")
        sid, rk = service(s, channels=["WEBHOOK"])
        hook = webhook_integration(s, sid, web.url + "/down")
        inc, _, _ = trigger(s, rk)
        ids = [insert_job(s, "NOTIFICATION", {"kind": "webhook_integration", "incident_id": inc,
                                              "event": "updated", "webhook_id": hook, "n": i})
               for i in range(12)]
        # the breaker opens after 5 failures: the other jobs meet it and are deferred
        assert wait_for(lambda: all(job(s, j)[2] == "PENDING" for j in ids), 10), \
            [job(s, j) for j in ids]
        deferred = [job(s, j) for j in ids if "circuit open" in job(s, j)[4]]
        assert deferred, [job(s, j) for j in ids]
        assert all(r[3] == "0" for r in deferred), deferred  # no attempt spent
        assert not jobs(s, "id = ANY(:'ids'::uuid[]) AND status = 'FAILED'",
                        ids="{%s}" % ",".join(ids))
        assert len(web.requests) < 12, len(web.requests)  # deferred ones never reached it


def test_4xx_fails_at_once(s):
    with HTTPSink() as web:
        web.respond("/bad", status=400, body={"error": "no"})
        _, jid = failing_hook(s, web, "/bad")
        assert wait_for(lambda: job(s, jid)[2] == "FAILED", 5), job(s, jid)
        assert job(s, jid)[2:5] == ("FAILED", "1", "GENERIC: receiver answered HTTP 400"), \
            job(s, jid)
        at = advance(s, "30 seconds")  # a wrong retry would be due now
        assert wait_for(lambda: task_done(s, at), 5)
        assert job(s, jid)[2:4] == ("FAILED", "1"), job(s, jid)
        assert len(web.requests) == 1, web.requests


def test_hanging_receiver_times_out_and_is_retried(s):
    with HTTPSink() as web:
        web.respond("/slow", hang=True, times=1)   # then 200
        _, jid = failing_hook(s, web, "/slow")
        errors = []

        def retried():
            row = job(s, jid)
            if row[2] == "PENDING" and row[3] == "1":
                errors.append(row[4])
            return row[2] == "COMPLETED"
        assert wait_for(retried, 20, interval=0.05), job(s, jid)
        assert job(s, jid)[2:4] == ("COMPLETED", "2"), job(s, jid)
        first, second = web.wait_for("/slow", count=2)
        gap = second.time - first.time
        assert 10 <= gap < 14, "retried %.1f s after the first attempt" % gap
        assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == jid
        assert errors and "GENERIC: " in errors[0] and "timed out" in errors[0].lower(), errors


def test_malformed_jobs_fail_with_a_reason(s):
    with HTTPSink() as web:
        _, rk = service(s, webhook_url=web.url + "/ok")
        inc, _, _ = trigger(s, rk)
        web.wait_for("/ok", timeout=5)
        bad = {
            ("NOTIFICATION", "{}"): "payload needs kind and incident_id",
            ("NOTIFICATION", json.dumps({"kind": "pigeon", "incident_id": inc})):
                "unknown notification kind",
            ("NOTIFICATION", json.dumps({"kind": "webhook_integration", "incident_id": "nope",
                                         "webhook_id": inc})): "payload.incident_id is not a UUID",
            ("NOTIFICATION", json.dumps({"kind": "user", "incident_id": inc})):
                "payload.user_id is missing or not a UUID",
            ("NOTIFICATION", json.dumps({"kind": "status_page", "incident_id": inc})):
                "payload.webhook_id is missing or not a UUID",
            ("ESCALATION", '{"incident_id": "nope"}'): "payload needs incident_id (UUID)",
            ("ESCALATION", json.dumps({"incident_id": inc, "step": -1})):
                "payload needs incident_id (UUID)",
            ("ESCALATION", "[1, 2]"): "payload is not a JSON object",
            ("NOTIFY", json.dumps({"incident_id": inc})):
                "payload needs incident_id (UUID) and event",
            ("STATUS_PAGE", '"incident.created"'): "payload is not a JSON object",
            ("AUTO_UNSNOOZE", '{"incident_id": 42}'):
                "payload.incident_id is missing or not a UUID",
            ("SCHEDULED_TASK", '{"task": "nope"}'): "unknown task nope",
            ("SCHEDULED_TASK", "{}"): "payload.task is missing",
        }
        ids = {insert_job(s, t, p): (t, p, why) for (t, p), why in bad.items()}
        good = insert_job(s, "NOTIFICATION", {"kind": "service_webhook", "incident_id": inc}, inc)
        assert wait_for(lambda: job(s, good)[2] == "COMPLETED", 5), job(s, good)
        assert web.wait_for("/ok", count=1, where=lambda r: r.headers["Idempotency-Key"] == good)
        for jid, (t, p, why) in ids.items():
            assert wait_for(lambda: job(s, jid)[2] == "FAILED", 5), (t, p, job(s, jid))
            row = job(s, jid)
            assert row[3] == "1" and row[4].startswith(why), (t, p, row)
