"""The ops-dashboard API (issue 5): persisted client logs (POST /api/logs/ingest, GET
/api/public-logs), the dead-letter job view and retry (GET /api/jobs, POST /api/jobs/:id/retry)
and GET /metrics (Prometheus text, counters shared by every responder of the pool)."""

import json
import re
import uuid

from harness import new_key, pd_event, wait_for

_keys = {}


def keys(s):
    if not _keys:
        _keys["admin"] = s.create_api_key("admin")[1]
        _keys["reader"] = s.create_api_key("incidents:read,schedules:read")[1]
    return _keys


def bearer(token):
    return {"Authorization": "Bearer " + token}


def ip():
    """A client address of its own, so each test has a fresh per-IP bucket."""
    u = uuid.uuid4().bytes
    return "10.%d.%d.%d" % (u[0], u[1], u[2])


def ingest(s, body, addr=None, headers=None):
    h = {"X-Forwarded-For": "%s, 192.0.2.1" % (addr or ip())}
    h.update(headers or {})
    return s.http("POST", "/api/logs/ingest", body, headers=h)


def assert_error(r, status, code):
    assert r.status == status, (code, r)
    err = r.json()["error"]
    assert err["code"] == code and err["message"], r
    return err


# --- logs ---------------------------------------------------------------------------------------

def test_logs_ingest_stores_redacted_row(s):
    marker = new_key("log")
    r = ingest(s, {"level": "error", "message": "%s failed for alice@example.com" % marker,
                   "component": "web", "extra": "ignored",
                   "context": {"password": "hunter2", "userEmail": "bob@example.com",
                               "note": "ask carol@example.org", "count": 3,
                               "nested": {"apiToken": "t0k", "list": ["dave@example.net"]}}},
               headers={"User-Agent": "it-agent/1.0"})
    assert r.status == 201, r
    body = r.json()
    assert body["success"] is True and body["data"]["id"] and body["data"]["logged_at"], body
    row = s.psql("SELECT level, message, source, component, user_agent, context::text, "
                 "request_id IS NOT NULL FROM log_entry WHERE id = :'id'", id=body["data"]["id"])
    assert row, body
    level, message, source, component, ua, ctx, has_rid = row[0]
    assert (level, source, component, ua, has_rid) == ("error", "client", "web", "it-agent/1.0",
                                                       "t"), row
    assert message == "%s failed for [EMAIL_REDACTED]" % marker, message
    ctx = json.loads(ctx)
    assert ctx == {"password": "[REDACTED]", "userEmail": "[REDACTED]",
                   "note": "ask [EMAIL_REDACTED]", "count": 3,
                   "nested": {"apiToken": "[REDACTED]", "list": ["[EMAIL_REDACTED]"]}}, ctx
    for secret in ("hunter2", "t0k", "example.com", "example.org", "example.net"):
        assert secret not in json.dumps(row), (secret, row)


def test_logs_ingest_defaults_level_to_info(s):
    r = ingest(s, {"message": "plain"})
    assert r.status == 201, r
    assert s.scalar("SELECT level FROM log_entry WHERE id = :'id'",
                    id=r.json()["data"]["id"]) == "info"


def test_logs_ingest_400s(s):
    addr = ip()
    for body, needle in (({"level": "info"}, "message is required"),
                         ({"message": None}, "message is required"),
                         ({"message": 42}, "message must be a string"),
                         ({"message": "  "}, "message must not be blank"),
                         ({"message": "m", "level": "fatal"}, "level must be one of"),
                         ({"message": "m", "level": 3}, "level must be one of"),
                         ({"message": "m", "context": [1]}, "context must be an object"),
                         ([1, 2], "body must be a JSON object")):
        err = assert_error(ingest(s, body, addr), 400, "invalid_event")
        assert needle in err["message"], (body, err)
    assert_error(ingest(s, "{not json", addr, {"Content-Type": "application/json"}), 400,
                 "invalid_json")


def test_logs_ingest_413_over_50_kb(s):
    addr = ip()
    pad = "x" * (51200 - len('{"message":""}'))
    assert ingest(s, '{"message":"%s"}' % pad, addr,
                  {"Content-Type": "application/json"}).status == 201
    r = ingest(s, '{"message":"%sx"}' % pad, addr, {"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large")


def test_logs_ingest_rate_limit_per_ip(s):
    addr = ip()
    for i in range(30):
        r = ingest(s, {"message": "burst %d" % i}, addr)
        assert r.status == 201, (i, r)
    r = ingest(s, {"message": "one too many"}, addr)
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1, r.headers
    # another client (first X-Forwarded-For entry) has its own bucket
    assert ingest(s, {"message": "other client"}).status == 201
    assert s.scalar("SELECT count(*) FROM log_entry WHERE message = 'one too many'") == "0"


def test_public_logs_auth(s):
    k = keys(s)
    assert_error(s.http("GET", "/api/public-logs"), 401, "missing_credentials")
    assert_error(s.http("GET", "/api/public-logs", headers=bearer("ok_" + "0" * 40)), 401,
                 "invalid_api_key")
    assert_error(s.http("GET", "/api/public-logs", headers=bearer(k["reader"])), 403,
                 "scope_missing")


def test_public_logs_newest_first_filters_and_pages(s):
    k = keys(s)
    marker = new_key("page")
    addr = ip()
    since = s.scalar("SELECT ok_iso(ok_now())")
    for i, level in enumerate(("debug", "info", "warn", "error", "warn")):
        assert ingest(s, {"level": level, "message": "%s %d" % (marker, i),
                          "context": {"secret": "s"}}, addr).status == 201
    r = s.http("GET", "/api/public-logs?limit=500&since=" + since, headers=bearer(k["admin"]))
    assert r.status == 200, r
    mine = [e for e in r.json()["data"] if e["message"].startswith(marker)]
    assert [e["message"][-1] for e in mine] == ["4", "3", "2", "1", "0"], mine
    assert mine[0]["context"] == {"secret": "[REDACTED]"} and mine[0]["source"] == "client"
    assert r.json()["next_cursor"] is None
    r = s.http("GET", "/api/public-logs?level=warn&since=" + since, headers=bearer(k["admin"]))
    mine = [e for e in r.json()["data"] if e["message"].startswith(marker)]
    assert [e["level"] for e in mine] == ["warn", "error", "warn"], mine
    # keyset pages of 2 walk the same rows without gaps or repeats
    seen, cursor = [], None
    for _ in range(10):
        q = "/api/public-logs?limit=2&since=" + since + ("&cursor=" + cursor if cursor else "")
        page = s.http("GET", q, headers=bearer(k["admin"])).json()
        assert len(page["data"]) <= 2, page
        seen += [e["id"] for e in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    full = s.http("GET", "/api/public-logs?limit=500&since=" + since, headers=bearer(k["admin"]))
    assert seen == [e["id"] for e in full.json()["data"]], (seen, full)
    for bad in ("limit=0", "limit=x", "level=fatal", "since=not-a-time", "cursor=abc"):
        assert_error(s.http("GET", "/api/public-logs?" + bad, headers=bearer(k["admin"])), 400,
                     "invalid_parameter")
    # limit is bounded at 500
    r = s.http("GET", "/api/public-logs?limit=100000", headers=bearer(k["admin"]))
    assert r.status == 200 and len(r.json()["data"]) <= 500, r


# --- jobs ---------------------------------------------------------------------------------------

def failed_job(s, error="boom"):
    return s.scalar("INSERT INTO background_job (type, status, attempts, max_attempts, payload, "
                    "last_error, run_at, updated_at) VALUES ('NOTIFY', 'FAILED', 5, 5, "
                    "'{\"it\": true}', :'e', ok_now() - interval '1 hour', ok_now()) "
                    "RETURNING id", e=error)


def test_jobs_auth(s):
    k = keys(s)
    assert_error(s.http("GET", "/api/jobs"), 401, "missing_credentials")
    assert_error(s.http("GET", "/api/jobs", headers=bearer(k["reader"])), 403, "scope_missing")
    assert_error(s.http("POST", "/api/jobs/%s/retry" % uuid.uuid4(),
                        headers=bearer(k["reader"])), 403, "scope_missing")
    assert_error(s.http("POST", "/api/jobs/%s/retry" % uuid.uuid4()), 401,
                 "missing_credentials")


def test_jobs_dead_letter_view_and_retry(s):
    k = keys(s)
    with s.paused("worker"):
        jid = failed_job(s)
        r = s.http("GET", "/api/jobs?status=FAILED&type=NOTIFY&limit=200",
                   headers=bearer(k["admin"]))
        assert r.status == 200, r
        job = [j for j in r.json()["data"] if j["id"] == jid]
        assert job and job[0]["last_error"] == "boom" and job[0]["attempts"] == 5, r
        assert job[0]["payload"] == {"it": True} and job[0]["status"] == "FAILED", job
        # default status is FAILED
        assert jid in [j["id"] for j in s.http("GET", "/api/jobs?limit=200",
                                               headers=bearer(k["admin"])).json()["data"]]
        r = s.http("POST", "/api/jobs/%s/retry" % jid, headers=bearer(k["admin"]))
        assert r.status == 200, r
        assert r.json()["data"]["status"] == "PENDING" and r.json()["data"]["attempts"] == 0, r
        row = s.psql("SELECT status, attempts, last_error, run_at <= ok_now(), "
                     "run_at > ok_now() - interval '1 minute', locked_by IS NULL "
                     "FROM background_job WHERE id = :'id'", id=jid)
        assert row == [("PENDING", "0", "boom", "t", "t", "t")], row
        # not FAILED any more: 409
        assert_error(s.http("POST", "/api/jobs/%s/retry" % jid, headers=bearer(k["admin"])),
                     409, "job_not_failed")
        assert jid not in [j["id"] for j in s.http("GET", "/api/jobs?limit=200",
                                                   headers=bearer(k["admin"])).json()["data"]]
    # the worker (woken by NOTIFY opsknight_jobs) claims it again
    assert wait_for(lambda: s.scalar("SELECT attempts > 0 OR status <> 'PENDING' FROM "
                                     "background_job WHERE id = :'id'", id=jid) == "t",
                    timeout=15), s.psql("SELECT * FROM background_job WHERE id = :'id'", id=jid)


def test_jobs_404_400(s):
    k = keys(s)
    for jid in (str(uuid.uuid4()), "not-a-uuid"):
        assert_error(s.http("POST", "/api/jobs/%s/retry" % jid, headers=bearer(k["admin"])),
                     404, "not_found")
    for bad in ("status=BROKEN", "type=NOPE", "limit=-1", "cursor=x"):
        assert_error(s.http("GET", "/api/jobs?" + bad, headers=bearer(k["admin"])), 400,
                     "invalid_parameter")
    assert s.http("GET", "/api/jobs?status=completed",
                  headers=bearer(k["admin"])).status == 200


# --- metrics ------------------------------------------------------------------------------------

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
                    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*)?\})? '
                    r'(-?[0-9.eE+-]+|\+Inf|NaN)$')


def scrape(s, path="/metrics"):
    """Parses the exposition into {(name, frozenset(labels)): value}; every line must parse."""
    r = s.http("GET", path)
    assert r.status == 200, r
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4"), r.headers
    out = {}
    for line in r.body.decode().splitlines():
        if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        m = SAMPLE.match(line)
        assert m, "unparsable line: %r" % line
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"',
                                      m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_text_and_db_gauges(s):
    with s.paused("worker"):
        failed_job(s, "gauge")
        m = scrape(s)
    assert value(m, "opsknight_database_up") == 1, m
    assert value(m, "opsknight_jobs", type="NOTIFY", status="FAILED") >= 1, m
    assert ("opsknight_job_queue_depth", frozenset()) in m
    assert ("opsknight_job_oldest_due_age_seconds", frozenset()) in m
    assert scrape(s, "/api/metrics")


def test_metrics_counters_shared_by_all_children(s):
    assert len(s.children("fcgi")) >= 2, "the pool should run several responders"
    health = dict(method="GET", route="/api/health", status="200")
    before = value(scrape(s), "opsknight_http_requests_total", **health)
    hist_before = value(scrape(s), "opsknight_http_request_duration_seconds_count",
                        method="GET", route="/api/health")
    n = 60
    for _ in range(n):  # a fresh connection each: nginx spreads them over the responders
        assert s.http("GET", "/api/health").status == 200
    # every scrape, whichever responder answers it, sees all n requests
    for _ in range(8):
        m = scrape(s)
        assert value(m, "opsknight_http_requests_total", **health) >= before + n, (before, m)
    assert value(m, "opsknight_http_request_duration_seconds_count", method="GET",
                 route="/api/health") >= hist_before + n
    assert value(m, "opsknight_http_request_duration_seconds_bucket", method="GET",
                 route="/api/health", le="+Inf") >= hist_before + n
    assert s.http("GET", "/api/no-such-thing").status == 404
    assert value(scrape(s), "opsknight_http_requests_total", method="", route="unmatched",
                 status="404") >= 1


def test_metrics_events_by_action(s):
    _, key = s.create_integration()
    before = scrape(s)
    dk = new_key("metrics")
    assert s.http("POST", "/v2/enqueue", pd_event(key, dedup_key=dk)).status == 202
    assert s.http("POST", "/v2/enqueue", pd_event(key, dedup_key=dk)).status == 202
    assert s.http("POST", "/v2/enqueue", pd_event(key, "resolve", dedup_key=dk)).status == 202
    after = scrape(s)
    for action in ("triggered", "deduplicated", "resolved"):
        assert (value(after, "opsknight_events_ingested_total", action=action) >=
                value(before, "opsknight_events_ingested_total", action=action) + 1), action
    assert (value(after, "opsknight_http_requests_total", method="POST", route="/v2/enqueue",
                  status="202") >=
            value(before, "opsknight_http_requests_total", method="POST", route="/v2/enqueue",
                  status="202") + 3)
