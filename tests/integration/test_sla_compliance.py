"""SLA daily snapshots (worker task) and GET /api/sla/compliance (issue 6, spec §6.3), with
fixtures whose values are worked out by hand: snapshot compliance, uptime as the union of
incident intervals, MTTA/MTTR medians, breach and trend, the USER role's scope, auth."""

import datetime
import uuid

from harness import new_key, wait_for
from test_export import team_user
from test_incidents_api import assert_error
from workerlib import insert_job

_fx = {}


def fx(s):
    if not _fx:
        _fx["analytics"] = s.create_api_key("analytics:read")[1]
        _fx["incidents"] = s.create_api_key("incidents:read")[1]
        _fx["team"], _fx["user"] = team_user(s, "analytics:read")
    return _fx


def compliance(s, key="analytics"):
    h = {"Authorization": "Bearer " + fx(s)[key]} if key else {}
    return s.http("GET", "/api/sla/compliance", headers=h)


def entries(s, key="analytics"):
    r = compliance(s, key)
    assert r.status == 200, r
    body = r.json()
    assert body["generated_at"], body
    return {e["definition_id"]: e for e in body["data"]}


def service(s, team=None, ack=15, resolve=120):
    return s.scalar("INSERT INTO service (name, team_id, target_ack_minutes, "
                    "target_resolve_minutes) VALUES (:'n', nullif(:'t', '')::uuid, :'a', :'r') "
                    "RETURNING id", n="sla-" + uuid.uuid4().hex[:10], t=team or "", a=ack,
                    r=resolve)


def incident(s, svc, created, status="OPEN", ack=None, resolved=None, priority=None):
    """created/ack/resolved: SQL timestamptz expressions."""
    return s.scalar(
        "INSERT INTO incident (title, dedup_key, service_id, status, priority, created_at, "
        "updated_at, acknowledged_at, resolved_at) VALUES ('sla fixture', :'k', :'s', :'st', "
        "nullif(:'p', ''), %s, %s, %s, %s) RETURNING id"
        % (created, created, ack or "NULL", resolved or "NULL"),
        k=uuid.uuid4().hex, s=svc, st=status, p=priority or "")


def definition(s, metric, target, window="7d", svc=None, team=None, ack=None, resolve=None,
               active_from="ok_now() - interval '40 days'", active_to="NULL"):
    return s.scalar(
        "INSERT INTO sla_definition (name, service_id, team_id, target, sla_window, metric_type, "
        "target_ack_time, target_resolve_time, active_from, active_to) VALUES (:'n', "
        "nullif(:'s', '')::uuid, nullif(:'t', '')::uuid, :'g', :'w', :'m', "
        "nullif(:'a', '')::int, nullif(:'r', '')::int, %s, %s) RETURNING id"
        % (active_from, active_to), n=new_key("sla"), s=svc or "", t=team or "", g=target,
        w=window, m=metric, a=ack or "", r=resolve or "")


def snapshot(s, d, day):
    rows = s.psql("SELECT total_incidents, met_ack_time, met_resolve_time, compliance_score "
                  "FROM sla_snapshot WHERE sla_definition_id = :'d' AND day = :'y'", d=d, y=day)
    assert len(rows) <= 1, rows
    return tuple(float(x) for x in rows[0]) if rows else None


def test_sla_snapshots_by_the_worker(s):
    """Definition targets: ack 10 min, resolve 60 min. Incidents of yesterday (UTC):
      a acked +5, resolved +30             ack met,      resolve met
      b acked +20, resolved +90            ack breached, resolve breached
      c never acked, resolved +8           ack met (judged on the resolve time), resolve met
      d OPEN, never acked (12 h+ old)      ack breached, resolve breached
      e acked +1 but P1 (other services')  not in scope
    compliance = (2 + 2) / (4 + 4) = 50 %."""
    svc = service(s)
    other = service(s)
    y = (datetime.date.fromisoformat(s.scalar("SELECT (ok_now() AT TIME ZONE 'UTC')::date"))
         - datetime.timedelta(days=1)).isoformat()
    at = lambda hh, mm=0: "'%sT%02d:%02d:00Z'::timestamptz" % (y, hh, mm)  # noqa: E731
    incident(s, svc, at(10), "RESOLVED", ack=at(10, 5), resolved=at(10, 30))
    incident(s, svc, at(11), "RESOLVED", ack=at(11, 20), resolved=at(12, 30))
    c = incident(s, svc, at(11, 30), "RESOLVED", resolved=at(11, 38))
    incident(s, svc, at(12), "OPEN")
    incident(s, other, at(12), "ACKNOWLEDGED", ack=at(12, 1), priority="P1")
    d = definition(s, "MTTA", 15, svc=svc, ack=10, resolve=60)   # after the incidents: see below
    empty = definition(s, "MTTR", 60, svc=service(s))
    # (the definition comes last, so a periodic run of the task cannot snapshot a partial day)
    jid = insert_job(s, "SCHEDULED_TASK", {"task": "sla_snapshot"})
    assert wait_for(lambda: s.scalar("SELECT status FROM background_job WHERE id = :'j'", j=jid)
                    == "COMPLETED", 30), s.psql("SELECT status, last_error FROM background_job "
                                                "WHERE id = :'j'", j=jid)
    assert snapshot(s, d, y) == (4, 2, 2, 50.0), snapshot(s, d, y)
    assert snapshot(s, empty, y) == (0, 0, 0, 100.0), snapshot(s, empty, y)
    # one row per finished day of the last 30 (active_from is 40 days back)
    assert s.scalar("SELECT count(*) FROM sla_snapshot WHERE sla_definition_id = :'d'",
                    d=d) == "30"
    # re-running a day replaces its row
    s.psql("UPDATE incident SET resolved_at = created_at + interval '2 hours' WHERE id = :'c'",
           c=c)
    s.psql("SELECT ok_sla_snapshot(:'d', :'y')", d=d, y=y)
    assert snapshot(s, d, y) == (4, 1, 1, 25.0), snapshot(s, d, y)
    e = entries(s)[d]
    assert e["latest_snapshot"]["day"] == y and e["latest_snapshot"]["compliance_score"] == 25
    # a definition that ended is not snapshotted any more, nor listed
    ended = definition(s, "MTTA", 15, svc=svc, active_to="ok_now() - interval '35 days'")
    assert s.scalar("SELECT ok_task_sla_snapshot()") != ""
    assert s.scalar("SELECT count(*) FROM sla_snapshot WHERE sla_definition_id = :'d'",
                    d=ended) == "0"
    assert ended not in entries(s)


def test_sla_compliance_values(s):
    now = "ok_now()"
    ago = lambda h: "ok_now() - interval '%s hours'" % h  # noqa: E731

    # uptime (7 days = 168 h): A [-50 h, -48 h] and B [-48.5 h, -47.5 h] overlap: 2.5 h; C open
    # since -1 h runs to now: 1 h; D snoozed does not count; E resolved before the window.
    up = service(s)
    incident(s, up, ago(50), "RESOLVED", resolved=ago(48))
    incident(s, up, ago(48.5), "RESOLVED", resolved=ago(47.5))
    incident(s, up, ago(1), "OPEN")
    incident(s, up, ago(30), "SNOOZED")
    incident(s, up, ago(400), "RESOLVED", resolved=ago(399))
    d_up = definition(s, "UPTIME", 99.9, svc=up)
    d_avail = definition(s, "AVAILABILITY", 97.5, svc=up)

    # MTTA over 7 days: acks after 5, 10 and 30 min → median 10; the previous window (-14 d to
    # -7 d) has one ack after 20 min → trend down. MTTR: 30 and 90 min → median 60 = target.
    mt = service(s)
    for mins in (5, 10, 30):
        incident(s, mt, ago(24), "ACKNOWLEDGED",
                 ack="%s + interval '%d minutes'" % (ago(24), mins))
    incident(s, mt, ago(24 * 10), "RESOLVED", ack="%s + interval '20 minutes'" % ago(240),
             resolved="%s + interval '1 hour'" % ago(240))
    for mins in (30, 90):
        incident(s, mt, ago(5), "RESOLVED", resolved="%s + interval '%d minutes'" % (ago(5), mins))
    d_mtta = definition(s, "MTTA", 15, svc=mt)
    d_mtta_tight = definition(s, "MTTA", 9.5, svc=mt)
    d_mttr = definition(s, "MTTR", 60, svc=mt)
    d_lat = definition(s, "LATENCY_P99", 50, svc=mt)
    d_empty = definition(s, "MTTR", 60, window="yearly", svc=service(s))
    gone = definition(s, "MTTA", 15, svc=mt, active_to=now)

    got = entries(s)
    assert gone not in got
    e = got[d_up]
    # (168 - 3.5) / 168 = 97.916…
    assert e["current_value"] == 97.92 and e["breached"] is True and e["trend"] == "down", e
    assert (e["metric_type"], e["target"], e["window"], e["window_days"]) == (
        "UPTIME", 99.9, "7d", 7), e
    assert e["service_id"] == up and e["service_name"].startswith("sla-"), e
    assert e["total_incidents"] == 4 and e["active_incidents"] == 1, e  # A B C D; C is active
    assert got[d_avail]["current_value"] == 97.92 and got[d_avail]["breached"] is False

    e = got[d_mtta]
    assert e["current_value"] == 10 and e["breached"] is False and e["trend"] == "down", e
    assert e["total_incidents"] == 5 and e["active_incidents"] == 3, e
    assert got[d_mtta_tight]["breached"] is True
    e = got[d_mttr]
    assert e["current_value"] == 60 and e["breached"] is False, e  # not above the target
    assert e["trend"] == "stable", e  # the previous window's median is 60 too
    e = got[d_lat]
    assert e["current_value"] is None and e["breached"] is False and e["trend"] == "stable", e
    e = got[d_empty]
    assert (e["current_value"], e["breached"], e["total_incidents"], e["window_days"]) == (
        None, False, 0, 365), e
    assert e["latest_snapshot"] is None and e["last_updated"], e


def test_sla_compliance_scope_and_auth(s):
    team = fx(s)["team"]
    mine = definition(s, "MTTA", 15, svc=service(s, team=team))
    by_team = definition(s, "MTTR", 60, team=team)
    glob = definition(s, "UPTIME", 99.0)
    theirs = definition(s, "MTTA", 15, svc=service(s))
    seen = entries(s, "user")
    assert mine in seen and by_team in seen, seen.keys()
    assert glob not in seen and theirs not in seen, seen.keys()
    assert seen[by_team]["service_name"] == "Global" and seen[by_team]["team_id"] == team
    every = entries(s)
    assert {mine, by_team, glob, theirs} <= set(every)
    assert_error(compliance(s, key=None), 401, "missing_credentials")
    assert_error(compliance(s, key="incidents"), 403, "scope_missing")
