"""Health, readiness and the router's own answers, through both nginx servers."""


def test_health(s):
    r = s.http("GET", "/api/health")
    assert r.status == 200 and r.json() == {"status": "ok"}, r
    assert r.headers.get("content-type", "").startswith("application/json"), r.headers


def test_health_plain_http(s):
    r = s.http("GET", "/api/health", plain=True)
    assert r.status == 200 and r.json() == {"status": "ok"}, r


def test_readiness(s):
    r = s.http("GET", "/api/health?mode=readiness")
    assert r.status == 200 and r.json() == {"status": "ok", "database": "ok"}, r


def test_unknown_route(s):
    r = s.http("GET", "/api/no-such-thing")
    assert r.status == 404 and r.json()["error"]["code"] == "not_found", r


def test_wrong_method(s):
    r = s.http("GET", "/v2/enqueue")
    assert r.status == 405, r
    r = s.http("DELETE", "/api/events")
    assert r.status == 405 and r.json()["error"]["code"] == "method_not_allowed", r
