"""processEvent semantics: trigger, dedup, acknowledge, resolve, out-of-order resolve, urgency.

The worker is paused (SIGSTOP) where a test looks at PENDING jobs, so it cannot claim them first.
"""

import re

from harness import native_event, new_key


def send(s, action, key=None, **payload):
    r = s.http("POST", "/api/events", native_event(action, key, **payload),
               {"X-Routing-Key": s.keys["OPSKNIGHT_ROUTING_KEY"]})
    assert r.status == 202, (action, key, r)
    return r.json()["result"]


def incident(s, key, *cols):
    rows = s.psql("SELECT %s FROM incident WHERE dedup_key = :'k' ORDER BY created_at"
                  % ", ".join(cols), k=key)
    return rows


def timeline(s, key):
    return sorted(r[0] for r in s.psql(
        "SELECT e.type FROM incident_event e JOIN incident i ON i.id = e.incident_id "
        "WHERE i.dedup_key = :'k'", k=key))


def jobs(s, key, job_type, status=None):
    sql = ("SELECT count(*) FROM background_job j JOIN incident i ON i.id = j.incident_id "
           "WHERE i.dedup_key = :'k' AND j.type = :'t'")
    params = dict(k=key, t=job_type)
    if status:
        sql += " AND j.status = :'st'"
        params["st"] = status
    return int(s.scalar(sql, **params))


def test_new_trigger(s):
    key = new_key("sem")
    with s.paused("worker"):
        res = send(s, "trigger", key, summary="api latency", severity="critical")
        assert res["action"] == "triggered", res
        assert incident(s, key, "status", "urgency", "title", "alert_count") == [
            ("OPEN", "HIGH", "api latency", "1")]
        alerts = s.psql("SELECT status, severity, summary, integration_id FROM alert "
                        "WHERE dedup_key = :'k'", k=key)
        assert alerts == [("TRIGGERED", "critical", "api latency",
                           s.keys["OPSKNIGHT_INTEGRATION_ID"])], alerts
        assert timeline(s, key) == ["TRIGGERED"], timeline(s, key)
        assert jobs(s, key, "ESCALATION") >= 1 and jobs(s, key, "NOTIFY") >= 1


def test_dedup(s):
    key = new_key("sem")
    send(s, "trigger", key)
    res = send(s, "trigger", key, summary="again")
    assert res["action"] == "deduplicated", res
    assert incident(s, key, "status", "alert_count") == [("OPEN", "2")]
    assert s.scalar("SELECT count(*) FROM alert WHERE dedup_key = :'k'", k=key) == "2"
    ingest_rows = [t for t in timeline(s, key) if t in ("TRIGGERED", "RETRIGGERED")]
    assert ingest_rows == ["RETRIGGERED", "TRIGGERED"], timeline(s, key)  # + the worker's ESCALATED


def test_acknowledge_cancels_escalation(s):
    key = new_key("sem")
    with s.paused("worker"):
        send(s, "trigger", key)
        assert jobs(s, key, "ESCALATION", "PENDING") >= 1
        res = send(s, "acknowledge", key)
        assert res["action"] == "acknowledged", res
        assert res["incident"]["status"] == "ACKNOWLEDGED", res
        assert incident(s, key, "status", "acknowledged_at IS NOT NULL") == [("ACKNOWLEDGED", "t")]
        assert "ACKNOWLEDGED" in timeline(s, key), timeline(s, key)
        assert jobs(s, key, "ESCALATION", "PENDING") == 0
        assert jobs(s, key, "ESCALATION", "CANCELLED") >= 1


def test_acknowledge_unknown_is_ignored(s):
    key = new_key("sem")
    res = send(s, "acknowledge", key)
    assert res["action"] == "ignored" and res["dedup_key"] == key and res["reason"], res
    assert incident(s, key, "id") == []
    assert s.scalar("SELECT count(*) FROM alert WHERE dedup_key = :'k'", k=key) == "0"


def test_resolve(s):
    key = new_key("sem")
    with s.paused("worker"):
        send(s, "trigger", key)
        notify_before = jobs(s, key, "NOTIFY")
        res = send(s, "resolve", key)
        assert res["action"] == "resolved" and res["incident"]["status"] == "RESOLVED", res
        assert incident(s, key, "status", "resolved_at IS NOT NULL") == [("RESOLVED", "t")]
        assert timeline(s, key).count("AUTO_RESOLVED") == 1, timeline(s, key)
        assert jobs(s, key, "ESCALATION", "PENDING") == 0
        assert jobs(s, key, "NOTIFY") > notify_before


def test_trigger_after_resolve_opens_new_incident(s):
    key = new_key("sem")
    send(s, "trigger", key)
    send(s, "resolve", key)
    assert send(s, "trigger", key)["action"] == "triggered"
    assert incident(s, key, "status") == [("RESOLVED",), ("OPEN",)]


def test_resolve_before_trigger(s):
    key = new_key("sem")
    send(s, "resolve", key)
    send(s, "trigger", key)
    assert incident(s, key, "status") == [("RESOLVED",)], incident(s, key, "status")


def test_severity_to_urgency(s):
    for severity, urgency in (("critical", "HIGH"), ("error", "MEDIUM"), ("warning", "MEDIUM"),
                              ("info", "LOW")):
        key = new_key("urg")
        res = send(s, "trigger", key, severity=severity)
        assert res["incident"]["urgency"] == urgency, (severity, res)
        assert incident(s, key, "urgency") == [(urgency,)], severity


def test_generated_dedup_key_native(s):
    res = send(s, "trigger")
    key = res["incident"]["dedup_key"]
    assert re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", key), res
    assert incident(s, key, "status") == [("OPEN",)]
