"""Who may read and write the configuration resources (issue 5, spec §0): no key, bad key,
revoked key (revoked through DELETE /api/api-keys/{id}), inactive user, missing scope, the USER
role limited to its teams' services, writes limited by role (USER cannot write services; only an
ADMIN creates users or changes a role), API keys handed out only with the scopes the creating key
holds, /api/users/me, and the API key lifecycle (token shown once)."""

from test_resources_lib import (_fx, admin_token, api, assert_error, created, get, list_all,
                                service, team, uniq, user)


def test_missing_bad_and_revoked_keys(s):
    for h in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic dXNlcjpwYXNz"},
              {"X-API-Key": "  "}):
        r = s.http("GET", "/api/services", headers=h)
        assert_error(r, 401, "missing_credentials")
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers
    for bad in ("garbage", "ok_" + "A" * 43, admin_token(s)[:-2] + "zz"):
        assert_error(api(s, "GET", "/api/services", key=bad), 401, "invalid_api_key")
    # an integration key is not an API key
    svc = service(s)["id"]
    ikey = created(s, "/api/services/%s/integrations" % svc, {"name": uniq("i")})["key"]
    assert_error(api(s, "GET", "/api/services", key=ikey), 401, "invalid_api_key")

    # the three places a token may be presented
    k = created(s, "/api/api-keys", {"name": uniq("k"), "scopes": ["services:read"]})
    tok = k["token"]
    for h in ({"Authorization": "Bearer " + tok}, {"Authorization": "Api-Key " + tok},
              {"authorization": "bearer " + tok}, {"X-API-Key": tok}):
        r = s.http("GET", "/api/services/" + svc, headers=h)
        assert r.status == 200, (h, r)

    # revoked through the API, then refused on every route
    r = api(s, "DELETE", "/api/api-keys/" + k["id"])
    assert r.status == 200 and r.json()["data"]["revoked_at"], r
    for path in ("/api/services", "/api/services/" + svc, "/api/api-keys", "/api/users/me"):
        assert_error(api(s, "GET", path, key=tok), 401, "api_key_revoked")
    assert_error(api(s, "POST", "/api/services", {"name": uniq("svc")}, key=tok), 401,
                 "api_key_revoked")


def test_key_of_an_inactive_user_is_refused(s):
    u = user(s, "RESPONDER", scopes=["services:read"])
    assert api(s, "GET", "/api/services", key=u["token"]).status == 200
    r = api(s, "PATCH", "/api/users/" + u["id"], {"status": "DISABLED"})
    assert r.status == 200, r
    assert_error(api(s, "GET", "/api/services", key=u["token"]), 401, "user_inactive")
    api(s, "PATCH", "/api/users/" + u["id"], {"status": "ACTIVE"})
    assert api(s, "GET", "/api/services", key=u["token"]).status == 200


def test_missing_scope_is_403(s):
    svc = service(s)["id"]
    sched = created(s, "/api/schedules", {"name": uniq("sched")})["id"]
    keys = {}
    for scopes in (["incidents:read", "incidents:write", "events:write"], ["services:read"],
                   ["services:write"], ["schedules:read"], ["services:read", "services:write"]):
        keys[",".join(scopes)] = user(s, "ADMIN", scopes=scopes)["token"]
    table = [
        # (key scopes, method, path, body, the scope the message names)
        ("incidents:read,incidents:write,events:write", "GET", "/api/services", None,
         "services:read"),
        ("incidents:read,incidents:write,events:write", "GET", "/api/schedules", None,
         "schedules:read"),
        ("incidents:read,incidents:write,events:write", "GET", "/api/users/me", None,
         "services:read"),
        ("services:read", "POST", "/api/services", {"name": uniq("x")}, "services:write"),
        ("services:read", "PATCH", "/api/services/" + svc, {"region": "x"}, "services:write"),
        ("services:read", "DELETE", "/api/services/" + svc, None, "services:write"),
        ("services:read", "POST", "/api/services/%s/integrations/%s/rotate-key"
         % (svc, "00000000-0000-4000-8000-000000000000"), None, "services:write"),
        ("services:read", "GET", "/api/schedules/" + sched, None, "schedules:read"),
        ("services:read", "GET", "/api/sla-definitions", None, "analytics:read"),
        ("services:write", "GET", "/api/services", None, "services:read"),
        ("services:read,services:write", "POST", "/api/teams", {"name": uniq("t")}, "admin"),
        ("services:read,services:write", "POST", "/api/status-pages", {"name": uniq("p")},
         "admin"),
        ("schedules:read", "POST", "/api/schedules", {"name": uniq("s")}, "schedules:write"),
        ("schedules:read", "POST", "/api/schedules/%s/layers" % sched,
         {"name": "L", "start_at": "2024-01-01T00:00:00Z"}, "schedules:write"),
    ]
    for scopes, method, path, body, scope in table:
        r = api(s, method, path, body, key=keys[scopes])
        assert_error(r, 403, "scope_missing", scope)
    # user writes need schedules:write, then role and the admin scope together (403 forbidden)
    assert_error(api(s, "POST", "/api/users", {"name": "x", "email": uniq("x") + "@example.com"},
                     key=keys["services:read,services:write"]), 403, "scope_missing",
                 "schedules:write")
    sw = user(s, "ADMIN", scopes=["schedules:write"])["token"]
    assert_error(api(s, "POST", "/api/users", {"name": "x", "email": uniq("x") + "@example.com"},
                     key=sw), 403, "forbidden")
    # what each may do
    assert api(s, "GET", "/api/schedules/" + sched, key=keys["schedules:read"]).status == 200
    assert api(s, "GET", "/api/teams", key=keys["services:read"]).status == 200
    assert api(s, "GET", "/api/users/me", key=keys["services:read"]).status == 200
    for k in keys.values():  # one's own keys and notifications need no scope
        assert api(s, "GET", "/api/api-keys", key=k).status == 200
        assert api(s, "GET", "/api/notifications", key=k).status == 200
    assert get(s, "/api/services/" + svc)["region"] is None  # nothing was written


def test_user_role_sees_only_its_teams(s):
    ta, tb = team(s), team(s)
    a = service(s, team_id=ta)["id"]
    b = service(s, team_id=tb)["id"]
    none = service(s)["id"]
    ia = created(s, "/api/services/%s/integrations" % a, {"name": uniq("i")})["id"]
    ib = created(s, "/api/services/%s/integrations" % b, {"name": uniq("i")})["id"]
    wb = created(s, "/api/services/%s/webhooks" % b, {"name": uniq("w"), "type": "GENERIC",
                                                      "url": "https://x.example.com"})["id"]
    sla_a = created(s, "/api/sla-definitions", {"name": uniq("sla"), "target": 99,
                                                "window": "7d", "metric_type": "MTTA",
                                                "service_id": a})["id"]
    sla_b = created(s, "/api/sla-definitions", {"name": uniq("sla"), "target": 99,
                                                "window": "7d", "metric_type": "MTTA",
                                                "service_id": b})["id"]
    scopes = ["services:read", "services:write", "analytics:read"]
    usr = user(s, "USER", team=ta, scopes=scopes)["token"]
    resp = user(s, "RESPONDER", scopes=scopes)["token"]

    ids = {x["id"] for x in list_all(s, "/api/services", key=usr)}
    assert a in ids and b not in ids and none not in ids, (a, b, none)
    assert get(s, "/api/services/" + a, key=usr)["id"] == a
    assert_error(api(s, "GET", "/api/services/" + b, key=usr), 404, "not_found")
    assert [x["id"] for x in get(s, "/api/services/%s/integrations" % a, key=usr)] == [ia]
    assert_error(api(s, "GET", "/api/services/%s/integrations" % b, key=usr), 404, "not_found")
    assert_error(api(s, "GET", "/api/services/%s/integrations/%s" % (b, ib), key=usr), 404,
                 "not_found")
    assert_error(api(s, "GET", "/api/services/%s/webhooks/%s" % (b, wb), key=usr), 404,
                 "not_found")
    assert get(s, "/api/services?team_id=" + tb, key=usr) == []
    slas = {x["id"] for x in list_all(s, "/api/sla-definitions", key=usr)}
    assert sla_a in slas and sla_b not in slas, slas
    assert_error(api(s, "GET", "/api/sla-definitions/" + sla_b, key=usr), 404, "not_found")

    # a USER cannot write services, not even its own team's
    assert_error(api(s, "POST", "/api/services", {"name": uniq("svc"), "team_id": ta}, key=usr),
                 403, "forbidden")
    assert_error(api(s, "PATCH", "/api/services/" + a, {"region": "x"}, key=usr), 403,
                 "forbidden")
    assert_error(api(s, "DELETE", "/api/services/" + a, key=usr), 403, "forbidden")
    assert_error(api(s, "POST", "/api/services/%s/integrations" % a, {"name": uniq("i")},
                     key=usr), 403, "forbidden")
    assert_error(api(s, "POST", "/api/services/%s/integrations/%s/rotate-key" % (a, ia),
                     key=usr), 403, "forbidden")
    # … nor write another team's (which it cannot even see)
    assert api(s, "PATCH", "/api/services/" + b, {"region": "x"}, key=usr).status in (403, 404)
    assert get(s, "/api/services/" + a)["region"] is None

    # RESPONDER and ADMIN see and write everything
    for k in (resp, admin_token(s)):
        ids = {x["id"] for x in list_all(s, "/api/services", key=k)}
        assert {a, b, none} <= ids
        assert get(s, "/api/services/%s/integrations/%s" % (b, ib), key=k)["id"] == ib
        assert get(s, "/api/sla-definitions/" + sla_b, key=k)["id"] == sla_b
    r = api(s, "PATCH", "/api/services/" + b, {"region": "resp"}, key=resp)
    assert r.status == 200 and r.json()["data"]["region"] == "resp", r
    assert api(s, "POST", "/api/services", {"name": uniq("svc")}, key=resp).status == 201


def test_user_role_sees_its_teams_sla_definitions(s):
    """An SLA definition may name a team instead of a service; a USER of that team sees it,
    a USER of another team does not."""
    ta, tb = team(s), team(s)
    scopes = ["analytics:read"]
    mine = user(s, "USER", team=ta, scopes=scopes)["token"]
    theirs = user(s, "USER", team=tb, scopes=scopes)["token"]
    sla = created(s, "/api/sla-definitions", {"name": uniq("sla"), "target": 99, "window": "7d",
                                               "metric_type": "MTTR", "team_id": ta})["id"]
    assert_error(api(s, "GET", "/api/sla-definitions/" + sla, key=theirs), 404, "not_found")
    assert sla not in {x["id"] for x in list_all(s, "/api/sla-definitions", key=theirs)}
    assert sla in {x["id"] for x in list_all(s, "/api/sla-definitions", key=mine)}, \
        "a USER of the team does not see the team's SLA definition " + sla
    assert get(s, "/api/sla-definitions/" + sla, key=mine)["team_id"] == ta


def test_contact_details_are_private(s):
    """A user's phone number is shown to the user and to ADMINs only."""
    other = user(s, "USER", phone_number="+1 555 0100")
    me = user(s, "RESPONDER", scopes=["services:read"], phone_number="+1 555 0199")
    k = me["token"]
    assert "phone_number" not in get(s, "/api/users/" + other["id"], key=k)
    listed = [x for x in get(s, "/api/users?q=" + other["email"], key=k)]
    assert [x["id"] for x in listed] == [other["id"]] and "phone_number" not in listed[0], listed
    assert get(s, "/api/users/me", key=k)["phone_number"] == "+1 555 0199"
    assert get(s, "/api/users/" + other["id"])["phone_number"] == "+1 555 0100"  # the ADMIN


NON_ADMIN_SCOPES = ["events:write", "incidents:read", "incidents:write", "services:read",
                    "services:write", "schedules:read", "schedules:write", "analytics:read"]


def test_only_admins_manage_users(s):
    other = user(s, "USER")
    # the admin scope is not handed to a non-ADMIN user
    me = user(s, "RESPONDER", scopes=NON_ADMIN_SCOPES)
    assert_error(api(s, "POST", "/api/api-keys", {"name": uniq("k"), "scopes": ["admin"],
                                                  "user_id": me["id"]}), 403, "forbidden", "admin")
    k = me["token"]
    r = api(s, "POST", "/api/users", {"name": "x", "email": uniq("x") + "@example.com"}, key=k)
    assert r.status == 403, r
    for change in ({"role": "ADMIN"}, {"status": "ACTIVE"}, {"email": uniq("m") + "@example.com"}):
        assert api(s, "PATCH", "/api/users/me", change, key=k).status == 403, change
        assert api(s, "PATCH", "/api/users/" + me["id"], change, key=k).status == 403, change
    assert api(s, "PATCH", "/api/users/" + other["id"], {"job_title": "x"}, key=k).status == 403
    assert api(s, "DELETE", "/api/users/" + other["id"], key=k).status == 403
    assert api(s, "DELETE", "/api/users/me", key=k).status == 403
    assert api(s, "POST", "/api/teams", {"name": uniq("t")}, key=k).status == 403
    got = get(s, "/api/users/" + me["id"])
    assert (got["role"], got["status"], got["job_title"]) == ("RESPONDER", "ACTIVE", None), got
    assert get(s, "/api/users/" + other["id"])["job_title"] is None
    # an ADMIN user whose key lacks the admin scope is no administrator either
    adm = user(s, "ADMIN", scopes=["services:read", "services:write"])
    assert api(s, "PATCH", "/api/users/" + other["id"], {"role": "ADMIN"},
               key=adm["token"]).status == 403
    # /api/users/me is the caller
    assert get(s, "/api/users/me", key=k) == get(s, "/api/users/" + me["id"])
    assert get(s, "/api/users/me")["email"] == "admin@example.com"
    # an ADMIN with the admin scope changes roles
    r = api(s, "PATCH", "/api/users/" + other["id"], {"role": "RESPONDER"})
    assert r.status == 200 and r.json()["data"]["role"] == "RESPONDER", r


def test_everyone_edits_their_own_profile(s):
    """007_rest.sql ok_rest_guard: "everyone edits their own profile" — a non-ADMIN (who can
    never hold the admin scope) changes its own preferences through /api/users/me."""
    me = user(s, "RESPONDER", scopes=NON_ADMIN_SCOPES)
    r = api(s, "PATCH", "/api/users/me", {"job_title": "SRE", "time_zone": "Asia/Tokyo",
                                          "sms_notifications_enabled": True},
            key=me["token"])
    assert r.status == 200, r
    d = r.json()["data"]
    assert (d["id"], d["job_title"], d["time_zone"], d["sms_notifications_enabled"]) == \
        (me["id"], "SRE", "Asia/Tokyo", True), d
    # contact details decide how pages reach a person: a key without schedules:write (a CI
    # key holding events:write) cannot change them
    ci = created(s, "/api/api-keys", {"name": uniq("ci"), "scopes": ["events:write"]},
                 key=me["token"])["token"]
    assert_error(api(s, "PATCH", "/api/users/me", {"phone_number": "+1 555 0000"}, key=ci), 403,
                 "scope_missing", "schedules:write")
    assert get(s, "/api/users/" + me["id"]).get("phone_number") is None


def test_service_with_incidents_is_not_deleted(s):
    svc = service(s)["id"]
    key = created(s, "/api/services/%s/integrations" % svc, {"name": uniq("i")})["key"]
    r = s.http("POST", "/v2/enqueue", {"routing_key": key, "event_action": "trigger",
                                       "payload": {"summary": "x", "source": "y",
                                                   "severity": "info"}})
    assert r.status == 202, r
    assert_error(api(s, "DELETE", "/api/services/" + svc), 409, "in_use")
    assert get(s, "/api/services/" + svc)["id"] == svc
    assert s.scalar("SELECT count(*) FROM incident WHERE service_id = :'s'", s=svc) == "1"


def test_only_admins_turn_off_sns_verification(s):
    svc = service(s)["id"]
    i = created(s, "/api/services/%s/integrations" % svc, {"name": uniq("i")})
    url = "/api/services/%s/integrations/%s" % (svc, i["id"])
    resp = user(s, "RESPONDER", scopes=["services:read", "services:write"])["token"]
    assert_error(api(s, "PATCH", url, {"sns_verify": False}, key=resp), 403, "forbidden",
                 "sns_verify")
    assert_error(api(s, "POST", "/api/services/%s/integrations" % svc,
                     {"name": uniq("i"), "sns_verify": False}, key=resp), 403, "forbidden")
    assert get(s, url)["sns_verify"] is True
    assert api(s, "PATCH", url, {"sns_verify": True}, key=resp).status == 200  # the safe value
    assert api(s, "PATCH", url, {"enabled": False}, key=resp).status == 200
    r = api(s, "PATCH", url, {"sns_verify": False})
    assert r.status == 200 and r.json()["data"]["sns_verify"] is False, r


def test_api_key_lifecycle(s):
    admin_id = get(s, "/api/users/me")["id"]
    r = api(s, "POST", "/api/api-keys", {"name": uniq("k"), "scopes": ["services:read",
                                                                       "schedules:read"]})
    assert r.status == 201, r
    k = r.json()["data"]
    tok = k["token"]
    assert r.headers["location"] == "/api/api-keys/" + k["id"]
    assert tok.startswith("ok_") and k["prefix"] == tok[:8], k
    assert (k["user_id"], k["scopes"], k["revoked_at"]) == \
        (admin_id, ["services:read", "schedules:read"], None), k
    assert "key_hash" not in k
    # the token works as a Bearer key, within its scopes
    assert api(s, "GET", "/api/services", key=tok).status == 200
    assert_error(api(s, "POST", "/api/services", {"name": uniq("x")}, key=tok), 403,
                 "scope_missing")
    # never shown again
    for row in list_all(s, "/api/api-keys"):
        assert "token" not in row and "key_hash" not in row, row
        assert tok not in str(row)
    got = get(s, "/api/api-keys/" + k["id"])
    assert "token" not in got and "key_hash" not in got and got["prefix"] == tok[:8], got
    assert got["last_used_at"], got  # it was used above
    assert k["id"] in [x["id"] for x in list_all(s, "/api/api-keys")]
    # keys cannot be patched
    assert api(s, "PATCH", "/api/api-keys/" + k["id"], {"name": "x"}).status == 405

    # revoke: 200 with revoked_at, then 401; revoking again changes nothing
    r = api(s, "DELETE", "/api/api-keys/" + k["id"])
    assert r.status == 200, r
    revoked = r.json()["data"]
    assert revoked["id"] == k["id"] and revoked["revoked_at"], revoked
    assert_error(api(s, "GET", "/api/services", key=tok), 401, "api_key_revoked")
    r = api(s, "DELETE", "/api/api-keys/" + k["id"])
    assert r.status == 200 and r.json()["data"]["revoked_at"] == revoked["revoked_at"], r
    assert get(s, "/api/api-keys/" + k["id"])["revoked_at"] == revoked["revoked_at"]


def test_keys_only_hand_out_what_they_hold(s):
    me = user(s, "RESPONDER", scopes=["services:read", "schedules:read"])
    k = me["token"]
    for scopes in (["services:write"], ["services:read", "admin"], ["incidents:read"]):
        assert_error(api(s, "POST", "/api/api-keys", {"name": uniq("k"), "scopes": scopes},
                         key=k), 403, "forbidden")
    r = api(s, "POST", "/api/api-keys", {"name": uniq("k"), "scopes": ["schedules:read"]}, key=k)
    assert r.status == 201, r
    sub = r.json()["data"]
    assert sub["user_id"] == me["id"] and sub["scopes"] == ["schedules:read"], sub
    # not for somebody else
    admin_id = get(s, "/api/users/me")["id"]
    assert_error(api(s, "POST", "/api/api-keys", {"name": uniq("k"), "scopes": ["services:read"],
                                                  "user_id": admin_id}, key=k), 403, "forbidden")
    # a non-ADMIN sees and revokes only its own keys
    mine = {x["id"] for x in list_all(s, "/api/api-keys", key=k)}
    assert mine == {me["key_id"], sub["id"]}, mine
    assert_error(api(s, "GET", "/api/api-keys/" + _fx["admin_id"], key=k), 404, "not_found")
    assert_error(api(s, "DELETE", "/api/api-keys/" + _fx["admin_id"], key=k), 404, "not_found")
    assert api(s, "GET", "/api/services", key=admin_token(s)).status == 200
    # the ADMIN sees them all, and revokes anybody's
    every = {x["id"] for x in list_all(s, "/api/api-keys")}
    assert {me["key_id"], sub["id"], _fx["admin_id"]} <= every
    r = api(s, "DELETE", "/api/api-keys/" + sub["id"])
    assert r.status == 200 and r.json()["data"]["revoked_at"], r
    # a key may revoke itself
    r = api(s, "DELETE", "/api/api-keys/" + me["key_id"], key=k)
    assert r.status == 200 and r.json()["data"]["revoked_at"], r
    assert_error(api(s, "GET", "/api/api-keys", key=k), 401, "api_key_revoked")


def test_narrow_key_cannot_revoke_broader_keys(s):
    """The rule of creation ("a key never hands out more than it holds") also for revocation:
    a leaked events:write key of an ADMIN must not revoke that ADMIN's admin key."""
    u = user(s, "ADMIN", scopes=["admin"])
    narrow = created(s, "/api/api-keys", {"name": uniq("k"), "scopes": ["events:write"],
                                          "user_id": u["id"]})
    r = api(s, "DELETE", "/api/api-keys/" + u["key_id"], key=narrow["token"])
    assert r.status == 403, r
    assert api(s, "GET", "/api/services", key=u["token"]).status == 200
    # the broader key revokes the narrow one, and a key revokes itself
    other = created(s, "/api/api-keys", {"name": uniq("k"), "scopes": ["events:write"],
                                         "user_id": u["id"]})
    assert api(s, "DELETE", "/api/api-keys/" + narrow["id"], key=u["token"]).status == 200
    assert api(s, "DELETE", "/api/api-keys/" + other["id"], key=other["token"]).status == 200
