"""The incidents REST API (issue 5): list/get/create/patch/notes/snooze/acknowledge/resolve/bulk
through nginx, their validation and auth failures, pagination across inserts, concurrent
PATCHes, and the §4 side effects checked in background_job and incident_event."""

import json
import threading
import uuid

from harness import new_key, wait_for

_fx = {}


def fx(s):
    """Keys: rw (admin, incidents:read+write), ro (read only), ev (events:write only), a USER
    in the demo service's team and one outside it; a second service of another team."""
    if _fx:
        return _fx
    svc = s.keys["OPSKNIGHT_SERVICE_ID"]
    team = s.scalar("SELECT team_id FROM service WHERE id = :'s'", s=svc)
    _fx["svc"], _fx["team"] = svc, team
    _fx["rw"] = s.create_api_key("incidents:read,incidents:write")[1]
    _fx["ro"] = s.create_api_key("incidents:read")[1]
    _fx["ev"] = s.create_api_key("events:write")[1]
    for label, t in (("inside", team), ("outside", None)):
        email = new_key(label) + "@example.com"
        args = ["create-user", "--email", email, "--name", label.capitalize(), "--role", "USER"]
        if t:
            args += ["--team", t]
        s.admin(*args)
        _fx[label + "_id"] = s.scalar("SELECT id FROM app_user WHERE email = :'e'", e=email)
        _fx[label] = s.create_api_key("incidents:read,incidents:write", user=email)[1]
    other_team = s.admin("create-team", "--name", new_key("team"))
    _fx["other_team"] = other_team.get("TEAM_ID") or s.scalar(
        "SELECT id FROM team ORDER BY created_at DESC LIMIT 1")
    return _fx


def call(s, method, path, body=None, key="rw", headers=None):
    h = {"Authorization": "Bearer " + fx(s)[key]} if key else {}
    h.update(headers or {})
    return s.http(method, path, body=body, headers=h)


def create(s, key="rw", **body):
    b = {"title": "cpu hot on " + new_key("web"), "service_id": fx(s)["svc"]}
    b.update(body)
    r = call(s, "POST", "/api/incidents", b, key=key)
    assert r.status in (200, 201), r
    return r.json()["data"]


def assert_error(r, status, code, field=None):
    assert r.status == status, (status, code, r)
    err = r.json()["error"]
    assert err["code"] == code and err["message"], r
    if field:
        assert field in err["message"], (field, r)
    return err


def jobs(s, inc, status=None):
    rows = s.psql("SELECT type, status, payload::text, run_at > ok_now() FROM background_job "
                  "WHERE incident_id = :'i' ORDER BY created_at", i=inc)
    return [(t, st, json.loads(p), fut == "t") for t, st, p, fut in rows
            if status is None or st == status]


def settle(s, inc):
    """Waits until the worker has run the incident's due jobs (an escalation step updates the
    incident, so its version moves)."""
    assert wait_for(lambda: s.scalar(
        "SELECT count(*) FROM background_job WHERE incident_id = :'i' AND status IN "
        "('PENDING', 'PROCESSING') AND run_at <= ok_now()", i=inc) == "0"), "jobs still due"


def timeline(s, inc):
    """The incident's timeline without the rows the worker writes while it runs."""
    return s.psql("SELECT type, message, user_id IS NOT NULL FROM incident_event "
                  "WHERE incident_id = :'i' AND type NOT IN ('ESCALATED', 'NOTIFICATION', "
                  "'SLA_WARNING') ORDER BY created_at, id", i=inc)


# --- happy paths -----------------------------------------------------------------------------


def test_create_get_and_side_effects(s):
    r = call(s, "POST", "/api/incidents", {"title": "db down", "service_id": fx(s)["svc"],
                                           "urgency": "LOW", "priority": "P2"})
    assert r.status == 201, r
    inc = r.json()["data"]
    assert r.json()["result"] == "created"
    assert r.headers["location"] == "/api/incidents/" + inc["id"]
    assert inc["status"] == "OPEN" and inc["urgency"] == "LOW" and inc["priority"] == "P2"
    assert inc["version"] >= 1 and inc["created_at"].endswith("Z")
    types = [j[0] for j in jobs(s, inc["id"])]
    assert "ESCALATION" in types and "NOTIFY" in types, types
    tl = timeline(s, inc["id"])
    assert tl[0][:2] == ("LEGACY_OTHER", "Incident created with LOW urgency"), tl

    g = call(s, "GET", "/api/incidents/" + inc["id"], key="ro")
    assert g.status == 200, g
    d = g.json()["data"]
    assert d["id"] == inc["id"] and d["timeline"][0]["type"] == "LEGACY_OTHER"
    assert d["alerts"] == [] and d["notes"] == []
    assert g.headers["etag"] == '"%d"' % d["version"]


def test_patch_status_side_effects(s):
    inc = create(s)["id"]
    # acknowledge: escalation stopped, pending ESCALATION cancelled, NOTIFY acknowledged
    r = call(s, "PATCH", "/api/incidents/" + inc, {"status": "ACKNOWLEDGED"})
    assert r.status == 200 and r.json()["data"]["status"] == "ACKNOWLEDGED", r
    d = r.json()["data"]
    assert d["escalation_status"] == "COMPLETED" and d["acknowledged_at"]
    assert not [j for j in jobs(s, inc, "PENDING") if j[0] == "ESCALATION"]
    assert any(j[0] == "NOTIFY" and j[2]["event"] == "acknowledged" for j in jobs(s, inc))
    # back to OPEN: unacknowledged, escalation resumed with an ESCALATION job at its step
    r = call(s, "PATCH", "/api/incidents/" + inc, {"status": "OPEN"})
    assert r.status == 200, r
    d = r.json()["data"]
    assert d["escalation_status"] == "ESCALATING" and d["acknowledged_at"] is None
    esc = [j for j in jobs(s, inc) if j[0] == "ESCALATION" and j[1] != "CANCELLED"]
    assert esc and esc[-1][2]["incident_id"] == inc and esc[-1][2]["scheduled"] is True, esc
    # suppress: paused
    r = call(s, "PATCH", "/api/incidents/" + inc, {"status": "SUPPRESSED"})
    assert r.json()["data"]["escalation_status"] == "PAUSED", r
    assert not [j for j in jobs(s, inc, "PENDING") if j[0] == "ESCALATION"]
    # resolve, then reopen: step 0, ESCALATION at now
    r = call(s, "PATCH", "/api/incidents/" + inc, {"status": "RESOLVED"})
    assert r.json()["data"]["resolved_at"], r
    r = call(s, "PATCH", "/api/incidents/" + inc, {"status": "OPEN"})
    d = r.json()["data"]
    assert d["resolved_at"] is None and d["current_escalation_step"] == 0, d
    types = [t for t, _, _ in timeline(s, inc)]
    assert types[-5:] == ["ACKNOWLEDGED", "STATUS_CHANGE", "STATUS_CHANGE", "MANUAL_RESOLVED",
                          "REOPENED"], types
    msgs = [m for _, m, _ in timeline(s, inc)]
    assert "Status updated to ACKNOWLEDGED (escalation stopped)" in msgs
    assert "Incident unacknowledged (escalation resumed)" in msgs
    assert "Incident suppressed (escalation paused)" in msgs
    assert all(u == "t" for t, _, u in timeline(s, inc) if t != "LEGACY_OTHER")


def test_patch_fields_and_etag(s):
    inc = create(s)["id"]
    settle(s, inc)
    g = call(s, "GET", "/api/incidents/" + inc)
    etag = g.headers["etag"]
    r = call(s, "PATCH", "/api/incidents/" + inc,
             {"urgency": "MEDIUM", "priority": "P1", "assignee_id": fx(s)["inside_id"],
              "team_id": fx(s)["other_team"]}, headers={"If-Match": etag})
    assert r.status == 200, r
    d = r.json()["data"]
    assert (d["urgency"], d["priority"], d["assignee_id"], d["team_id"]) == (
        "MEDIUM", "P1", fx(s)["inside_id"], fx(s)["other_team"]), d
    assert r.headers["etag"] != etag
    msgs = [m for _, m, _ in timeline(s, inc)]
    assert "Urgency updated to MEDIUM" in msgs and "Priority updated to P1" in msgs
    assert "Incident manually reassigned to Inside" in msgs, msgs
    # stale If-Match: 412, nothing written
    n = len(timeline(s, inc))
    r = call(s, "PATCH", "/api/incidents/" + inc, {"urgency": "LOW"}, headers={"If-Match": etag})
    assert_error(r, 412, "version_mismatch")
    assert len(timeline(s, inc)) == n
    # clearing
    r = call(s, "PATCH", "/api/incidents/" + inc, {"priority": None, "assignee_id": None})
    assert r.json()["data"]["priority"] is None and r.json()["data"]["assignee_id"] is None
    msgs = [m for _, m, _ in timeline(s, inc)]
    assert "Priority cleared (Unassigned)" in msgs and "Incident unassigned" in msgs


def test_notes_idempotency_and_verbatim(s):
    inc = create(s)["id"]
    text = "x'); DROP TABLE incident; -- %_\\ <b>\"q\"</b>"
    h = {"Idempotency-Key": new_key("idem")}
    r1 = call(s, "POST", "/api/incidents/%s/notes" % inc, {"content": text}, headers=h)
    r2 = call(s, "POST", "/api/incidents/%s/notes" % inc, {"content": text}, headers=h)
    assert r1.status == 201 and r2.status == 201, (r1, r2)
    assert r1.json()["data"]["id"] == r2.json()["data"]["id"] and r2.json()["replayed"] is True
    assert r1.headers["location"].startswith("/api/incidents/%s/notes/" % inc)
    notes = call(s, "GET", "/api/incidents/" + inc).json()["data"]["notes"]
    assert [n["content"] for n in notes] == [text], notes
    assert [t for t, _, _ in timeline(s, inc)].count("COMMENT") == 1
    # the same key for another body is refused
    r = call(s, "POST", "/api/incidents/%s/notes" % inc, {"content": "other"}, headers=h)
    assert_error(r, 422, "idempotency_key_reused")
    # without a key, each POST is a note
    call(s, "POST", "/api/incidents/%s/notes" % inc, {"content": "a"})
    assert len(call(s, "GET", "/api/incidents/" + inc).json()["data"]["notes"]) == 2


def test_snooze_enqueues_unsnooze(s):
    inc = create(s)["id"]
    r = call(s, "POST", "/api/incidents/%s/snooze" % inc, {"minutes": 30, "reason": "deploy"})
    assert r.status == 200, r
    d = r.json()["data"]
    assert d["status"] == "SNOOZED" and d["escalation_status"] == "PAUSED"
    assert d["snoozed_until"] and d["snooze_reason"] == "deploy"
    un = [j for j in jobs(s, inc, "PENDING") if j[0] == "AUTO_UNSNOOZE"]
    assert len(un) == 1 and un[0][2] == {"incident_id": inc} and un[0][3], un
    assert s.scalar("SELECT run_at = snoozed_until FROM background_job b JOIN incident i "
                    "ON i.id = b.incident_id WHERE b.incident_id = :'i' "
                    "AND b.type = 'AUTO_UNSNOOZE' AND b.status = 'PENDING'", i=inc) == "t"
    assert not [j for j in jobs(s, inc, "PENDING") if j[0] == "ESCALATION"]
    assert any(m.startswith("Incident snoozed until ") and "(Reason: deploy)" in m
               for _, m, _ in timeline(s, inc))
    # unsnooze through PATCH: resumed, the auto-unsnooze cancelled
    r = call(s, "PATCH", "/api/incidents/" + inc, {"status": "OPEN"})
    assert r.json()["data"]["escalation_status"] == "ESCALATING", r
    assert not [j for j in jobs(s, inc, "PENDING") if j[0] == "AUTO_UNSNOOZE"]
    assert "Incident unsnoozed (escalation resumed)" in [m for _, m, _ in timeline(s, inc)]
    # a resolved incident cannot be snoozed
    call(s, "POST", "/api/incidents/%s/resolve" % inc)
    assert_error(call(s, "POST", "/api/incidents/%s/snooze" % inc, {"minutes": 5}), 409,
                 "invalid_transition")


def test_acknowledge_resolve_with_note(s):
    inc = create(s)["id"]
    r = call(s, "POST", "/api/incidents/%s/acknowledge" % inc)
    assert r.status == 200 and r.json()["data"]["status"] == "ACKNOWLEDGED", r
    r2 = call(s, "POST", "/api/incidents/%s/acknowledge" % inc)  # a retry: no second row
    assert r2.status == 200
    assert [t for t, _, _ in timeline(s, inc)].count("ACKNOWLEDGED") == 1
    r = call(s, "POST", "/api/incidents/%s/resolve" % inc, {"note": "rolled back the deploy"})
    assert r.status == 200 and r.json()["data"]["status"] == "RESOLVED", r
    tl = timeline(s, inc)
    assert ("MANUAL_RESOLVED", "Resolved: rolled back the deploy", "t") in tl, tl
    assert any(t == "COMMENT" and m.startswith("Resolution note added by") for t, m, _ in tl)
    notes = call(s, "GET", "/api/incidents/" + inc).json()["data"]["notes"]
    assert notes[-1]["content"] == "Resolution: rolled back the deploy"
    assert any(j[0] == "NOTIFY" and j[2]["event"] == "resolved" for j in jobs(s, inc))
    assert_error(call(s, "POST", "/api/incidents/%s/acknowledge" % inc), 409,
                 "invalid_transition")
    assert_error(call(s, "POST", "/api/incidents/%s/resolve" % inc, {"note": "short"}), 422,
                 "invalid_field", "note")


def test_bulk(s):
    a, b = create(s)["id"], create(s)["id"]
    missing = str(uuid.uuid4())
    r = call(s, "POST", "/api/incidents/bulk/acknowledge", {"ids": [a, b, missing]})
    assert r.status == 200, r
    res = {x["id"]: x for x in r.json()["data"]}
    assert res[a]["status"] == "ACKNOWLEDGED" and res[b]["result"] == "ok"
    assert res[missing]["error"] == "not_found"
    r = call(s, "POST", "/api/incidents/bulk/resolve", {"ids": [a, b]})
    assert all(x["status"] == "RESOLVED" for x in r.json()["data"]), r
    assert_error(call(s, "POST", "/api/incidents/bulk/resolve", {"ids": ["nope"]}), 422,
                 "invalid_field", "ids[0]")
    assert_error(call(s, "POST", "/api/incidents/bulk/resolve", {"ids": []}), 422,
                 "invalid_field", "ids")


def test_create_dedup_merge_and_reopen(s):
    dk = new_key("manual")
    first = create(s, dedup_key=dk)
    r = call(s, "POST", "/api/incidents", {"title": "again", "service_id": fx(s)["svc"],
                                           "dedup_key": dk})
    assert r.status == 200 and r.json()["result"] == "merged", r
    assert r.json()["data"]["id"] == first["id"]
    assert ("COMMENT", "Manual report merged from user.", "t") in timeline(s, first["id"])
    call(s, "POST", "/api/incidents/%s/resolve" % first["id"])
    r = call(s, "POST", "/api/incidents", {"title": "third", "service_id": fx(s)["svc"],
                                           "dedup_key": dk})
    assert r.status == 200 and r.json()["result"] == "reopened", r
    assert r.json()["data"]["status"] == "OPEN"
    tl = timeline(s, first["id"])
    assert tl[-1][0] == "REOPENED" and tl[-1][1].endswith("Summary: third"), tl
    # reopening by PATCH while another open incident holds the key: 409
    call(s, "POST", "/api/incidents/%s/resolve" % first["id"])
    s.psql("UPDATE incident SET resolved_at = ok_now() - interval '1 hour' WHERE id = :'i'",
           i=first["id"])
    fresh = create(s, dedup_key=dk)
    assert fresh["id"] != first["id"]
    assert_error(call(s, "PATCH", "/api/incidents/" + first["id"], {"status": "OPEN"}), 409,
                 "dedup_conflict")


# --- list --------------------------------------------------------------------------------------


def test_list_filters(s):
    marker = new_key("flt")
    a = create(s, title="alpha " + marker, urgency="LOW")
    b = create(s, title="beta " + marker, urgency="HIGH")
    call(s, "POST", "/api/incidents/%s/acknowledge" % b["id"])
    r = call(s, "GET", "/api/incidents?q=" + marker, key="ro")
    assert r.status == 200, r
    assert [i["id"] for i in r.json()["data"]] == [b["id"], a["id"]]
    assert r.json()["next_cursor"] is None
    r = call(s, "GET", "/api/incidents?q=%s&status=ACKNOWLEDGED,RESOLVED" % marker)
    assert [i["id"] for i in r.json()["data"]] == [b["id"]]
    r = call(s, "GET", "/api/incidents?q=%s&urgency=LOW&service_id=%s" % (marker, fx(s)["svc"]))
    assert [i["id"] for i in r.json()["data"]] == [a["id"]]
    r = call(s, "GET", "/api/incidents?q=ALPHA%20" + marker.upper())
    assert [i["id"] for i in r.json()["data"]] == [a["id"]]
    r = call(s, "GET", "/api/incidents?q=%s&created_from=2000-01-01T00:00:00Z"
             "&created_to=2001-01-01T00:00:00Z" % marker)
    assert r.json()["data"] == []
    call(s, "PATCH", "/api/incidents/" + a["id"], {"assignee_id": fx(s)["outside_id"]})
    r = call(s, "GET", "/api/incidents?assignee_id=" + fx(s)["outside_id"])
    assert a["id"] in [i["id"] for i in r.json()["data"]]
    r = call(s, "GET", "/api/incidents?q=%25")  # a LIKE metacharacter is a plain character
    assert r.status == 200 and all("%" in i["title"] for i in r.json()["data"])


def test_list_pagination_stable_under_inserts(s):
    marker = new_key("page")
    ids = [create(s, title="p%d %s" % (i, marker))["id"] for i in range(5)]
    r = call(s, "GET", "/api/incidents?limit=2&q=" + marker)
    page1 = [i["id"] for i in r.json()["data"]]
    cur = r.json()["next_cursor"]
    assert page1 == ids[::-1][:2] and cur, r
    create(s, title="late " + marker)  # an insert between pages shifts nothing
    seen = list(page1)
    while cur:
        r = call(s, "GET", "/api/incidents?limit=2&q=%s&cursor=%s" % (marker, cur))
        assert r.status == 200, r
        seen += [i["id"] for i in r.json()["data"]]
        cur = r.json()["next_cursor"]
    assert seen == ids[::-1], seen
    # limits: over max clamped, bad refused
    r = call(s, "GET", "/api/incidents?limit=100000")
    assert r.status == 200 and len(r.json()["data"]) <= 200
    assert_error(call(s, "GET", "/api/incidents?limit=abc"), 400, "invalid_parameter", "limit")
    assert_error(call(s, "GET", "/api/incidents?cursor=zzz"), 400, "invalid_parameter", "cursor")
    assert_error(call(s, "GET", "/api/incidents?status=BOGUS"), 400, "invalid_parameter",
                 "status")
    assert_error(call(s, "GET", "/api/incidents?service_id=1"), 400, "invalid_parameter",
                 "service_id")
    assert_error(call(s, "GET", "/api/incidents?created_from=yesterday"), 400,
                 "invalid_parameter", "created_from")


# --- auth ----------------------------------------------------------------------------------------


def test_auth_failures(s):
    inc = create(s)["id"]
    path = "/api/incidents/" + inc
    assert_error(call(s, "GET", path, key=None), 401, "missing_credentials")
    assert_error(s.http("GET", path, headers={"Authorization": "Bearer ok_nope"}), 401,
                 "invalid_api_key")
    kid, tok = s.create_api_key("incidents:read")
    s.psql("UPDATE api_key SET revoked_at = now() WHERE id = :'k'", k=kid)
    assert_error(s.http("GET", path, headers={"Authorization": "Bearer " + tok}), 401,
                 "api_key_revoked")
    assert_error(call(s, "GET", path, key="ev"), 403, "scope_missing")
    assert_error(call(s, "PATCH", path, {"urgency": "LOW"}, key="ro"), 403, "scope_missing")
    assert_error(call(s, "POST", path + "/notes", {"content": "x"}, key="ro"), 403,
                 "scope_missing")


def test_user_role_visibility(s):
    f = fx(s)
    inc = create(s)["id"]
    assert call(s, "GET", "/api/incidents/" + inc, key="inside").status == 200
    assert_error(call(s, "GET", "/api/incidents/" + inc, key="outside"), 403,
                 "incident_forbidden")
    assert_error(call(s, "PATCH", "/api/incidents/" + inc, {"urgency": "LOW"}, key="outside"),
                 403, "incident_forbidden")
    assert_error(call(s, "POST", "/api/incidents", {"title": "t", "service_id": f["svc"]},
                      key="outside"), 403, "service_forbidden")
    r = call(s, "GET", "/api/incidents?limit=200", key="outside")
    assert inc not in [i["id"] for i in r.json()["data"]]
    # assigned to the outsider: now visible to it
    call(s, "PATCH", "/api/incidents/" + inc, {"assignee_id": f["outside_id"]})
    assert call(s, "GET", "/api/incidents/" + inc, key="outside").status == 200
    r = call(s, "GET", "/api/incidents?assignee_id=" + f["outside_id"], key="outside")
    assert inc in [i["id"] for i in r.json()["data"]]


# --- validation ------------------------------------------------------------------------------------


def test_validation(s):
    f = fx(s)
    inc = create(s)["id"]
    p = "/api/incidents/" + inc
    assert_error(call(s, "GET", "/api/incidents/not-a-uuid"), 404, "not_found")
    assert_error(call(s, "GET", "/api/incidents/" + str(uuid.uuid4())), 404, "not_found")
    assert_error(call(s, "PATCH", "/api/incidents/not-a-uuid", {"status": "OPEN"}), 404,
                 "not_found")
    r = call(s, "DELETE", p)
    assert r.status == 405 and "PATCH" in r.headers["allow"], r
    assert_error(call(s, "PATCH", p, "status=OPEN",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}), 415,
                 "unsupported_media_type")
    assert_error(call(s, "PATCH", p, "{nope"), 400, "invalid_json")
    assert_error(call(s, "PATCH", p, [1]), 422, "invalid_body")
    assert_error(call(s, "PATCH", p, {}), 422, "no_fields")
    assert_error(call(s, "PATCH", p, {"status": "EXPLODED"}), 422, "invalid_field", "status")
    assert_error(call(s, "PATCH", p, {"status": 3}), 422, "invalid_field", "status")
    assert_error(call(s, "PATCH", p, {"urgency": None}), 422, "invalid_field", "urgency")
    assert_error(call(s, "PATCH", p, {"assignee_id": "bob"}), 422, "invalid_field", "assignee_id")
    assert_error(call(s, "PATCH", p, {"assignee_id": str(uuid.uuid4())}), 422, "invalid_field",
                 "assignee_id")
    assert_error(call(s, "PATCH", p, {"urgency": "LOW", "colour": "red"}), 422, "unknown_field",
                 "colour")
    assert_error(call(s, "PATCH", p, {"urgency": "LOW"}, headers={"If-Match": "garbage"}), 412,
                 "version_mismatch")
    assert_error(call(s, "POST", "/api/incidents", {"service_id": f["svc"]}), 422,
                 "missing_field", "title")
    assert_error(call(s, "POST", "/api/incidents", {"title": "t"}), 422, "missing_field",
                 "service_id")
    assert_error(call(s, "POST", "/api/incidents", {"title": "t", "service_id": str(uuid.uuid4())}),
                 422, "invalid_field", "service_id")
    assert_error(call(s, "POST", "/api/incidents", {"title": "x" * 501, "service_id": f["svc"]}),
                 422, "invalid_field", "title")
    assert_error(call(s, "POST", "/api/incidents", {"title": 5, "service_id": f["svc"]}),
                 422, "invalid_field", "title")
    assert_error(call(s, "POST", p + "/snooze", {"minutes": "30"}), 422, "invalid_field",
                 "minutes")
    assert_error(call(s, "POST", p + "/snooze", {"minutes": 0}), 422, "invalid_field", "minutes")
    assert_error(call(s, "POST", p + "/snooze", {}), 422, "missing_field", "minutes")
    assert_error(call(s, "POST", p + "/notes", {"content": ""}), 422, "invalid_field", "content")
    assert_error(call(s, "POST", p + "/notes", {"content": "x" * 10001}), 422, "invalid_field",
                 "content")
    r = call(s, "POST", p + "/notes", {"content": "x" * (1 << 20)})
    assert r.status == 413, r
    assert not call(s, "GET", p).json()["data"]["notes"]
    # the SQL metacharacters of a title are stored verbatim
    t = "'; DELETE FROM incident; --"
    d = create(s, title=t)
    assert call(s, "GET", "/api/incidents/" + d["id"]).json()["data"]["title"] == t


# --- concurrency ---------------------------------------------------------------------------------


def test_concurrent_patches(s):
    inc = create(s)["id"]
    n0 = len(timeline(s, inc))
    bodies = [{"priority": "P%d" % i} for i in range(1, 6)] + [{"urgency": "LOW"},
                                                                {"urgency": "MEDIUM"}]
    out = [None] * len(bodies)

    def worker(i):
        out[i] = call(s, "PATCH", "/api/incidents/" + inc, bodies[i])

    th = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for t in th:
        t.start()
    for t in th:
        t.join()
    assert all(r.status == 200 for r in out), [r for r in out if r.status != 200]
    versions = [r.json()["data"]["version"] for r in out]
    assert len(set(versions)) == len(versions), versions  # serialised: each saw the last
    rows = timeline(s, inc)[n0:]
    assert len(rows) == len(bodies), rows  # one typed row per PATCH, none lost
    assert all(t == "STATUS_CHANGE" and u == "t" for t, _, u in rows), rows
    # the answer with the highest version saw every other change: it is the final state
    final = call(s, "GET", "/api/incidents/" + inc).json()["data"]
    last = max(out, key=lambda r: r.json()["data"]["version"]).json()["data"]
    assert (last["priority"], last["urgency"]) == (final["priority"], final["urgency"]), final
    assert last["version"] == final["version"]
    call(s, "PATCH", "/api/incidents/" + inc, {"priority": None})
    settle(s, inc)
    # If-Match under contention: exactly one of N writers with the same ETag wins
    etag = call(s, "GET", "/api/incidents/" + inc).headers["etag"]
    res = [None] * 6

    def cas(i):
        res[i] = call(s, "PATCH", "/api/incidents/" + inc, {"priority": "P%d" % (i % 5 + 1)},
                      headers={"If-Match": etag})

    th = [threading.Thread(target=cas, args=(i,)) for i in range(6)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    codes = sorted(r.status for r in res)
    assert codes.count(200) == 1 and codes.count(412) == 5, codes
