"""PagerDuty Events v2 endpoints: shapes, key sources, addressing, disabled/unknown keys."""

import re

from harness import PD_OK, PD_PATHS, new_key, pd_event

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def alert_integration(s, key):
    return [r[0] for r in s.psql("SELECT integration_id FROM alert WHERE dedup_key = :'k'", k=key)]


def test_every_endpoint_triggers(s):
    rk = s.keys["OPSKNIGHT_ROUTING_KEY"]
    for path in PD_PATHS:
        key = new_key("pd")
        r = s.http("POST", path, pd_event(rk, dedup_key=key, summary="cpu hot " + path))
        assert r.status == 202, (path, r)
        assert r.json() == dict(PD_OK, dedup_key=key), (path, r)
        rows = s.psql("SELECT status, title, service_id FROM incident WHERE dedup_key = :'k'", k=key)
        assert rows == [("OPEN", "cpu hot " + path, s.keys["OPSKNIGHT_SERVICE_ID"])], (path, rows)
        assert alert_integration(s, key) == [s.keys["OPSKNIGHT_INTEGRATION_ID"]], path


def test_generated_dedup_key(s):
    r = s.http("POST", "/v2/enqueue", pd_event(s.keys["OPSKNIGHT_ROUTING_KEY"]))
    assert r.status == 202, r
    key = r.json()["dedup_key"]
    assert UUID.match(key), key
    assert s.scalar("SELECT count(*) FROM incident WHERE dedup_key = :'k'", k=key) == "1"


def test_key_sources(s):
    iid, k = s.create_integration()
    ways = {
        "body routing_key": ("", {}, {"routing_key": k}),
        "body routingKey": ("", {}, {"routingKey": k}),
        "X-Routing-Key": ("", {"X-Routing-Key": k}, {}),
        "Token token=": ("", {"Authorization": "Token token=" + k}, {}),
        "Bearer": ("", {"Authorization": "Bearer " + k}, {}),
        "query routing_key": ("?routing_key=" + k, {}, {}),
        "query integrationKey": ("?integrationKey=" + k, {}, {}),
    }
    for way, (query, headers, fields) in ways.items():
        key = new_key("src")
        body = dict(pd_event(None, dedup_key=key), **fields)
        r = s.http("POST", "/v2/enqueue" + query, body, headers)
        assert r.status == 202, (way, r)
        assert alert_integration(s, key) == [iid], way


def test_key_source_precedence(s):
    iid, k = s.create_integration()
    unknown = "0" * 32
    key = new_key("prec")
    r = s.http("POST", "/v2/enqueue", pd_event(k, dedup_key=key), {"X-Routing-Key": unknown})
    assert r.status == 202, r  # the body's routing_key wins over the header
    assert alert_integration(s, key) == [iid]
    r = s.http("POST", "/v2/enqueue", pd_event(unknown), {"X-Routing-Key": k})
    assert r.status == 404, r


def test_integration_id_addressing(s):
    iid, k = s.create_integration()
    _, other = s.create_integration()
    key = new_key("addr")
    r = s.http("POST", "/v2/enqueue?integrationId=" + iid, pd_event(k, dedup_key=key))
    assert r.status == 202, r
    assert alert_integration(s, key) == [iid]
    key = new_key("addr")
    r = s.http("POST", "/v2/enqueue?integrationId=" + iid, pd_event(other, dedup_key=key))
    assert r.status == 401, r
    assert r.json() == {"status": "error", "message": "Invalid integration key"}, r
    assert alert_integration(s, key) == []


def test_unknown_key(s):
    key = new_key("unk")
    for path in PD_PATHS + ("/v2/change/enqueue",):
        body = pd_event("f" * 32, dedup_key=key)
        r = s.http("POST", path, body)
        assert r.status == 404, (path, r)
        assert r.json() == {"status": "error", "message": "Integration not found or disabled"}, r
    assert alert_integration(s, key) == []


def test_disabled_integration_refused_everywhere(s):
    iid, k = s.create_integration("--disabled")
    assert s.scalar("SELECT enabled FROM integration WHERE id = :'i'", i=iid) == "f"
    key = new_key("dis")
    for path in PD_PATHS + ("/v2/change/enqueue",):
        r = s.http("POST", path, pd_event(k, dedup_key=key))
        assert r.status == 404, (path, r)
        assert r.json() == {"status": "error", "message": "Integration not found or disabled"}, r
    r = s.http("POST", "/api/events", pd_event(None, dedup_key=key), {"X-Routing-Key": k})
    assert r.status == 403 and r.json()["error"]["code"] == "integration_disabled", r
    assert alert_integration(s, key) == []
    assert s.scalar("SELECT count(*) FROM change_event WHERE integration_id = :'i'", i=iid) == "0"


def test_change_event(s):
    iid, k = s.create_integration()
    summary = new_key("deploy")
    body = {"routing_key": k, "payload": {"summary": summary, "source": "ci",
                                           "custom_details": {"sha": "abc123"}},
            "links": [{"href": "https://example.com/build/1", "text": "build"}]}
    r = s.http("POST", "/v2/change/enqueue", body)
    assert r.status == 202, r
    assert r.json() == {"status": "success", "message": "Change event processed"}, r
    rows = s.psql("SELECT integration_id, service_id, source FROM change_event WHERE summary = :'m'",
                  m=summary)
    assert rows == [(iid, s.keys["OPSKNIGHT_SERVICE_ID"], "ci")], rows
    assert s.scalar("SELECT count(*) FROM incident WHERE title = :'m'", m=summary) == "0"


def test_change_event_validation(s):
    _, k = s.create_integration()
    r = s.http("POST", "/v2/change/enqueue", {"routing_key": k, "payload": {"source": "ci"}})
    assert r.status == 400, r
    assert "'payload.summary' is missing or blank" in r.json()["errors"], r
    r = s.http("POST", "/v2/change/enqueue", {"routing_key": k, "payload": {"summary": "x" * 1025}})
    assert r.status == 400, r
    assert "'payload.summary' is too long (maximum is 1024 characters)" in r.json()["errors"], r
