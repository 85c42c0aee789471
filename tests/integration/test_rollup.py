"""Daily rollups (issue 6, spec §6.2): a small fixture whose every counter is worked out by hand
below, generated through POST /api/admin/rollups/backfill (idempotent re-runs, per-service and
per-priority rows, after-hours), the health endpoint, and the worker's daily task."""

import datetime
import json
import uuid

from harness import wait_for
from test_incidents_api import assert_error
from workerlib import insert_job

_fx = {}


def keys(s):
    if not _fx:
        _fx["admin"] = s.create_api_key("admin")[1]
        _fx["reader"] = s.create_api_key("incidents:read,analytics:read")[1]
    return _fx


def call(s, method, path, body=None, key="admin"):
    h = {"Authorization": "Bearer " + keys(s)[key]} if key else {}
    return s.http(method, path, body=body, headers=h)


def today(s):
    return datetime.date.fromisoformat(s.scalar("SELECT (ok_now() AT TIME ZONE 'UTC')::date"))


def new_service(s, ack=15, resolve=120):
    return s.scalar("INSERT INTO service (name, target_ack_minutes, target_resolve_minutes) "
                    "VALUES (:'n', :'a', :'r') RETURNING id",
                    n="rollup-" + uuid.uuid4().hex[:10], a=ack, r=resolve)


def incident(s, svc, created, status="OPEN", urgency="HIGH", priority=None, ack=None,
             resolved=None):
    return s.scalar(
        "INSERT INTO incident (title, dedup_key, service_id, status, urgency, priority, "
        "created_at, updated_at, acknowledged_at, resolved_at) VALUES ('rollup fixture', "
        ":'k', :'s', :'st', :'u', nullif(:'p', ''), :'c', :'c', nullif(:'a', '')::timestamptz, "
        "nullif(:'r', '')::timestamptz) RETURNING id",
        k=uuid.uuid4().hex, s=svc, st=status, u=urgency, p=priority or "", c=created,
        a=ack or "", r=resolved or "")


def event(s, inc, kind):
    s.psql("INSERT INTO incident_event (incident_id, type, message, created_at) "
           "VALUES (:'i', :'t', 'fixture', ok_now())", i=inc, t=kind)


def alert(s, svc, at):
    s.psql("INSERT INTO alert (service_id, dedup_key, created_at) VALUES (:'s', 'fx', :'c')",
           s=svc, c=at)


COLS = ("total_incidents open_incidents acknowledged_incidents resolved_incidents "
        "high_urgency_incidents medium_urgency_incidents low_urgency_incidents p1_incidents "
        "p2_incidents p3_incidents p4_incidents p5_incidents mtta_sum mtta_count mttr_sum "
        "mttr_count ack_sla_met ack_sla_breached resolve_sla_met resolve_sla_breached "
        "escalation_count reopen_count auto_resolve_count alert_count after_hours_count").split()
PCOLS = ("incidents mtta_sum mtta_count mttr_sum mttr_count ack_sla_met ack_sla_breached "
         "resolve_sla_met resolve_sla_breached").split()


def rollup_rows(s, day, svc=None):
    """{service_id or '': {col: int}} of the day (or only svc's row)."""
    rows = s.psql("SELECT coalesce(service_id::text, ''), %s FROM incident_metric_rollup "
                  "WHERE day = :'d' AND (:'s' = '' OR service_id::text = :'s')"
                  % ", ".join(COLS), d=day, s=svc or "")
    out = {}
    for r in rows:
        assert r[0] not in out, "duplicate rollup row for %r on %s" % (r[0], day)
        out[r[0]] = dict(zip(COLS, map(int, r[1:])))
    return out


def priority_rows(s, day, svc):
    rows = s.psql("SELECT p.priority, %s FROM incident_metric_rollup_by_priority p "
                  "JOIN incident_metric_rollup r ON r.id = p.rollup_id "
                  "WHERE r.day = :'d' AND r.service_id = :'s' ORDER BY 1"
                  % ", ".join("p." + c for c in PCOLS), d=day, s=svc)
    return {r[0]: dict(zip(PCOLS, map(int, r[1:]))) for r in rows}


def fixture_day(s):
    """A Wednesday about 100 days back (inside the default 365-day metrics retention)."""
    d = today(s) - datetime.timedelta(days=100)
    return d - datetime.timedelta(days=(d.weekday() - 2) % 7)


def seed(s):
    """The hand-computed fixture on day D (a Wednesday, business hours 08-18 UTC):
      i1 09:00 HIGH P1  ack +10m, resolved +60m          ack met, resolve met
      i2 20:00 MEDIUM P2 ack +30m, still ACKNOWLEDGED    ack breached, resolve breached (4 h by
                                                          the end of D), after hours
      i3 23:50 LOW       OPEN, 10 min old at D's end     both pending, after hours
      i4 03:00 HIGH P1  never acked, resolved +200m      ack not judged, resolve breached,
                                                          after hours; 2 ESCALATED, 1 REOPENED,
                                                          1 AUTO_RESOLVED event rows
      i5 12:00 HIGH P5  SNOOZED, never acked             ack breached, resolve breached
    plus one incident just before D and one at D+1 00:00 (outside), 3 alerts on D, 1 on D+1."""
    d = fixture_day(s)
    svc = new_service(s)
    t = lambda hh, mm=0, day=d: "%sT%02d:%02d:00Z" % (day.isoformat(), hh, mm)  # noqa: E731
    ids = {}
    ids["i1"] = incident(s, svc, t(9), "RESOLVED", "HIGH", "P1", ack=t(9, 10), resolved=t(10))
    ids["i2"] = incident(s, svc, t(20), "ACKNOWLEDGED", "MEDIUM", "P2", ack=t(20, 30))
    ids["i3"] = incident(s, svc, t(23, 50), "OPEN", "LOW")
    ids["i4"] = incident(s, svc, t(3), "RESOLVED", "HIGH", "P1", resolved=t(6, 20))
    ids["i5"] = incident(s, svc, t(12), "SNOOZED", "HIGH", "P5")
    for kind in ("ESCALATED", "ESCALATED", "REOPENED", "AUTO_RESOLVED", "COMMENT"):
        event(s, ids["i4"], kind)
    incident(s, svc, "%sT23:59:59.999Z" % (d - datetime.timedelta(days=1)).isoformat())
    incident(s, svc, t(0, 0, d + datetime.timedelta(days=1)))
    for hh in (1, 9, 23):
        alert(s, svc, t(hh))
    alert(s, svc, t(0, 0, d + datetime.timedelta(days=1)))
    return d.isoformat(), svc, ids


EXPECTED = {
    "total_incidents": 5, "open_incidents": 1, "acknowledged_incidents": 1,
    "resolved_incidents": 2, "high_urgency_incidents": 3, "medium_urgency_incidents": 1,
    "low_urgency_incidents": 1, "p1_incidents": 2, "p2_incidents": 1, "p3_incidents": 0,
    "p4_incidents": 0, "p5_incidents": 1,
    "mtta_sum": (10 + 30) * 60000, "mtta_count": 2,           # i1, i2
    "mttr_sum": (60 + 200) * 60000, "mttr_count": 2,          # i1, i4
    "ack_sla_met": 1, "ack_sla_breached": 2,                  # i1 | i2, i5
    "resolve_sla_met": 1, "resolve_sla_breached": 3,          # i1 | i2, i4, i5
    "escalation_count": 2, "reopen_count": 1, "auto_resolve_count": 1,
    "alert_count": 3, "after_hours_count": 3,                 # i2, i3, i4
}

EXPECTED_PRIORITY = {
    "P1": {"incidents": 2, "mtta_sum": 600000, "mtta_count": 1, "mttr_sum": 260 * 60000,
           "mttr_count": 2, "ack_sla_met": 1, "ack_sla_breached": 0, "resolve_sla_met": 1,
           "resolve_sla_breached": 1},
    "P2": {"incidents": 1, "mtta_sum": 1800000, "mtta_count": 1, "mttr_sum": 0, "mttr_count": 0,
           "ack_sla_met": 0, "ack_sla_breached": 1, "resolve_sla_met": 0,
           "resolve_sla_breached": 1},
    "P5": {"incidents": 1, "mtta_sum": 0, "mtta_count": 0, "mttr_sum": 0, "mttr_count": 0,
           "ack_sla_met": 0, "ack_sla_breached": 1, "resolve_sla_met": 0,
           "resolve_sla_breached": 1},
}


def backfill(s, body, status=200):
    r = call(s, "POST", "/api/admin/rollups/backfill", body)
    assert r.status == status, r
    return r.json()


def test_rollup_day_hand_computed_and_idempotent(s):
    day, svc, ids = seed(s)
    out = backfill(s, {"start": day, "end": day})["data"]
    nsvc = int(s.scalar("SELECT count(*) FROM service"))
    assert out["start"] == day and out["end"] == day and out["days"] == 1, out
    assert out["rows"] == nsvc + 1 and out["clipped"] is False, out

    assert rollup_rows(s, day, svc) == {svc: EXPECTED}, rollup_rows(s, day, svc)
    assert priority_rows(s, day, svc) == EXPECTED_PRIORITY, priority_rows(s, day, svc)

    # global row: one, and the sum of the per-service rows (one row per service, zeros too)
    rows = rollup_rows(s, day)
    assert len(rows) == nsvc + 1 and "" in rows, len(rows)
    for c in COLS:
        if c != "alert_count":
            assert rows[""][c] == sum(v[c] for k, v in rows.items() if k), c
    assert rows[""]["alert_count"] >= 3
    glob_p1 = s.scalar("SELECT p.incidents FROM incident_metric_rollup_by_priority p JOIN "
                       "incident_metric_rollup r ON r.id = p.rollup_id WHERE r.day = :'d' "
                       "AND r.service_id IS NULL AND p.priority = 'P1'", d=day)
    assert int(glob_p1) >= 2, glob_p1
    # the neighbouring days hold the two outside incidents, not D
    prev = (datetime.date.fromisoformat(day) - datetime.timedelta(days=1)).isoformat()
    backfill(s, {"start": prev, "end": prev})
    assert rollup_rows(s, prev, svc)[svc]["total_incidents"] == 1

    # a re-run replaces the day: same numbers, no duplicate row (global row included)
    backfill(s, {"start": day, "end": day})
    assert rollup_rows(s, day, svc) == {svc: EXPECTED}
    assert len(rollup_rows(s, day)) == nsvc + 1
    assert s.scalar("SELECT count(*) FROM incident_metric_rollup WHERE day = :'d' "
                    "AND service_id IS NULL", d=day) == "1"
    # … and picks up changes: i3 acknowledged after 5 min and resolved after 100 min
    s.psql("UPDATE incident SET status = 'RESOLVED', acknowledged_at = created_at + "
           "interval '5 minutes', resolved_at = created_at + interval '100 minutes' "
           "WHERE id = :'i'", i=ids["i3"])
    backfill(s, {"start": day, "end": day})
    want = dict(EXPECTED, open_incidents=0, resolved_incidents=3, mtta_sum=45 * 60000,
                mtta_count=3, mttr_sum=360 * 60000, mttr_count=3, ack_sla_met=2,
                resolve_sla_met=2)
    assert rollup_rows(s, day, svc) == {svc: want}, rollup_rows(s, day, svc)


def test_rollup_business_hours_zone(s):
    """After-hours follow system_settings.business_hours_time_zone: 20:00 UTC on a Wednesday is
    15:00 in New York (business hours), 03:00 UTC is 22:00 the day before there."""
    day, svc, _ = seed(s)
    s.psql("UPDATE system_settings SET business_hours_time_zone = 'America/New_York'")
    try:
        backfill(s, {"start": day, "end": day})
    finally:
        s.psql("UPDATE system_settings SET business_hours_time_zone = 'UTC'")
    # i1 09:00Z = 04:00/05:00 local (after), i2 20:00Z = 15:00/16:00 (business),
    # i3 23:50Z = 18:50/19:50 (after), i4 03:00Z = 22:00/23:00 Tuesday (after), i5 12:00Z = 07:00/
    # 08:00 local: after hours in winter (EST, 07:00), business in summer (EDT, 08:00)
    edt = s.scalar("SELECT extract(hour FROM :'t'::timestamptz AT TIME ZONE "
                   "'America/New_York')", t=day + "T12:00:00Z") == "8"
    got = rollup_rows(s, day, svc)[svc]["after_hours_count"]
    assert got == (3 if edt else 4), got


def test_rollup_backfill_validation(s):
    t = today(s)
    y = (t - datetime.timedelta(days=1)).isoformat()
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"days": 0}), 422,
                 "invalid_field", "days")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"days": "3"}), 422,
                 "invalid_field", "days")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"days": 3, "start": y}), 422,
                 "invalid_field", "days")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"start": "2024-02-30"}), 422,
                 "invalid_field", "start")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"start": y, "end": 5}), 422,
                 "invalid_field", "end")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill",
                      {"start": y, "end": t.isoformat()}), 422, "invalid_field", "end")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill",
                      {"start": y, "end": (t - datetime.timedelta(days=2)).isoformat()}),
                 422, "invalid_field", "end")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"start": "2001-01-01",
                                                                 "end": "2001-01-31"}),
                 422, "invalid_field", "retention")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"end": y}), 422,
                 "missing_field", "start")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"day": y}), 422,
                 "unknown_field", "day")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", [1]), 422, "invalid_body")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", "{"), 400, "invalid_json")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"days": 1}, key=None), 401,
                 "missing_credentials")
    assert_error(call(s, "POST", "/api/admin/rollups/backfill", {"days": 1}, key="reader"), 403,
                 "scope_missing")
    assert_error(call(s, "GET", "/api/admin/rollups/health", key="reader"), 403,
                 "scope_missing")
    # a window reaching past the metrics retention is clipped, and said so
    out = backfill(s, {"start": (t - datetime.timedelta(days=400)).isoformat(),
                       "end": (t - datetime.timedelta(days=364)).isoformat()})["data"]
    assert out["clipped"] is True and out["start"] == (t - datetime.timedelta(days=365)).isoformat()
    assert out["days"] == 2, out
    out = backfill(s, {"days": 2})["data"]
    assert out["end"] == y and out["days"] == 2 and out["clipped"] is False, out


def test_rollup_health_reports_missing_days(s):
    seed(s)  # the window now starts at least 100 days back
    out = backfill(s, {"days": 365})["data"]
    h = call(s, "GET", "/api/admin/rollups/health").json()["data"]
    y = (today(s) - datetime.timedelta(days=1)).isoformat()
    assert h["healthy"] is True and h["missing_count"] == 0 and h["missing_days"] == [], h
    assert h["window_end"] == y and h["newest_day"] == y and h["lag_days"] == 0, h
    assert h["present_days"] == h["expected_days"] >= 100, h
    assert h["metrics_retention_days"] == 365 and out["days"] == 365
    gone = [(today(s) - datetime.timedelta(days=n)).isoformat() for n in (1, 5)]
    s.psql("DELETE FROM incident_metric_rollup WHERE day IN (:'a', :'b')", a=gone[0], b=gone[1])
    h = call(s, "GET", "/api/admin/rollups/health").json()["data"]
    assert h["healthy"] is False and h["missing_count"] == 2, h
    assert h["missing_days"] == gone and h["lag_days"] == 1, h
    assert h["present_days"] == h["expected_days"] - 2, h
    backfill(s, {"days": 5})
    assert call(s, "GET", "/api/admin/rollups/health").json()["data"]["healthy"] is True


def test_rollup_worker_daily_task(s):
    """The worker's rollup task fills the missing days (newest first, 30 per run) once per UTC
    day after 01:00 and records the run; a second run the same day does nothing."""
    seed(s)
    backfill(s, {"days": 365})
    t = today(s)
    y = (t - datetime.timedelta(days=1)).isoformat()
    s.psql("DELETE FROM incident_metric_rollup WHERE day >= :'d'",
           d=(t - datetime.timedelta(days=40)).isoformat())
    s.psql("UPDATE rollup_state SET last_rollup_date = NULL")
    after_one = s.scalar("SELECT extract(hour FROM ok_now() AT TIME ZONE 'UTC') >= 1") == "t"
    jid = insert_job(s, "SCHEDULED_TASK", {"task": "rollup"})
    assert wait_for(lambda: s.scalar("SELECT status FROM background_job WHERE id = :'j'", j=jid)
                    == "COMPLETED", 30), s.psql("SELECT status, last_error FROM background_job "
                                                "WHERE id = :'j'", j=jid)
    present = int(s.scalar("SELECT count(*) FROM incident_metric_rollup WHERE service_id IS NULL "
                           "AND day >= :'d'", d=(t - datetime.timedelta(days=40)).isoformat()))
    if not after_one:  # 00:00-01:00 UTC: the day's run waits for 01:00
        assert present == 0
        return
    assert present == 30, present  # 40 missing, 30 per run, newest first
    assert s.scalar("SELECT count(*) FROM incident_metric_rollup WHERE service_id IS NULL "
                    "AND day = :'y'", y=y) == "1"
    state = s.psql("SELECT last_days, last_run_at IS NOT NULL, coalesce(last_rollup_date::text, "
                   "'') FROM rollup_state")[0]
    assert state == ("30", "t", ""), state  # backlog left: the day is not marked done
    assert s.scalar("SELECT ok_task_rollup()") == "10"
    assert s.scalar("SELECT last_rollup_date FROM rollup_state") == t.isoformat()
    assert s.scalar("SELECT ok_task_rollup()") == "0"  # once per day
    h = call(s, "GET", "/api/admin/rollups/health").json()["data"]
    assert h["last_rollup_date"] == t.isoformat() and h["last_run_days"] == 10, h
    assert h["last_error"] is None, h
