"""Retention (issue 6, spec §5, §7.2): GET/PUT /api/settings/retention (clamps, validation that
changes nothing) and POST /api/settings/retention {dry_run}: rows past the windows deleted in
batches, rows inside kept, unresolved incidents never deleted, alerts detached first; the
worker's retention task. The fixtures are 8+ years old so no other test's rows are in reach."""

import uuid

from harness import wait_for
from test_incidents_api import assert_error
from workerlib import insert_job

_fx = {}

DEFAULTS = {"incident_retention_days": 730, "alert_retention_days": 365, "log_retention_days": 90,
            "metrics_retention_days": 365, "real_time_window_days": 90,
            "business_hours_time_zone": "UTC"}
TEST_SETTINGS = {"incident_retention_days": 3000, "alert_retention_days": 3000,
                 "log_retention_days": 300, "metrics_retention_days": 3000}
EMPTY = {"incidents": 0, "incident_events": 0, "incident_notes": 0, "alerts_detached": 0,
         "alerts": 0, "log_entries": 0, "rollups": 0}


def keys(s):
    if not _fx:
        _fx["admin"] = s.create_api_key("admin")[1]
        _fx["reader"] = s.create_api_key("incidents:read,analytics:read")[1]
    return _fx


def call(s, method, body=None, key="admin"):
    h = {"Authorization": "Bearer " + keys(s)[key]} if key else {}
    return s.http(method, "/api/settings/retention", body=body, headers=h)


def settings(s):
    r = call(s, "GET")
    assert r.status == 200, r
    return r.json()["data"]


def restore(s):
    r = call(s, "PUT", DEFAULTS)
    assert r.status == 200, r


def ago(days):
    return "ok_now() - interval '%d days'" % days


def seed(s):
    """Ages in days: past the windows (3100 incidents/alerts/rollups, 320 logs) or inside them
    (2900, 280). Returns the ids by name."""
    svc = s.scalar("INSERT INTO service (name) VALUES (:'n') RETURNING id",
                   n="retention-" + uuid.uuid4().hex[:10])
    ids = {"svc": svc}

    def incident(name, days, status):
        ids[name] = s.scalar(
            "INSERT INTO incident (title, dedup_key, service_id, status, created_at, updated_at, "
            "resolved_at) VALUES ('retention', :'k', :'s', :'st', %s, %s, "
            "CASE WHEN :'st' = 'RESOLVED' THEN %s + interval '1 hour' END) RETURNING id"
            % (ago(days), ago(days), ago(days)), k=uuid.uuid4().hex, s=svc, st=status)

    def alert(name, days, inc=None):
        ids[name] = s.scalar("INSERT INTO alert (service_id, incident_id, dedup_key, created_at) "
                             "VALUES (:'s', nullif(:'i', '')::uuid, 'r', %s) RETURNING id"
                             % ago(days), s=svc, i=ids.get(inc, ""))

    incident("old_resolved", 3100, "RESOLVED")
    incident("old_open", 3100, "OPEN")
    incident("old_snoozed", 3100, "SNOOZED")
    incident("new_resolved", 2900, "RESOLVED")
    for _ in range(2):
        s.psql("INSERT INTO incident_event (incident_id, type, message) "
               "VALUES (:'i', 'COMMENT', 'x')", i=ids["old_resolved"])
    s.psql("INSERT INTO incident_note (incident_id, content) VALUES (:'i', 'n')",
           i=ids["old_resolved"])
    alert("a_old_attached", 3100, "old_resolved")   # detached, then deleted (old)
    alert("a_new_attached", 2900, "old_resolved")   # detached, kept (inside the window)
    alert("a_old_open", 3100, "old_open")           # its incident stays: kept, attached
    alert("a_old_orphan", 3100)                     # deleted
    alert("a_new_orphan", 2900)                     # kept
    for name, days in (("l_old", 320), ("l_new", 280)):
        ids[name] = s.scalar("INSERT INTO log_entry (level, message, logged_at) "
                             "VALUES ('info', 'retention', %s) RETURNING id" % ago(days))
    for name, days in (("r_old", 3100), ("r_new", 2900)):
        ids[name] = s.scalar("INSERT INTO incident_metric_rollup (day, service_id) VALUES "
                             "((%s)::date, :'s') RETURNING id" % ago(days), s=svc)
    # 1500 more old resolved incidents: the run needs two incident batches of 1000
    s.psql("INSERT INTO incident (title, dedup_key, service_id, status, created_at, updated_at, "
           "resolved_at) SELECT 'bulk', 'bulk-' || g || '-' || :'u', :'s', 'RESOLVED', "
           "%s, %s, %s FROM generate_series(1, 1500) g" % (ago(3200), ago(3200), ago(3199)),
           s=svc, u=uuid.uuid4().hex)
    return ids


def exists(s, table, rid):
    return s.scalar("SELECT count(*) FROM %s WHERE id = :'i'" % table, i=rid) == "1"


WANT = {"incidents": 1501, "incident_events": 2, "incident_notes": 1, "alerts_detached": 2,
        "alerts": 2, "log_entries": 1, "rollups": 1}


def check_after_run(s, ids):
    for table, name in (("incident", "old_resolved"), ("alert", "a_old_attached"),
                        ("alert", "a_old_orphan"), ("log_entry", "l_old"),
                        ("incident_metric_rollup", "r_old")):
        assert not exists(s, table, ids[name]), name + " should be deleted"
    for table, name in (("incident", "old_open"), ("incident", "old_snoozed"),
                        ("incident", "new_resolved"), ("alert", "a_new_attached"),
                        ("alert", "a_old_open"), ("alert", "a_new_orphan"),
                        ("log_entry", "l_new"), ("incident_metric_rollup", "r_new")):
        assert exists(s, table, ids[name]), name + " should be kept"
    # detached, not deleted with its incident; the unresolved incident keeps its alert
    assert s.scalar("SELECT incident_id IS NULL FROM alert WHERE id = :'i'",
                    i=ids["a_new_attached"]) == "t"
    assert s.scalar("SELECT incident_id FROM alert WHERE id = :'i'",
                    i=ids["a_old_open"]) == ids["old_open"]
    assert s.scalar("SELECT count(*) FROM incident_event WHERE incident_id = :'i'",
                    i=ids["old_resolved"]) == "0"
    assert s.scalar("SELECT count(*) FROM incident WHERE service_id = :'s' AND title = 'bulk'",
                    s=ids["svc"]) == "0"


def test_retention_dry_run_then_run_in_batches(s):
    with s.paused("worker"):  # its hourly retention task must not run meanwhile
        ids = seed(s)
        try:
            r = call(s, "PUT", TEST_SETTINGS)
            assert r.status == 200 and r.json()["clamped"] == [], r
            before = s.scalar("SELECT (SELECT count(*) FROM incident) + (SELECT count(*) FROM "
                              "alert) + (SELECT count(*) FROM log_entry) + (SELECT count(*) "
                              "FROM incident_metric_rollup)")
            for body in (None, {"dry_run": True}):
                r = call(s, "POST", body)
                assert r.status == 200, r
                out = r.json()["data"]
                assert out["dry_run"] is True and out["counts"] == WANT, out
                assert set(out["cutoffs"]) == {"incidents_before", "alerts_before",
                                               "logs_before", "rollups_before"}, out
            after = s.scalar("SELECT (SELECT count(*) FROM incident) + (SELECT count(*) FROM "
                             "alert) + (SELECT count(*) FROM log_entry) + (SELECT count(*) "
                             "FROM incident_metric_rollup)")
            assert before == after, "a dry run deleted rows"
            assert exists(s, "incident", ids["old_resolved"])

            r = call(s, "POST", {"dry_run": False})
            assert r.status == 200, r
            out = r.json()["data"]
            assert out["dry_run"] is False and out["counts"] == WANT, out
            assert out["batches"] == 2 and out["complete"] is True, out
            check_after_run(s, ids)
            out = call(s, "POST", {"dry_run": True}).json()["data"]
            assert out["counts"] == EMPTY, out
        finally:
            restore(s)


def test_retention_worker_task(s):
    ids = seed(s)
    try:
        with s.paused("worker"):
            assert call(s, "PUT", TEST_SETTINGS).status == 200
            jid = insert_job(s, "SCHEDULED_TASK", {"task": "retention"})
        assert wait_for(lambda: s.scalar("SELECT status FROM background_job WHERE id = :'j'",
                                         j=jid) == "COMPLETED", 30), \
            s.psql("SELECT status, last_error FROM background_job WHERE id = :'j'", j=jid)
        check_after_run(s, ids)
    finally:
        restore(s)


def test_retention_settings_clamped_and_validated(s):
    try:
        assert settings(s) == dict(settings(s), **DEFAULTS)
        r = call(s, "PUT", {"incident_retention_days": 1, "alert_retention_days": 99999,
                            "log_retention_days": 366, "metrics_retention_days": 29,
                            "real_time_window_days": -5})
        assert r.status == 200, r
        body = r.json()
        assert sorted(body["clamped"]) == sorted(DEFAULTS.keys() - {"business_hours_time_zone"})
        got = body["data"]
        assert (got["incident_retention_days"], got["alert_retention_days"],
                got["log_retention_days"], got["metrics_retention_days"],
                got["real_time_window_days"]) == (30, 3650, 365, 30, 7), got
        assert got["updated_by"] and got["updated_at"], got
        assert settings(s)["alert_retention_days"] == 3650
        r = call(s, "PUT", {"business_hours_time_zone": "America/Argentina/Buenos_Aires"})
        assert r.status == 200 and r.json()["clamped"] == [], r
        assert settings(s)["business_hours_time_zone"] == "America/Argentina/Buenos_Aires"

        snapshot = settings(s)
        for body, status, code, field in (
                ({"incident_retention_days": "30"}, 422, "invalid_field",
                 "incident_retention_days"),
                ({"log_retention_days": 1.5}, 422, "invalid_field", "log_retention_days"),
                ({"log_retention_days": None}, 422, "invalid_field", "log_retention_days"),
                ({"business_hours_time_zone": "Mars/Olympus_Mons"}, 422, "invalid_field",
                 "business_hours_time_zone"),
                ({"business_hours_time_zone": "UTC; DROP TABLE incident"}, 422, "invalid_field",
                 "business_hours_time_zone"),
                ({"business_hours_time_zone": 5}, 422, "invalid_field",
                 "business_hours_time_zone"),
                ({"log_retention_days": 10, "retention": 5}, 422, "unknown_field", "retention"),
                ({}, 422, "no_fields", None),
                ([], 422, "invalid_body", None),
                ("{", 400, "invalid_json", None)):
            assert_error(call(s, "PUT", body), status, code, field)
        assert settings(s) == snapshot, "a refused PUT changed the settings"
        for body, code, field in (({"dry_run": "false"}, "invalid_field", "dry_run"),
                                  ({"dryRun": False}, "unknown_field", "dryRun")):
            assert_error(call(s, "POST", body), 422, code, field)
        for method, body in (("GET", None), ("PUT", {"log_retention_days": 5}),
                             ("POST", {"dry_run": False})):
            assert_error(call(s, method, body, key="reader"), 403, "scope_missing")
            assert_error(call(s, method, body, key=None), 401, "missing_credentials")
        assert settings(s) == snapshot
    finally:
        restore(s)
