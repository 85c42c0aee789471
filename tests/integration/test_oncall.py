"""GET /api/schedules/:id/oncall: rotation hand-over across DST, overrides, restrictions, and
the API-key errors (401/403/404/400) of REST endpoints."""

import uuid

from harness import new_key, wait_for

# One schedule per module, built on first use (tests run in file order on one stack).
_fx = {}


def user(s, label, status="ACTIVE"):
    email = new_key(label) + "@example.com"
    s.admin("create-user", "--email", email, "--name", label.capitalize(), "--role", "USER")
    if status != "ACTIVE":
        s.psql("UPDATE app_user SET status = :'st' WHERE email = :'e'", st=status, e=email)
    return s.scalar("SELECT id FROM app_user WHERE email = :'e'", e=email), email


def schedule(s, time_zone):
    return s.scalar("INSERT INTO oncall_schedule (name, time_zone) VALUES (:'n', :'tz') "
                    "RETURNING id", n=new_key("sched"), tz=time_zone)


def layer(s, sched, start, users, rotation=24, restrictions=None, priority=0):
    lid = s.scalar("INSERT INTO oncall_layer (schedule_id, name, start_at, rotation_length_hours, "
                   "restrictions, priority) VALUES (:'s', 'L', :'st', :'r', "
                   "nullif(:'re', '')::jsonb, :'p') RETURNING id",
                   s=sched, st=start, r=rotation, re=restrictions or "", p=priority)
    for pos, u in enumerate(users):
        s.psql("INSERT INTO oncall_layer_user (layer_id, user_id, position) "
               "VALUES (:'l', :'u', :'p')", l=lid, u=u, p=pos)
    return lid


def fixture(s):
    """Europe/London, daily 09:00 local hand-over from Fri 2024-03-29 09:00 GMT: alice, bob
    (dave, DISABLED, sits between them and is skipped); carol replaces alice 12:00-14:00Z on
    Sun 03-31 (the first BST day, so alice's block starts 08:00Z). A Kolkata schedule with a
    09-17 restriction holds erin."""
    if _fx:
        return _fx
    ids = {name: user(s, name) for name in ("alice", "bob", "carol", "erin")}
    ids["dave"] = user(s, "dave", "DISABLED")
    _fx.update({k: v[0] for k, v in ids.items()})
    _fx["emails"] = {k: v[1] for k, v in ids.items()}
    _fx["london"] = schedule(s, "Europe/London")
    _fx["layer"] = layer(s, _fx["london"], "2024-03-29T09:00:00Z",
                         [_fx["alice"], _fx["dave"], _fx["bob"]])
    s.psql("INSERT INTO oncall_override (schedule_id, user_id, replaces_user_id, start_at, end_at) "
           "VALUES (:'s', :'u', :'r', '2024-03-31T12:00:00Z', '2024-03-31T14:00:00Z')",
           s=_fx["london"], u=_fx["carol"], r=_fx["alice"])
    _fx["kolkata"] = schedule(s, "Asia/Kolkata")
    _fx["klayer"] = layer(s, _fx["kolkata"], "2023-12-31T18:30:00Z", [_fx["erin"]],
                          restrictions='{"startHour": 9, "endHour": 17}')
    _fx["kid"], _fx["token"] = s.create_api_key("schedules:read")
    return _fx


def oncall(s, sched, at=None, headers=None, token=None):
    fx = fixture(s)
    q = "" if at is None else "?at=" + at
    if headers is None:
        headers = {"Authorization": "Bearer " + (token or fx["token"])}
    return s.http("GET", "/api/schedules/%s/oncall%s" % (sched, q), headers=headers)


def who(s, sched, at):
    r = oncall(s, sched, at)
    assert r.status == 200, (at, r)
    return [u["id"] for u in r.json()["data"]["users"]]


def assert_error(r, status, code):
    assert r.status == status, (code, r)
    err = r.json()["error"]
    assert err["code"] == code and err["message"], r
    return err


def test_rotation_handover_keeps_local_time(s):
    fx = fixture(s)
    sid = fx["london"]
    assert who(s, sid, "2024-03-29T08:59:59Z") == []  # before the layer starts
    assert who(s, sid, "2024-03-29T09:00:00Z") == [fx["alice"]]
    assert who(s, sid, "2024-03-30T09:00:00Z") == [fx["bob"]]  # the DISABLED dave is skipped
    assert who(s, sid, "2024-03-31T07:59:59Z") == [fx["bob"]]
    assert who(s, sid, "2024-03-31T08:00:00Z") == [fx["alice"]]  # 09:00 BST
    assert who(s, sid, "2024-04-01T08:00:00Z") == [fx["bob"]]


def test_override_and_blocks(s):
    fx = fixture(s)
    r = oncall(s, fx["london"], "2024-03-31T13:00:00Z")
    assert r.status == 200, r
    data = r.json()["data"]
    assert data["schedule_id"] == fx["london"] and data["time_zone"] == "Europe/London", data
    assert data["at"] == "2024-03-31T13:00:00.000Z", data
    assert data["users"] == [{"id": fx["carol"], "name": "Carol",
                              "email": fx["emails"]["carol"]}], data
    a, b, c, lid = fx["alice"], fx["bob"], fx["carol"], fx["layer"]
    expect = [
        (b, lid, "2024-03-30T13:00:00.000Z", "2024-03-31T08:00:00.000Z", False),
        (a, lid, "2024-03-31T08:00:00.000Z", "2024-03-31T12:00:00.000Z", False),
        (c, None, "2024-03-31T12:00:00.000Z", "2024-03-31T14:00:00.000Z", True),
        (a, lid, "2024-03-31T14:00:00.000Z", "2024-04-01T08:00:00.000Z", False),
        (b, lid, "2024-04-01T08:00:00.000Z", "2024-04-02T08:00:00.000Z", False),
        (a, lid, "2024-04-02T08:00:00.000Z", "2024-04-02T13:00:00.000Z", False),
    ]
    got = [(x["user_id"], x["layer_id"], x["start"], x["end"], x["override"])
           for x in data["blocks"]]
    assert got == expect, got
    assert r.headers.get("cache-control") == "private, no-store", r.headers
    # the same instant with an offset (an encoded '+') and with a raw '+' (decoded to ' ')
    for at in ("2024-03-31T14:00:00%2B01:00", "2024-03-31T14:00:00+01:00",
               "2024-03-31T13:00:00.000Z", "2024-03-31T08:00:00-0500"):
        assert who(s, fx["london"], at) == [c], at
    assert who(s, fx["london"], "2024-03-31T14:00:00Z") == [a]


def test_restriction_in_fractional_zone(s):
    fx = fixture(s)
    sid = fx["kolkata"]
    assert who(s, sid, "2024-01-01T03:29:59Z") == []          # 08:59:59 IST
    assert who(s, sid, "2024-01-01T03:30:00Z") == [fx["erin"]]  # 09:00 IST
    assert who(s, sid, "2024-01-01T11:29:59Z") == [fx["erin"]]
    assert who(s, sid, "2024-01-01T11:30:00Z") == []          # 17:00 IST
    r = oncall(s, sid, "2024-01-02T06:00:00Z")
    blocks = [(x["start"], x["end"]) for x in r.json()["data"]["blocks"]]
    assert blocks == [("2024-01-01T06:00:00.000Z", "2024-01-01T11:30:00.000Z"),
                      ("2024-01-02T03:30:00.000Z", "2024-01-02T11:30:00.000Z"),
                      ("2024-01-03T03:30:00.000Z", "2024-01-03T11:30:00.000Z"),
                      ("2024-01-04T03:30:00.000Z", "2024-01-04T06:00:00.000Z")], blocks


def test_at_defaults_to_now_and_stamps_last_used(s):
    fx = fixture(s)
    s.psql("UPDATE api_key SET last_used_at = NULL WHERE id = :'k'", k=fx["kid"])
    r = oncall(s, fx["london"])
    assert r.status == 200, r
    now = s.scalar("SELECT ok_iso(ok_now())")
    assert r.json()["data"]["at"][:16] == now[:16], (r, now)
    assert s.scalar("SELECT last_used_at IS NOT NULL FROM api_key WHERE id = :'k'",
                    k=fx["kid"]) == "t"


def test_key_sources_and_schemes(s):
    fx = fixture(s)
    t = fx["token"]
    for headers in ({"Authorization": "bearer " + t}, {"Authorization": "Api-Key " + t},
                    {"Authorization": "API-KEY  " + t}, {"X-API-Key": t}):
        r = oncall(s, fx["london"], "2024-03-30T12:00:00Z", headers=headers)
        assert r.status == 200, (headers, r)
    _, admin = s.create_api_key("admin")
    assert oncall(s, fx["london"], "2024-03-30T12:00:00Z", token=admin).status == 200


def test_401s(s):
    fx = fixture(s)
    sid = fx["london"]
    for headers in ({}, {"Authorization": "Basic Zm9vOmJhcg=="}, {"X-API-Key": " "}):
        r = oncall(s, sid, headers=headers)
        assert_error(r, 401, "missing_credentials")
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers
    assert_error(oncall(s, sid, token="ok_" + "x" * 44), 401, "invalid_api_key")
    assert_error(oncall(s, sid, token="not-an-api-token"), 401, "invalid_api_key")
    kid, token = s.create_api_key("schedules:read")
    s.psql("UPDATE api_key SET revoked_at = now() WHERE id = :'k'", k=kid)
    assert_error(oncall(s, sid, token=token), 401, "api_key_revoked")
    uid, email = user(s, "frank")
    _, token = s.create_api_key("schedules:read", user=email)
    assert oncall(s, sid, token=token).status == 200
    s.psql("UPDATE app_user SET status = 'DISABLED' WHERE id = :'u'", u=uid)
    assert_error(oncall(s, sid, token=token), 401, "user_inactive")


def test_403_scope_missing(s):
    fx = fixture(s)
    _, token = s.create_api_key("incidents:read,events:write")
    err = assert_error(oncall(s, fx["london"], token=token), 403, "scope_missing")
    assert "schedules:read" in err["message"], err


def test_404s(s):
    fixture(s)
    assert_error(oncall(s, "not-a-uuid"), 404, "not_found")
    assert_error(oncall(s, str(uuid.uuid4())), 404, "not_found")


def test_400_bad_at(s):
    fx = fixture(s)
    for at in ("yesterday", "", "2024-02-30T00:00:00Z", "2024-03-31T13:00:00",
               "2024-03-31T25:00:00Z", "2024-03-31T13:00:00Zjunk", "2024-03-31"):
        assert_error(oncall(s, fx["london"], at), 400, "invalid_parameter")
    # authentication comes first: a bad at without a key is a 401
    assert_error(oncall(s, fx["london"], "yesterday", headers={}), 401, "missing_credentials")


def test_503_while_the_database_is_down(s):
    fx = fixture(s)
    s.pg_stop()
    try:
        for _ in range(8):  # enough to reach every responder
            r = oncall(s, fx["london"], "2024-03-31T13:00:00Z")
            assert_error(r, 503, "database_unavailable")
            assert int(r.headers.get("retry-after", "0")) >= 1, r.headers
    finally:
        s.pg_start()
    ok = wait_for(lambda: oncall(s, fx["london"], "2024-03-31T13:00:00Z").status == 200,
                  timeout=15, interval=0.5)
    assert ok, "no 200 within 15 s after PostgreSQL came back"


def test_oncall_across_every_schedule(s):
    fx = fixture(s)
    headers = {"Authorization": "Bearer " + fx["token"]}
    r = s.http("GET", "/api/oncall?at=2024-03-31T13:00:00Z", headers=headers)
    assert r.status == 200, r
    body = r.json()
    assert body["at"] == "2024-03-31T13:00:00.000Z", body
    by_id = {x["schedule_id"]: x for x in body["data"]}
    london, kolkata = by_id[fx["london"]], by_id[fx["kolkata"]]
    # carol's override replaces alice 12:00-14:00Z; Kolkata 18:30 IST is outside 09-17
    assert [u["id"] for u in london["users"]] == [fx["carol"]], london
    assert london["time_zone"] == "Europe/London" and london["time_zone_known"], london
    assert kolkata["users"] == [], kolkata
    # the same answers as the per-schedule endpoint, at another instant
    at = "2024-01-01T05:00:00Z"
    r = s.http("GET", "/api/oncall?at=" + at, headers=headers)
    got = {x["schedule_id"]: [u["id"] for u in x["users"]] for x in r.json()["data"]}
    assert got[fx["kolkata"]] == who(s, fx["kolkata"], at) == [fx["erin"]], got
    # without at: now, from the database clock
    r = s.http("GET", "/api/oncall", headers=headers)
    assert r.status == 200 and r.json()["at"].endswith("Z"), r
    assert_error(s.http("GET", "/api/oncall?at=yesterday", headers=headers), 400,
                 "invalid_parameter")
    assert_error(s.http("GET", "/api/oncall"), 401, "missing_credentials")
    _, token = s.create_api_key("incidents:read")
    assert_error(s.http("GET", "/api/oncall", headers={"Authorization": "Bearer " + token}),
                 403, "scope_missing")
