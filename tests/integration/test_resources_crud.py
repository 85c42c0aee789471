"""The configuration resources of the REST API (issue 5), through nginx: the happy path of every
resource of the route block (create → 201 + Location + ETag, get, list, patch, delete → 204, the
defaults a create fills in), then every validation error (422 naming the field), SQL
metacharacters stored verbatim, an oversized body, non-UUID ids and unknown parents (404),
duplicates (409 naming the column)."""

import urllib.parse

from test_resources_lib import (api, assert_error, count, created, get, list_all, service, team,
                                uniq, user)

T0 = "2024-01-01T00:00:00.000Z"


def parents(s):
    """Rows the nested resources hang under (fresh per test)."""
    p = {"svc": service(s)["id"], "team": team(s),
         "policy": created(s, "/api/escalation-policies", {"name": uniq("pol")})["id"],
         "schedule": created(s, "/api/schedules", {"name": uniq("sched")})["id"],
         "page": created(s, "/api/status-pages", {"name": uniq("page")})["id"]}
    p["layer"] = created(s, "/api/schedules/%s/layers" % p["schedule"],
                         {"name": "L", "start_at": T0})["id"]
    p["u1"], p["u2"] = user(s)["id"], user(s)["id"]
    return p


def cases(s):
    """(collection, create body, expected after create, patch, expected after patch, id key,
    write-only fields never rendered). Expected dicts are subsets of the rendered row."""
    p = parents(s)
    svc, u1, u2 = p["svc"], p["u1"], p["u2"]
    name = uniq("res")
    return [
        ("/api/services",
         {"name": name, "description": "line 1\nline 2", "region": "eu-west-1"},
         {"name": name, "description": "line 1\nline 2", "region": "eu-west-1",
          "status": "OPERATIONAL", "target_ack_minutes": 15, "target_resolve_minutes": 120,
          "notification_channels": [], "notify_on_triggered": True,
          "notify_on_acknowledged": True, "notify_on_resolved": True,
          "notify_on_sla_breach": False, "auto_create_war_room": True, "team_id": None,
          "escalation_policy_id": None, "webhook_url": None, "sla_tier": None},
         {"status": "DEGRADED", "target_ack_minutes": 5, "team_id": p["team"],
          "notification_channels": ["WEBHOOK", "EMAIL"], "webhook_url": "https://example.com/h",
          "escalation_policy_id": p["policy"], "region": None},
         None, "id", ()),
        ("/api/services/%s/integrations" % svc,
         {"name": name},
         {"name": name, "service_id": svc, "type": "EVENTS_API_V2", "enabled": True,
          "has_signature_secret": False, "rate_limit_per_sec": None, "rate_limit_burst": None,
          "sns_verify": True},
         {"enabled": False, "rate_limit_per_sec": 10, "rate_limit_burst": 20, "type": "WEBHOOK"},
         None, "id", ("key", "key_hash", "urls", "signature_secret")),
        ("/api/services/%s/webhooks" % svc,
         {"name": name, "type": "GENERIC", "url": "https://hooks.example.com/x",
          "secret": "s3cret-value"},
         {"name": name, "service_id": svc, "type": "GENERIC", "url": "https://hooks.example.com/x",
          "has_secret": True, "enabled": True, "channel": None},
         {"type": "SLACK", "channel": "#ops", "enabled": False, "secret": None},
         {"type": "SLACK", "channel": "#ops", "enabled": False, "has_secret": False},
         "id", ("secret",)),
        ("/api/teams",
         {"name": name, "description": "the team"},
         {"name": name, "description": "the team", "team_lead_id": None, "member_count": 0},
         {"team_lead_id": u1, "description": None}, None, "id", ()),
        ("/api/teams/%s/members" % p["team"],
         {"user_id": u1},
         {"user_id": u1, "team_id": p["team"], "role": "MEMBER",
          "receive_team_notifications": True},
         {"role": "ADMIN", "receive_team_notifications": False}, None, "user_id", ()),
        ("/api/users",
         {"name": name, "email": name + "@Example.com"},
         {"name": name, "email": name + "@Example.com", "role": "USER", "status": "INVITED",
          "time_zone": "UTC", "phone_number": None, "email_notifications_enabled": False,
          "teams": [], "job_title": None},
         {"time_zone": "Europe/Paris", "phone_number": "+33 1 23 45 67 89", "job_title": "SRE",
          "email_notifications_enabled": True, "role": "RESPONDER"}, None, "id", ()),
        ("/api/escalation-policies",
         {"name": name},
         {"name": name, "description": None, "repeat_count": 0, "repeat_delay_minutes": 15,
          "rules": []},
         {"repeat_count": 2, "repeat_delay_minutes": 30, "description": "d"}, None, "id", ()),
        ("/api/escalation-policies/%s/rules" % p["policy"],
         {"target_type": "USER", "target_user_id": u1, "notification_channels": ["EMAIL"]},
         {"policy_id": p["policy"], "step_order": 0, "delay_minutes": 0, "target_type": "USER",
          "target_user_id": u1, "target_team_id": None, "target_schedule_id": None,
          "notification_channels": ["EMAIL"], "notify_only_team_lead": False},
         {"delay_minutes": 10, "target_type": "TEAM", "target_team_id": p["team"],
          "notify_only_team_lead": True}, None, "id", ()),
        ("/api/schedules",
         {"name": name},
         {"name": name, "time_zone": "UTC", "layers": []},
         {"time_zone": "America/New_York"}, None, "id", ()),
        ("/api/schedules/%s/layers" % p["schedule"],
         {"name": name, "start_at": "2024-01-01T00:00:00Z"},
         {"name": name, "schedule_id": p["schedule"], "start_at": T0, "end_at": None,
          "rotation_length_hours": 24, "shift_length_hours": None, "restrictions": None,
          "priority": 0, "users": []},
         {"restrictions": {"days_of_week": [1, 2, 3, 4, 5], "start_hour": 9, "end_hour": 17},
          "priority": 5, "end_at": "2025-01-01T00:00:00+02:00", "shift_length_hours": 8},
         {"restrictions": {"days_of_week": [1, 2, 3, 4, 5], "start_hour": 9, "end_hour": 17},
          "priority": 5, "end_at": "2024-12-31T22:00:00.000Z", "shift_length_hours": 8},
         "id", ()),
        ("/api/schedules/%s/layers/%s/users" % (p["schedule"], p["layer"]),
         {"user_id": u1},
         {"user_id": u1, "layer_id": p["layer"], "schedule_id": p["schedule"], "position": 0},
         {"position": 3}, None, "user_id", ()),
        ("/api/schedules/%s/overrides" % p["schedule"],
         {"user_id": u1, "start_at": "2024-01-01T10:00:00Z", "end_at": "2024-01-01T12:00:00Z"},
         {"user_id": u1, "schedule_id": p["schedule"], "replaces_user_id": None,
          "start_at": "2024-01-01T10:00:00.000Z", "end_at": "2024-01-01T12:00:00.000Z"},
         {"replaces_user_id": u2, "end_at": "2024-01-01T13:30:00+01:00"},
         {"replaces_user_id": u2, "end_at": "2024-01-01T12:30:00.000Z"}, "id", ()),
        ("/api/status-pages",
         {"name": name},
         {"name": name, "description": None, "enabled": False, "settings": {}, "service_ids": []},
         {"enabled": True, "settings": {"theme": "dark", "show_uptime": True}}, None, "id", ()),
        ("/api/status-pages/%s/services" % p["page"],
         {"service_id": svc},
         {"service_id": svc, "status_page_id": p["page"], "show_on_page": True,
          "display_name": None, "position": 0},
         {"display_name": "Public API", "position": 2, "show_on_page": False}, None,
         "service_id", ()),
        ("/api/status-pages/%s/webhooks" % p["page"],
         {"url": "https://status.example.com/hook", "events": ["incident.created"]},
         {"url": "https://status.example.com/hook", "status_page_id": p["page"],
          "events": ["incident.created"], "enabled": True, "last_triggered_at": None},
         {"events": ["incident.created", "incident.resolved"], "enabled": False}, None, "id",
         ("secret",)),
        ("/api/sla-definitions",
         {"name": name, "target": 99.9, "window": "30d", "metric_type": "UPTIME",
          "service_id": svc},
         {"name": name, "target": 99.9, "window": "30d", "metric_type": "UPTIME",
          "service_id": svc, "team_id": None, "priority": None, "version": 1,
          "active_to": None, "target_ack_time": None},
         {"target": 99.5, "priority": "P1", "window": "quarterly", "target_ack_time": 30},
         {"target": 99.5, "priority": "P1", "window": "quarterly", "target_ack_time": 30,
          "version": 2}, "id", ()),
    ]


def subset(got, want, what):
    diff = {k: (got.get(k, "<absent>"), v) for k, v in want.items() if got.get(k, "<absent>") != v}
    assert not diff, (what, "got/expected", diff)


def test_every_resource_round_trips(s):
    for coll, body, want, patch, want_patched, id_key, hidden in cases(s):
        # create: 201, Location, ETag, defaults filled, times ISO UTC
        r = api(s, "POST", coll, body)
        assert r.status == 201, (coll, r)
        row = r.json()["data"]
        url = coll + "/" + row[id_key]
        assert r.headers.get("location") == url, (coll, r.headers)
        etag = r.headers.get("etag")
        assert etag and etag.startswith('"') and etag.endswith('"'), (coll, r.headers)
        subset(row, want, coll)
        assert row["created_at"].endswith("Z") and row["id"], (coll, row)
        if coll.endswith("/webhooks") and "status-pages" in coll:
            assert len(row["secret"]) == 64, row  # generated, shown once
        # get: the same row, the same ETag, no write-only field
        g = api(s, "GET", url)
        assert g.status == 200, (url, g)
        got = g.json()["data"]
        assert g.headers.get("etag") == etag, (url, etag, g.headers)
        for h in hidden:
            assert h not in got, (url, h, got)
        assert got == {k: v for k, v in row.items() if k not in hidden}, (url, got, row)
        # list: the row is there
        assert row["id"] in [x["id"] for x in list_all(s, coll)], coll
        # patch: the fields round-trip, the ETag moves
        r = api(s, "PATCH", url, patch)
        assert r.status == 200, (url, patch, r)
        patched = r.json()["data"]
        subset(patched, want_patched or {k: v for k, v in patch.items()}, url + " patched")
        assert patched["id"] == row["id"] and patched["created_at"] == row["created_at"]
        assert r.headers.get("etag") and r.headers["etag"] != etag, (url, r.headers)
        if "updated_at" in row:
            assert patched["updated_at"] >= row["updated_at"], (row, patched)
        assert get(s, url) == patched, url
        # delete: 204 without a body, then 404 everywhere
        r = api(s, "DELETE", url)
        assert r.status == 204 and r.body == b"", (url, r)
        assert_error(api(s, "GET", url), 404, "not_found")
        assert_error(api(s, "PATCH", url, patch), 404, "not_found")
        assert_error(api(s, "DELETE", url), 404, "not_found")
        assert row["id"] not in [x["id"] for x in list_all(s, coll)], coll


def test_children_show_in_their_parents(s):
    p = parents(s)
    r1 = created(s, "/api/escalation-policies/%s/rules" % p["policy"],
                 {"target_type": "USER", "target_user_id": p["u1"]})
    r2 = created(s, "/api/escalation-policies/%s/rules" % p["policy"],
                 {"target_type": "USER", "target_user_id": p["u2"], "delay_minutes": 5})
    assert (r1["step_order"], r2["step_order"]) == (0, 1), (r1, r2)  # appended in order
    pol = get(s, "/api/escalation-policies/" + p["policy"])
    assert [r["id"] for r in pol["rules"]] == [r1["id"], r2["id"]], pol
    assert "policy_id" not in pol["rules"][0], pol

    created(s, "/api/schedules/%s/layers/%s/users" % (p["schedule"], p["layer"]),
            {"user_id": p["u2"], "position": 1})
    created(s, "/api/schedules/%s/layers/%s/users" % (p["schedule"], p["layer"]),
            {"user_id": p["u1"], "position": 0})
    sched = get(s, "/api/schedules/" + p["schedule"])
    assert [u["user_id"] for u in sched["layers"][0]["users"]] == [p["u1"], p["u2"]], sched

    created(s, "/api/teams/%s/members" % p["team"], {"user_id": p["u1"], "role": "OWNER"})
    assert get(s, "/api/teams/" + p["team"])["member_count"] == 1
    assert get(s, "/api/users/" + p["u1"])["teams"] == [{"team_id": p["team"], "role": "OWNER"}]
    members = get(s, "/api/teams/%s/members" % p["team"])
    assert [m["user_id"] for m in members] == [p["u1"]], members

    created(s, "/api/status-pages/%s/services" % p["page"], {"service_id": p["svc"]})
    assert get(s, "/api/status-pages/" + p["page"])["service_ids"] == [p["svc"]]

    # list filters and search
    mine = get(s, "/api/services?team_id=%s" % p["team"])
    assert mine == [], mine
    api(s, "PATCH", "/api/services/" + p["svc"], {"team_id": p["team"], "status": "MAINTENANCE"})
    assert [x["id"] for x in get(s, "/api/services?team_id=%s" % p["team"])] == [p["svc"]]
    assert [x["id"] for x in get(s, "/api/services?status=MAINTENANCE&team_id=" + p["team"])] \
        == [p["svc"]]
    assert get(s, "/api/services?status=DEGRADED&team_id=" + p["team"]) == []
    name = get(s, "/api/services/" + p["svc"])["name"]
    assert [x["id"] for x in get(s, "/api/services?q=" + name.upper())] == [p["svc"]]
    # the other resources' filters
    assert [x["id"] for x in get(s, "/api/users?role=USER&status=ACTIVE&q=" +
                                 get(s, "/api/users/" + p["u1"])["email"])] == [p["u1"]]
    assert get(s, "/api/users?role=ADMIN&q=" + get(s, "/api/users/" + p["u1"])["name"]) == []
    ov = created(s, "/api/schedules/%s/overrides" % p["schedule"],
                 {"user_id": p["u2"], "start_at": T0, "end_at": "2024-01-02T00:00:00Z"})["id"]
    created(s, "/api/schedules/%s/overrides" % p["schedule"],
            {"user_id": p["u1"], "start_at": T0, "end_at": "2024-01-02T00:00:00Z"})
    assert [x["id"] for x in get(s, "/api/schedules/%s/overrides?user_id=%s"
                                 % (p["schedule"], p["u2"]))] == [ov]
    sla = created(s, "/api/sla-definitions", {"name": uniq("sla"), "target": 90, "window": "7d",
                                               "metric_type": "MTTR", "service_id": p["svc"]})
    assert [x["id"] for x in get(s, "/api/sla-definitions?service_id=" + p["svc"])] == [sla["id"]]
    assert_error(api(s, "GET", "/api/users?role=root"), 400, "invalid_parameter", "role")
    assert_error(api(s, "GET", "/api/notifications?read=1"), 400, "invalid_parameter", "read")

    assert_error(api(s, "GET", "/api/services?status=BROKEN"), 400, "invalid_parameter",
                 "status")
    assert_error(api(s, "GET", "/api/services?team_id=nope"), 400, "invalid_parameter", "team_id")


# --- validation ------------------------------------------------------------------------------

def check_table(s, table):
    """Sends each (path, body, code, field) (POST, or PATCH when the path starts with "PATCH ")
    and expects 422 code naming field; reports every miss at once."""
    failures = []
    for path, body, code, field in table:
        method = "POST"
        if path.startswith("PATCH "):
            method, path = "PATCH", path[6:]
        r = api(s, method, path, body)
        try:
            assert_error(r, 422, code, *([field] if field else []))
        except AssertionError as e:
            failures.append("%s %s %s: %s" % (method, path, body, e))
    assert not failures, " | ".join(failures)


def test_validation_errors_name_the_field(s):
    p = parents(s)
    svc, sched, pol, page = p["svc"], p["schedule"], p["policy"], p["page"]
    layer_coll = "/api/schedules/%s/layers" % sched
    n = uniq("v")
    L = {"name": "L", "start_at": "2024-01-01T00:00:00Z"}
    O = {"user_id": p["u1"], "start_at": "2024-01-01T10:00:00Z", "end_at": "2024-01-01T12:00:00Z"}
    U = {"name": n, "email": n + "@example.com"}
    SLA = {"name": n, "target": 99, "window": "30d", "metric_type": "MTTA"}
    HOOK = {"url": "https://x.example.com/h", "events": ["incident.created"]}
    table = [
        # (path, body, code, field) — POST unless the path starts with "PATCH "
        ("/api/services", {"name": 5}, "invalid_field", "name"),
        ("/api/services", {"name": n, "bogus": 1}, "unknown_field", "bogus"),
        ("/api/services", {"description": "no name"}, "missing_field", "name"),
        ("/api/services", {"name": ""}, "invalid_field", "name"),
        ("/api/services", {"name": " \t "}, "invalid_field", "name"),
        ("/api/services", {"name": "x" * 101}, "invalid_field", "name"),
        ("/api/services", {"name": None}, "invalid_field", "name"),
        ("/api/services", {"name": n, "status": "BROKEN"}, "invalid_field", "status"),
        ("/api/services", {"name": n, "status": "operational"}, "invalid_field", "status"),
        ("/api/services", {"name": n, "target_ack_minutes": 0}, "invalid_field",
         "target_ack_minutes"),
        ("/api/services", {"name": n, "target_ack_minutes": 10081}, "invalid_field",
         "target_ack_minutes"),
        ("/api/services", {"name": n, "target_ack_minutes": "5"}, "invalid_field",
         "target_ack_minutes"),
        ("/api/services", {"name": n, "target_resolve_minutes": 1.5}, "invalid_field",
         "target_resolve_minutes"),
        ("/api/services", {"name": n, "target_ack_minutes": 2 ** 40}, "invalid_field",
         "target_ack_minutes"),
        ("/api/services", {"name": n, "notify_on_triggered": "yes"}, "invalid_field",
         "notify_on_triggered"),
        ("/api/services", {"name": n, "notification_channels": ["PIGEON"]}, "invalid_field",
         "notification_channels"),
        ("/api/services", {"name": n, "notification_channels": "EMAIL"}, "invalid_field",
         "notification_channels"),
        ("/api/services", {"name": n, "notification_channels": ["EMAIL", "EMAIL"]},
         "invalid_field", "notification_channels"),
        ("/api/services", {"name": n, "webhook_url": "ftp://example.com/x"}, "invalid_field",
         "webhook_url"),
        ("/api/services", {"name": n, "webhook_url": "not a url"}, "invalid_field",
         "webhook_url"),
        ("/api/services", {"name": n, "webhook_url": "https://"}, "invalid_field", "webhook_url"),
        ("/api/services", {"name": n, "slack_webhook_url": "https://a b.example.com"},
         "invalid_field", "slack_webhook_url"),
        ("/api/services", {"name": n, "team_id": "team-1"}, "invalid_field", "team_id"),
        ("/api/services", {"name": n, "team_id": p["u1"]}, "invalid_field", "team_id"),
        ("/api/services", {"name": n, "escalation_policy_id": svc}, "invalid_field",
         "escalation_policy_id"),
        ("PATCH /api/services/" + svc, {}, "no_fields", None),
        ("PATCH /api/services/" + svc, {"id": svc}, "unknown_field", "id"),
        ("PATCH /api/services/" + svc, {"created_at": "2024-01-01T00:00:00Z"}, "unknown_field",
         "created_at"),
        ("PATCH /api/services/" + svc, {"status": None}, "invalid_field", "status"),
        ("/api/services/%s/integrations" % svc, {"name": n, "rate_limit_per_sec": 0},
         "invalid_field", "rate_limit_per_sec"),
        ("/api/services/%s/integrations" % svc, {"name": n, "enabled": 1}, "invalid_field",
         "enabled"),
        ("/api/services/%s/integrations" % svc, {"name": n, "key": "mine"}, "unknown_field",
         "key"),
        ("/api/services/%s/webhooks" % svc, {"name": n, "type": "CARRIER_PIGEON",
                                             "url": "https://x.example.com"},
         "invalid_field", "type"),
        ("/api/services/%s/webhooks" % svc, {"name": n, "type": "GENERIC"}, "missing_field",
         "url"),
        ("/api/services/%s/webhooks" % svc, {"name": n, "type": "GENERIC",
                                             "url": "javascript:alert(1)"},
         "invalid_field", "url"),
        ("/api/services/%s/webhooks" % svc, {"name": n, "type": "TELEGRAM",
                                             "url": "https://api.telegram.org/botX/sendMessage"},
         "missing_field", "channel"),
        ("/api/users", dict(U, email="nobody"), "invalid_field", "email"),
        ("/api/users", dict(U, email="a@b"), "invalid_field", "email"),
        ("/api/users", dict(U, email="a b@example.com"), "invalid_field", "email"),
        ("/api/users", dict(U, email="a@@example.com"), "invalid_field", "email"),
        ("/api/users", {"name": n}, "missing_field", "email"),
        ("/api/users", dict(U, role="ROOT"), "invalid_field", "role"),
        ("/api/users", dict(U, time_zone="Mars/Olympus_Mons"), "invalid_field", "time_zone"),
        ("/api/users", dict(U, phone_number="1"), "invalid_field", "phone_number"),
        ("PATCH /api/users/" + p["u1"], {"time_zone": "Europe/Nowhere"}, "invalid_field",
         "time_zone"),
        ("/api/schedules", {"name": n, "time_zone": "Not/AZone"}, "invalid_field", "time_zone"),
        ("/api/schedules", {"name": n, "time_zone": "utc+2"}, "invalid_field", "time_zone"),
        ("PATCH /api/schedules/" + sched, {"time_zone": ""}, "invalid_field", "time_zone"),
        (layer_coll, dict(L, start_at="2024-01-01T00:00:00"), "invalid_field", "start_at"),
        (layer_coll, dict(L, start_at="2024-01-01"), "invalid_field", "start_at"),
        (layer_coll, dict(L, start_at="yesterday"), "invalid_field", "start_at"),
        (layer_coll, dict(L, start_at=1704067200), "invalid_field", "start_at"),
        (layer_coll, dict(L, end_at="2024-02-01T00:00"), "invalid_field", "end_at"),
        (layer_coll, {"name": "L"}, "missing_field", "start_at"),
        (layer_coll, dict(L, rotation_length_hours=0), "invalid_field", "rotation_length_hours"),
        (layer_coll, dict(L, restrictions="9-17"), "invalid_field", "restrictions"),
        (layer_coll, dict(L, restrictions=[1, 2]), "invalid_field", "restrictions"),
        (layer_coll, dict(L, restrictions={"days_of_week": [7]}), "invalid_field",
         "restrictions"),
        (layer_coll, dict(L, restrictions={"days_of_week": "MON"}), "invalid_field",
         "restrictions"),
        (layer_coll, dict(L, restrictions={"days_of_week": ["1"]}), "invalid_field",
         "restrictions"),
        (layer_coll, dict(L, restrictions={"start_hour": 24}), "invalid_field", "restrictions"),
        (layer_coll, dict(L, restrictions={"start_hour": 9.5}), "invalid_field",
         "restrictions"),
        (layer_coll, dict(L, restrictions={"end_hour": "17"}), "invalid_field", "restrictions"),
        (layer_coll, dict(L, restrictions={"weekends": True}), "invalid_field", "restrictions"),
        ("/api/schedules/%s/overrides" % sched, dict(O, replaces_user_id=p["u1"]),
         "invalid_field", "replaces_user_id"),
        ("/api/schedules/%s/overrides" % sched, dict(O, start_at="2024-01-01 10:00"),
         "invalid_field", "start_at"),
        ("/api/escalation-policies/%s/rules" % pol, {"target_type": "USER"}, "invalid_field",
         "target_user_id"),
        ("/api/escalation-policies/%s/rules" % pol, {"target_type": "USER",
                                                     "target_team_id": p["team"]},
         "invalid_field", "target_user_id"),
        ("/api/escalation-policies/%s/rules" % pol, {"target_type": "TEAM"}, "invalid_field",
         "target_team_id"),
        ("/api/escalation-policies/%s/rules" % pol, {"target_type": "SCHEDULE"},
         "invalid_field", "target_schedule_id"),
        ("/api/escalation-policies/%s/rules" % pol, {"target_type": "ROBOT"}, "invalid_field",
         "target_type"),
        ("/api/escalation-policies/%s/rules" % pol, {"target_user_id": p["u1"]},
         "missing_field", "target_type"),
        ("/api/escalation-policies/%s/rules" % pol, {"target_type": "USER",
                                                     "target_user_id": p["u1"],
                                                     "delay_minutes": -1},
         "invalid_field", "delay_minutes"),
        ("/api/escalation-policies", {"name": n, "repeat_count": 101}, "invalid_field",
         "repeat_count"),
        ("/api/status-pages/%s/webhooks" % page, dict(HOOK, events=["incident.exploded"]),
         "invalid_field", "events"),
        ("/api/status-pages/%s/webhooks" % page, dict(HOOK, events=[]), "invalid_field",
         "events"),
        ("/api/status-pages/%s/webhooks" % page, {"url": HOOK["url"]}, "missing_field",
         "events"),
        ("/api/status-pages/%s/webhooks" % page, dict(HOOK, secret="short"), "invalid_field",
         "secret"),
        ("/api/status-pages", {"name": n, "settings": "dark"}, "invalid_field", "settings"),
        ("/api/sla-definitions", dict(SLA, target=101), "invalid_field", "target"),
        ("/api/sla-definitions", dict(SLA, target="99"), "invalid_field", "target"),
        ("/api/sla-definitions", dict(SLA, window="1d"), "invalid_field", "window"),
        ("/api/sla-definitions", {k: v for k, v in SLA.items() if k != "metric_type"},
         "missing_field", "metric_type"),
        ("/api/sla-definitions", dict(SLA, priority="P9"), "invalid_field", "priority"),
        ("/api/api-keys", {"name": n, "scopes": ["root"]}, "invalid_field", "scopes"),
        ("/api/api-keys", {"name": n, "scopes": []}, "invalid_field", "scopes"),
        ("/api/teams/%s/members" % p["team"], {"user_id": svc}, "invalid_field", "user_id"),
        ("/api/teams/%s/members" % p["team"], {"user_id": p["u1"], "role": "KING"},
         "invalid_field", "role"),
    ]
    check_table(s, table)
    # nothing refused was written
    assert count(s, "service", "name = :'n'", n=n) == 0
    assert count(s, "app_user", "name = :'n'", n=n) == 0
    assert count(s, "oncall_override", "schedule_id = :'s'", s=sched) == 0
    assert count(s, "escalation_rule", "policy_id = :'p'", p=pol) == 0
    assert count(s, "status_page_webhook", "status_page_id = :'p'", p=page) == 0
    assert count(s, "oncall_layer", "schedule_id = :'s'", s=sched) == 1  # parents()' own layer
    assert get(s, "/api/services/" + svc)["status"] == "OPERATIONAL"


def test_ids_the_url_names_cannot_change(s):
    p = parents(s)
    other = service(s)["id"]
    member = "/api/teams/%s/members" % p["team"]
    lu = "/api/schedules/%s/layers/%s/users" % (p["schedule"], p["layer"])
    ps = "/api/status-pages/%s/services" % p["page"]
    created(s, member, {"user_id": p["u1"]})
    created(s, lu, {"user_id": p["u1"]})
    created(s, ps, {"service_id": p["svc"]})
    check_table(s, [
        ("PATCH %s/%s" % (member, p["u1"]), {"user_id": p["u2"]}, "invalid_field", "user_id"),
        ("PATCH %s/%s" % (lu, p["u1"]), {"user_id": p["u2"]}, "invalid_field", "user_id"),
        ("PATCH %s/%s" % (ps, p["svc"]), {"service_id": other}, "invalid_field", "service_id"),
    ])
    assert [m["user_id"] for m in get(s, member)] == [p["u1"]]
    assert [m["user_id"] for m in get(s, lu)] == [p["u1"]]
    assert [m["service_id"] for m in get(s, ps)] == [p["svc"]]


def test_checks_of_the_store_name_the_field(s):
    """Refusals that come from the table (CHECK end_at > start_at, a date the database rejects)
    are 422s too and must name the field like the responder's own checks do."""
    p = parents(s)
    sched = p["schedule"]
    O = {"user_id": p["u1"], "start_at": "2024-01-01T10:00:00Z", "end_at": "2024-01-01T12:00:00Z"}
    SLA = {"name": uniq("v"), "target": 99, "window": "30d", "metric_type": "MTTA"}
    check_table(s, [
        ("/api/schedules/%s/layers" % sched, {"name": "L", "start_at": "2024-01-01T00:00:00Z",
                                              "end_at": "2023-12-31T00:00:00Z"},
         "invalid_field", "end_at"),
        ("/api/schedules/%s/overrides" % sched, dict(O, end_at="2024-01-01T09:00:00Z"),
         "invalid_field", "end_at"),
        ("/api/schedules/%s/overrides" % sched, dict(O, end_at=O["start_at"]),
         "invalid_field", "end_at"),
        ("/api/sla-definitions", dict(SLA, active_from="2024-13-01T00:00:00Z"),
         "invalid_field", "active_from"),
        ("/api/sla-definitions", dict(SLA, active_from="2024-02-30T00:00:00Z"),
         "invalid_field", "active_from"),
    ])
    assert count(s, "oncall_override", "schedule_id = :'s'", s=sched) == 0


def test_cache_control_is_private(s):
    """Every answer carries Cache-Control: no-store (resp.c): answers hold secrets and rows a
    shared cache must never keep."""
    svc = service(s)["id"]
    for method, path in (("GET", "/api/services/" + svc), ("GET", "/api/services"),
                         ("PATCH", "/api/services/" + svc)):
        r = api(s, method, path, {"region": "x"} if method == "PATCH" else None)
        assert r.status == 200, r
        assert r.headers.get("cache-control") == "no-store", (method, path, r.headers)


def test_bodies_that_are_not_objects(s):
    for body, ctype, status, code in (
            ("[]", "application/json", 422, "invalid_body"),
            ('"name"', "application/json", 422, "invalid_body"),
            ("{\"name\":", "application/json", 400, "invalid_json"),
            ("", "application/json", 400, "invalid_json"),
            ("name=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type")):
        r = api(s, "POST", "/api/services", body, headers={"Content-Type": ctype})
        assert_error(r, status, code)


def test_sql_metacharacters_stored_verbatim(s):
    tricky = "x'); DROP TABLE service;-- %s" % uniq("")
    desc = "quote ' double \" backslash \\ percent % underscore _ semicolon ; $$ dollar\n-- c"
    row = service(s, name=tricky, description=desc, region="%_\\")
    assert (row["name"], row["description"], row["region"]) == (tricky, desc, "%_\\"), row
    assert s.psql("SELECT name, description FROM service WHERE id = :'i'", i=row["id"]) == \
        [(tricky, desc)]
    assert get(s, "/api/services/" + row["id"])["name"] == tricky
    assert count(s, "service", "true") > 0  # still there
    # search takes the text literally: % and _ are not wildcards
    q = urllib.parse.quote(tricky)
    assert [x["id"] for x in get(s, "/api/services?q=" + q)] == [row["id"]]
    u = uniq("wild")
    pct = service(s, name=u + "-a%b")["id"]
    under = service(s, name=u + "-c_d")["id"]
    plain = service(s, name=u + "-axb-cxd")["id"]

    def search(text):
        return {x["id"] for x in get(s, "/api/services?limit=200&q=" + urllib.parse.quote(text))}
    assert search(u + "-a%b") == {pct}  # as a wildcard, % would also match "axb"
    assert search(u + "-c_d") == {under}  # and _ "cxd"
    assert search(u) == {pct, under, plain}
    # in a patch too
    # control characters are dropped, newlines only kept where multiline
    r = api(s, "PATCH", "/api/services/" + row["id"], {"region": "eu\x00-\x07west\n1"})
    assert r.status == 200 and r.json()["data"]["region"] == "eu-west1", r


def test_big_body_refused(s):
    name = uniq("big")
    body = '{"name": "%s", "description": "%s"}' % (name, "a" * (1024 * 1024))
    r = api(s, "POST", "/api/services", body)
    assert_error(r, 413, "payload_too_large")
    assert count(s, "service", "name = :'n'", n=name) == 0
    # and a long field under the limit is a 422 naming it, not a 500
    r = api(s, "POST", "/api/services", {"name": name, "description": "a" * 1001})
    assert_error(r, 422, "invalid_field", "description")


def test_non_uuid_ids_are_404(s):
    svc = service(s)["id"]
    bad = ["not-a-uuid", "1", "1%20OR%201=1", "%27%3B--", "00000000-0000-0000-0000-00000000000g",
           svc + "x", svc[:-1]]
    paths = []
    for b in bad:
        paths += ["/api/services/" + b, "/api/teams/" + b, "/api/users/" + b,
                  "/api/escalation-policies/" + b, "/api/schedules/" + b,
                  "/api/status-pages/" + b, "/api/api-keys/" + b, "/api/sla-definitions/" + b,
                  "/api/services/%s/integrations/%s" % (svc, b),
                  "/api/services/%s/integrations" % b, "/api/schedules/%s/layers" % b]
    for path in paths:
        for method in ("GET", "PATCH", "DELETE"):
            if method != "GET" and path.endswith(("/integrations", "/layers")):
                continue
            if method == "PATCH" and "/api-keys/" in path:
                continue
            r = api(s, method, path, {"name": "x"} if method == "PATCH" else None)
            assert_error(r, 404, "not_found")
    # a well-formed id that names nothing
    ghost = "00000000-0000-4000-8000-000000000000"
    for path in ("/api/services/", "/api/teams/", "/api/users/", "/api/schedules/",
                 "/api/escalation-policies/", "/api/status-pages/", "/api/api-keys/",
                 "/api/sla-definitions/"):
        assert_error(api(s, "GET", path + ghost), 404, "not_found")
        assert_error(api(s, "DELETE", path + ghost), 404, "not_found")
    assert_error(api(s, "POST", "/api/services/%s/integrations/%s/rotate-key" % (svc, "zz")),
                 404, "not_found")
    assert_error(api(s, "POST", "/api/services/%s/integrations/%s/rotate-key" % (svc, ghost)),
                 404, "not_found")


def test_unknown_parent_is_404(s):
    ghost = "00000000-0000-4000-8000-000000000001"
    p = parents(s)
    children = [
        ("/api/services/%s/integrations" % ghost, {"name": uniq("i")}, "service"),
        ("/api/services/%s/webhooks" % ghost, {"name": uniq("w"), "type": "GENERIC",
                                               "url": "https://x.example.com"}, "service"),
        ("/api/teams/%s/members" % ghost, {"user_id": p["u1"]}, "team"),
        ("/api/escalation-policies/%s/rules" % ghost, {"target_type": "USER",
                                                       "target_user_id": p["u1"]}, "policy"),
        ("/api/schedules/%s/layers" % ghost, {"name": "L", "start_at": T0}, "schedule"),
        ("/api/schedules/%s/overrides" % ghost, {"user_id": p["u1"], "start_at": T0,
                                                 "end_at": "2024-01-02T00:00:00Z"}, "schedule"),
        ("/api/schedules/%s/layers/%s/users" % (p["schedule"], ghost), {"user_id": p["u1"]},
         "layer"),
        ("/api/schedules/%s/layers/%s/users" % (ghost, p["layer"]), {"user_id": p["u1"]},
         "not found"),
        ("/api/status-pages/%s/services" % ghost, {"service_id": p["svc"]}, "status page"),
        ("/api/status-pages/%s/webhooks" % ghost, {"url": "https://x.example.com",
                                                   "events": ["incident.created"]},
         "status page"),
    ]
    for coll, body, label in children:
        assert_error(api(s, "GET", coll), 404, "not_found", label)
        assert_error(api(s, "POST", coll, body), 404, "not_found", label)
    # a child reached through the wrong parent is not found either
    other = service(s)["id"]
    i = created(s, "/api/services/%s/integrations" % p["svc"], {"name": uniq("i")})
    assert_error(api(s, "GET", "/api/services/%s/integrations/%s" % (other, i["id"])), 404,
                 "not_found")
    assert_error(api(s, "DELETE", "/api/services/%s/integrations/%s" % (other, i["id"])), 404,
                 "not_found")
    assert get(s, "/api/services/%s/integrations/%s" % (p["svc"], i["id"]))["id"] == i["id"]
    # nothing was written under the ghosts
    assert count(s, "integration", "service_id = :'g'", g=ghost) == 0
    assert count(s, "oncall_layer_user", "layer_id = :'l'", l=p["layer"]) == 0


def test_duplicates_are_409_naming_the_column(s):
    p = parents(s)
    name = get(s, "/api/services/" + p["svc"])["name"]
    assert_error(api(s, "POST", "/api/services", {"name": name}), 409, "conflict", "name")
    other = service(s)
    assert_error(api(s, "PATCH", "/api/services/" + other["id"], {"name": name}), 409,
                 "conflict", "name")
    assert get(s, "/api/services/" + other["id"])["name"] == other["name"]
    u = get(s, "/api/users/" + p["u1"])
    assert_error(api(s, "POST", "/api/users", {"name": "dup", "email": u["email"]}), 409,
                 "conflict", "email")
    assert_error(api(s, "POST", "/api/users", {"name": "dup", "email": u["email"].upper()}), 409,
                 "conflict", "email")  # one address whatever its case
    tname = get(s, "/api/teams/" + p["team"])["name"]
    assert_error(api(s, "POST", "/api/teams", {"name": tname}), 409, "conflict", "name")
    for coll, body, col in (
            ("/api/teams/%s/members" % p["team"], {"user_id": p["u1"]}, "user_id"),
            ("/api/schedules/%s/layers/%s/users" % (p["schedule"], p["layer"]),
             {"user_id": p["u1"]}, "user_id"),
            ("/api/status-pages/%s/services" % p["page"], {"service_id": p["svc"]},
             "service_id")):
        created(s, coll, body)
        assert_error(api(s, "POST", coll, body), 409, "conflict", col)
    wh = {"name": uniq("wh"), "type": "GENERIC", "url": "https://x.example.com"}
    created(s, "/api/services/%s/webhooks" % p["svc"], wh)
    assert_error(api(s, "POST", "/api/services/%s/webhooks" % p["svc"], wh), 409, "conflict",
                 "name")
    assert count(s, "service", "name = :'n'", n=name) == 1
