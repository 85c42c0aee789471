"""/api/events: integration-key sources, API tokens (scope, service, revoked) and error codes."""

import uuid

from harness import native_event, new_key


def post(s, body, headers=None, query=""):
    return s.http("POST", "/api/events" + query, body, headers)


def assert_error(r, status, code):
    assert r.status == status, (code, r)
    err = r.json()["error"]
    assert err["code"] == code and err["message"], r
    return err


def assert_triggered(s, r, key, integration_id):
    assert r.status == 202, r
    body = r.json()
    assert body["status"] == "success" and body["result"]["action"] == "triggered", r
    inc = body["result"]["incident"]
    assert inc["dedup_key"] == key and inc["status"] == "OPEN" and inc["urgency"] == "HIGH", r
    rows = s.psql("SELECT i.id, i.service_id, a.integration_id FROM incident i JOIN alert a "
                  "ON a.incident_id = i.id WHERE i.dedup_key = :'k'", k=key)
    assert rows == [(inc["id"], inc["service_id"], integration_id)], rows


def test_integration_key_sources(s):
    iid, k = s.create_integration()
    ways = {
        "Token token=": ({"Authorization": "Token token=" + k}, ""),
        "Bearer integration key": ({"Authorization": "Bearer " + k}, ""),
        "X-Routing-Key": ({"X-Routing-Key": k}, ""),
        "query routing_key": ({}, "?routing_key=" + k),
        "query integrationKey": ({}, "?integrationKey=" + k),
    }
    for way, (headers, query) in ways.items():
        key = new_key("native")
        r = post(s, native_event(dedup_key=key), headers, query)
        try:
            assert_triggered(s, r, key, iid)
        except AssertionError as e:
            raise AssertionError("%s: %s" % (way, e))


def test_integration_id_addressing(s):
    iid, k = s.create_integration()
    _, other = s.create_integration()
    key = new_key("native-addr")
    assert_triggered(s, post(s, native_event(dedup_key=key), {"X-Routing-Key": k},
                             "?integrationId=" + iid), key, iid)
    r = post(s, native_event(dedup_key=new_key()), {"X-Routing-Key": other}, "?integrationId=" + iid)
    assert r.status == 401, r


def test_unknown_integration_key(s):
    assert_error(post(s, native_event(), {"X-Routing-Key": "e" * 32}), 403, "unknown_key")


def test_missing_credentials(s):
    assert_error(post(s, native_event()), 401, "missing_credentials")


def test_api_token_with_service(s):
    _, token = s.create_api_key("events:write")
    sid = s.keys["OPSKNIGHT_SERVICE_ID"]
    for headers in ({"Authorization": "Bearer " + token}, {"X-API-Key": token}):
        key = new_key("tok")
        r = post(s, dict(native_event(dedup_key=key), service_id=sid), headers)
        assert r.status == 202, (headers, r)
        inc = r.json()["result"]["incident"]
        assert inc["service_id"] == sid and inc["dedup_key"] == key, r
        assert s.psql("SELECT service_id FROM incident WHERE dedup_key = :'k'", k=key) == [(sid,)]


def test_api_token_without_service(s):
    _, token = s.create_api_key("events:write")
    assert_error(post(s, native_event(), {"Authorization": "Bearer " + token}),
                 400, "service_required")


def test_api_token_unknown_service(s):
    _, token = s.create_api_key("events:write")
    body = dict(native_event(), service_id=str(uuid.uuid4()))
    assert_error(post(s, body, {"Authorization": "Bearer " + token}), 404, "service_not_found")


def test_api_token_user_outside_team(s):
    team = s.admin("create-team", "--name", new_key("team"))["TEAM_ID"]
    sid = s.admin("create-service", "--name", new_key("svc"), "--team", team,
                  "--policy", "none")["SERVICE_ID"]
    outsider, member = new_key("out") + "@example.com", new_key("in") + "@example.com"
    s.admin("create-user", "--email", outsider, "--role", "USER")
    s.admin("create-user", "--email", member, "--role", "USER", "--team", team)
    key = new_key("forbidden")
    _, token = s.create_api_key("events:write", user=outsider)
    assert_error(post(s, dict(native_event(dedup_key=key), service_id=sid),
                      {"Authorization": "Bearer " + token}), 403, "service_forbidden")
    assert s.scalar("SELECT count(*) FROM alert WHERE dedup_key = :'k'", k=key) == "0"
    _, token = s.create_api_key("events:write", user=member)
    r = post(s, dict(native_event(dedup_key=key), service_id=sid), {"Authorization": "Bearer " + token})
    assert r.status == 202 and r.json()["result"]["incident"]["service_id"] == sid, r


def test_api_token_without_scope(s):
    _, token = s.create_api_key("incidents:read")
    key = new_key("noscope")
    body = dict(native_event(dedup_key=key), service_id=s.keys["OPSKNIGHT_SERVICE_ID"])
    assert_error(post(s, body, {"Authorization": "Bearer " + token}), 403, "scope_missing")
    assert s.scalar("SELECT count(*) FROM alert WHERE dedup_key = :'k'", k=key) == "0"


def test_api_token_revoked(s):
    kid, token = s.create_api_key("events:write")
    s.psql("UPDATE api_key SET revoked_at = now() WHERE id = :'i'", i=kid)
    body = dict(native_event(), service_id=s.keys["OPSKNIGHT_SERVICE_ID"])
    assert_error(post(s, body, {"Authorization": "Bearer " + token}), 401, "api_key_revoked")


def test_api_token_unknown(s):
    body = dict(native_event(), service_id=s.keys["OPSKNIGHT_SERVICE_ID"])
    assert_error(post(s, body, {"Authorization": "Bearer ok_" + "x" * 40}), 401, "invalid_api_key")


def test_invalid_json(s):
    assert_error(post(s, "{not json", {"X-Routing-Key": s.keys["OPSKNIGHT_ROUTING_KEY"],
                                       "Content-Type": "application/json"}), 400, "invalid_json")


def test_invalid_event_details(s):
    r = post(s, native_event(severity="fatal", source=None),
             {"X-Routing-Key": s.keys["OPSKNIGHT_ROUTING_KEY"]})
    err = assert_error(r, 400, "invalid_event")
    assert "'payload.severity' must be one of critical, error, warning, info" in err["details"], r
    assert "'payload.source' is missing or blank" in err["details"], r


def test_unsupported_media_type(s):
    r = post(s, '{"event_action":"trigger"}', {"X-Routing-Key": s.keys["OPSKNIGHT_ROUTING_KEY"],
                                                "Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")


def test_payload_too_large(s):
    body = native_event(custom_details={"blob": "x" * (600 * 1024)})
    r = post(s, body, {"X-Routing-Key": s.keys["OPSKNIGHT_ROUTING_KEY"]})
    assert_error(r, 413, "payload_too_large")
