"""Validation on /v2/enqueue: every violation string, bad bodies, content types, limits."""

from harness import PD_PATHS, new_key, pd_event

INVALID = {"status": "invalid event", "message": "Event object is invalid"}


def rk(s):
    return s.keys["OPSKNIGHT_ROUTING_KEY"]


def assert_invalid(r, *violations):
    assert r.status == 400, r
    body = r.json()
    assert {k: body.get(k) for k in INVALID} == INVALID, r
    assert isinstance(body.get("errors"), list) and body["errors"], r
    for v in violations:
        assert v in body["errors"], (v, body["errors"])


def with_fields(ev, **fields):
    ev = dict(ev)
    for k, v in fields.items():
        if v is None:
            ev.pop(k, None)
        else:
            ev[k] = v
    return ev


def cases(s):
    """(name, body, violation) for every violation string of the contract."""
    k = rk(s)
    trig = pd_event(k, dedup_key=new_key("val"))
    return [
        ("no routing_key", pd_event(None), "'routing_key' is missing or blank"),
        ("blank routing_key", pd_event("   "), "'routing_key' is missing or blank"),
        ("short routing_key", pd_event("abc123"),
         "Length of 'routing_key' is incorrect (should be 32 characters)"),
        ("long routing_key", pd_event(k + "0"),
         "Length of 'routing_key' is incorrect (should be 32 characters)"),
        ("no event_action", with_fields(trig, event_action=None), "'event_action' is missing or blank"),
        ("blank event_action", with_fields(trig, event_action=""), "'event_action' is missing or blank"),
        ("unknown event_action", with_fields(trig, event_action="explode"),
         "'event_action' must be one of trigger, acknowledge, resolve"),
        ("long dedup_key", with_fields(trig, dedup_key="d" * 256),
         "'dedup_key' is too long (maximum is 255 characters)"),
        ("ack without dedup_key", pd_event(k, "acknowledge"), "'dedup_key' is missing or blank"),
        ("resolve without dedup_key", pd_event(k, "resolve"), "'dedup_key' is missing or blank"),
        ("resolve blank dedup_key", pd_event(k, "resolve", " "), "'dedup_key' is missing or blank"),
        ("no payload", with_fields(trig, payload=None), "'payload' is missing or not an object"),
        ("payload not object", with_fields(trig, payload="disk full"),
         "'payload' is missing or not an object"),
        ("no summary", pd_event(k, summary=None), "'payload.summary' is missing or blank"),
        ("blank summary", pd_event(k, summary=" "), "'payload.summary' is missing or blank"),
        ("long summary", pd_event(k, summary="s" * 1025),
         "'payload.summary' is too long (maximum is 1024 characters)"),
        ("no source", pd_event(k, source=None), "'payload.source' is missing or blank"),
        ("no severity", pd_event(k, severity=None), "'payload.severity' is missing or blank"),
        ("bad severity", pd_event(k, severity="fatal"),
         "'payload.severity' must be one of critical, error, warning, info"),
        ("bad timestamp", pd_event(k, timestamp="yesterday at noon"),
         "'payload.timestamp' is not a valid ISO 8601 timestamp"),
        ("links not array", with_fields(trig, links={"href": "https://x"}), "'links' must be an array"),
        ("images not array", with_fields(trig, images="https://x/a.png"), "'images' must be an array"),
    ]


def test_every_violation_string(s):
    failures = []
    for name, body, violation in cases(s):
        r = s.http("POST", "/v2/enqueue", body)
        try:
            assert_invalid(r, violation)
        except AssertionError as e:
            failures.append("%s: %s" % (name, e))
    assert not failures, "; ".join(failures)


def test_violations_written_nothing(s):
    key = new_key("val-nothing")
    r = s.http("POST", "/v2/enqueue", pd_event(rk(s), dedup_key=key, severity="fatal"))
    assert_invalid(r)
    assert s.scalar("SELECT count(*) FROM alert WHERE dedup_key = :'k'", k=key) == "0"


def test_several_violations_listed(s):
    r = s.http("POST", "/v2/enqueue", pd_event(rk(s), source=None, severity=None))
    assert_invalid(r, "'payload.source' is missing or blank", "'payload.severity' is missing or blank")


def test_limits_accepted(s):
    key = "k" * 255
    r = s.http("POST", "/v2/enqueue", pd_event(rk(s), dedup_key=key, summary="s" * 1024,
                                               timestamp="2024-05-01T12:30:00.000Z"))
    assert r.status == 202 and r.json()["dedup_key"] == key, r
    s.http("POST", "/v2/enqueue", pd_event(rk(s), "resolve", key))


def test_bad_bodies(s):
    bodies = {
        "empty": b"",
        "not json": b"{\"routing_key\": ",
        "json array": b"[]",
        "nested 10000 deep": b"[" * 10000 + b"]" * 10000,
        "nested objects": b'{"a":' * 10000 + b"1" + b"}" * 10000,
        "invalid utf-8": ('{"routing_key":"%s","event_action":"trigger","payload":{"summary":"'
                          % rk(s)).encode() + b"\xff\xfe\xc3(" + b'","source":"x","severity":"info"}}',
    }
    for name, body in bodies.items():
        for path in PD_PATHS:
            r = s.http("POST", path, body, {"Content-Type": "application/json"})
            assert r.status == 400 and r.json().get("status") == "invalid event", (name, path, r)
    assert s.http("GET", "/api/health").status == 200  # and the pool survived


def test_body_size_limit(s):
    r = s.http("POST", "/v2/enqueue", pd_event(rk(s), custom_details={"blob": "x" * (500 * 1024)}))
    assert r.status == 202, r  # just under 512 KiB
    body = pd_event(rk(s), custom_details={"blob": "x" * (600 * 1024)})
    for path in PD_PATHS:
        r = s.http("POST", path, body)
        assert r.status == 413, (path, r)
        assert r.json() == {"error": {"code": "payload_too_large",
                                      "message": "request body exceeds 512 KiB"}}, r
    r = s.http("POST", "/v2/enqueue", body, chunked=True)  # no Content-Length to check upfront
    assert r.status == 413 and r.json()["error"]["code"] == "payload_too_large", r


def test_content_types(s):
    key = new_key("ct")
    r = s.http("POST", "/v2/enqueue", pd_event(rk(s), dedup_key=key), {"Content-Type": "text/plain"})
    assert r.status == 415, r
    assert r.json() == {"status": "error", "message": "Content-Type must be application/json"}, r
    r = s.http("POST", "/v2/enqueue", pd_event(rk(s), dedup_key=key),
               {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 415, r
    assert s.scalar("SELECT count(*) FROM alert WHERE dedup_key = :'k'", k=key) == "0"
    for ct in ("application/json; charset=utf-8", "application/vnd.pagerduty+json", None):
        r = s.http("POST", "/v2/enqueue", pd_event(rk(s), dedup_key=new_key("ct")),
                   {"Content-Type": ct})
        assert r.status == 202, (ct, r)


def test_unknown_routing_key(s):
    r = s.http("POST", "/v2/enqueue", pd_event("0123456789abcdef0123456789abcdef"))
    assert r.status == 404, r
