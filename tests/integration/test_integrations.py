"""Vendor webhooks through nginx: every vendor's fixtures open and close incidents; signatures,
redelivery, batches, admission and bad input (each a precise 4xx, never a 500, never an incident).
"""

import copy
import hashlib
import hmac
import json
import os
import time
import urllib.parse

from harness import ROOT, new_key

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
# the generic webhook accepts any JSON object by design: it is left out of the foreign-payload check
ANY_OBJECT = {"webhook"}
# designed overlaps (endpoint <- payload): Grafana unified alerting sends the Alertmanager schema;
# the github endpoint also takes GitLab build events (spec appendix §B); Icinga 2 can send the
# Nagios macros
SAME_SHAPE = {("grafana", "prometheus"), ("prometheus", "grafana"), ("github", "gitlab"),
              ("nagios", "icinga")}


def vendors():
    """Vendor fixture directories (each named like its endpoint), PagerDuty excluded: it has
    its own endpoints and tests."""
    return sorted(d for d in os.listdir(FIXTURES)
                  if d != "pagerduty" and os.path.exists(os.path.join(FIXTURES, d, "trigger.json")))


def fixture(vendor, name):
    path = os.path.join(FIXTURES, vendor, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def fresh_service(s, *extra):
    """A service of its own (no policy) and an integration on it: (service_id, integration_id,
    key); fixtures' fixed dedup keys then never meet another test's incidents."""
    sid = s.admin("create-service", "--name", new_key("svc"), "--policy", "none")["SERVICE_ID"]
    iid, key = s.create_integration(*extra, service=sid)
    return sid, iid, key


def post(s, vendor, body, key=None, iid=None, headers=None, content_type="application/json"):
    query = "?integrationId=%s" % iid if iid else ""
    h = {"Content-Type": content_type}
    if key:
        h["Authorization"] = "Bearer " + key
    h.update(headers or {})
    return s.http("POST", "/api/integrations/%s%s" % (vendor, query), body, h)


def incidents(s, sid):
    return dict(s.psql("SELECT dedup_key, status FROM incident WHERE service_id = :'s'", s=sid))


def test_every_vendor_trigger_resolve_acknowledge(s):
    checked = []
    for vendor in vendors():
        sid, iid, key = fresh_service(s)
        r = post(s, vendor, fixture(vendor, "trigger"), key, iid)
        assert r.status == 202, (vendor, r)
        body = r.json()
        assert body["status"] == "success" and body["results"], (vendor, body)
        opened = {x["incident"]["dedup_key"] for x in body["results"]
                  if x["action"] == "triggered"}
        assert opened, (vendor, body)
        state = incidents(s, sid)
        assert all(state[k] == "OPEN" for k in opened), (vendor, state)
        for name, status in (("ack", "ACKNOWLEDGED"), ("resolve", "RESOLVED")):
            data = fixture(vendor, name)
            if data is None:
                continue
            r = post(s, vendor, data, key, iid)
            assert r.status == 202, (vendor, name, r)
            moved = {x["incident"]["dedup_key"] for x in r.json()["results"] if "incident" in x}
            assert moved & opened, (vendor, name, r.json(), opened)
            state = incidents(s, sid)
            assert all(state[k] == status for k in moved & opened), (vendor, name, state)
        checked.append(vendor)
    assert len(checked) >= 27, checked  # every vendor of the catalogue + opsgenie


def test_form_encoded_bodies(s):
    for vendor in ("pingdom", "uptimerobot"):
        sid, iid, key = fresh_service(s)
        flat = {k: v for k, v in json.loads(fixture(vendor, "trigger")).items()
                if not isinstance(v, (dict, list))}
        r = post(s, vendor, urllib.parse.urlencode(flat), key, iid,
                 content_type="application/x-www-form-urlencoded")
        assert r.status == 202, (vendor, r)
        assert incidents(s, sid), vendor
    # a vendor that only speaks JSON refuses a form body precisely
    sid, iid, key = fresh_service(s)
    r = post(s, "datadog", "a=1", key, iid, content_type="application/x-www-form-urlencoded")
    assert r.status == 415 and r.json()["error"]["code"] == "unsupported_media_type", r


def test_keys_and_addressing(s):
    sid, iid, key = fresh_service(s)
    body = fixture("webhook", "trigger")
    r = post(s, "webhook", body)
    assert r.status == 401 and r.json()["error"]["code"] == "missing_credentials", r
    r = post(s, "webhook", body, "0" * 32)
    assert r.status == 403 and r.json()["error"]["code"] == "unknown_key", r
    for headers, path in (({"X-Integration-Key": key}, ""), ({}, "?integrationKey=" + key),
                          ({}, "?integration_key=" + key), ({"Authorization": "Token token=" + key}, "")):
        h = {"Content-Type": "application/json"}
        h.update(headers)
        r = s.http("POST", "/api/integrations/webhook" + path, body, h)
        assert r.status == 202, (headers, path, r)
    _, other_key = s.create_integration(service=sid)
    r = post(s, "webhook", body, other_key, iid)
    assert r.status == 401 and r.json()["error"]["code"] == "key_mismatch", r
    s.psql("UPDATE integration SET enabled = false WHERE id = :'i'", i=iid)
    r = post(s, "webhook", body, key)
    assert r.status == 403 and r.json()["error"]["code"] == "integration_disabled", r
    r = post(s, "nosuchvendor", body, key)
    assert r.status == 404 and r.json()["error"]["code"] == "unknown_integration_type", r


def sign(secret, msg, algo=hashlib.sha256):
    return hmac.new(secret.encode(), msg, algo).hexdigest()


def test_signatures(s):
    secret = "s3cret-" + new_key()
    body = fixture("webhook", "trigger")
    sid, iid, key = fresh_service(s, "--signature-secret", secret)

    def code(r):
        return r.status, (r.json().get("error") or {}).get("code")

    assert code(post(s, "webhook", body, key)) == (401, "signature_missing")
    assert code(post(s, "webhook", body, key, headers={"X-Signature": "00" * 32})) == \
        (401, "signature_invalid")
    # the right HMAC over another body
    assert code(post(s, "webhook", body, key, headers={"X-Signature": sign(secret, b"{}")})) == \
        (401, "signature_invalid")
    # the wrong algorithm (SHA-1 where SHA-256 is expected)
    assert code(post(s, "webhook", body, key,
                     headers={"X-Signature": sign(secret, body, hashlib.sha1)})) == \
        (401, "signature_invalid")
    assert post(s, "webhook", body, key, headers={"X-Signature": sign(secret, body)}).status == 202
    assert post(s, "webhook", body, key,
                headers={"X-Webhook-Signature": "sha256=" + sign(secret, body)}).status == 202
    # Slack style: v0=HMAC("v0:{ts}:{body}") within 300 s; a replayed (old) timestamp is refused
    now = int(time.time())
    for ts, expect in ((now, (202, None)), (now - 3600, (401, "signature_expired"))):
        sig = "v0=" + sign(secret, b"v0:%d:" % ts + body)
        r = post(s, "webhook", body, key, headers={"X-Slack-Signature": sig,
                                                   "X-Slack-Request-Timestamp": str(ts)})
        assert (r.status, None if r.status == 202 else r.json()["error"]["code"]) == expect, r

    # the per-vendor schemes
    for vendor, make in (
            ("github", lambda b: {"X-Hub-Signature-256": "sha256=" + sign(secret, b)}),
            ("sentry", lambda b: {"Sentry-Hook-Signature": sign(secret, b)}),
            ("vercel", lambda b: {"X-Vercel-Signature": sign(secret, b, hashlib.sha1)}),
            ("gitlab", lambda b: {"X-Gitlab-Token": secret}),
            ("zabbix", lambda b: {"X-Gitlab-Token": secret}),
            ("grafana", lambda b: {"X-Grafana-Signature": sign(secret, b)}),
            ("grafana", lambda b: {
                "X-Grafana-Alerting-Signature": sign(secret, b"%d:" % now + b),
                "X-Grafana-Alerting-Signature-Timestamp": str(now)})):
        sid, iid, key = fresh_service(s)
        s.psql("UPDATE integration SET signature_secret = :'x' WHERE id = :'i'", x=secret, i=iid)
        data = fixture(vendor, "trigger")
        assert post(s, vendor, data, key).status == 401, vendor
        bad = {k: (v[:-4] + "0000") for k, v in make(data).items() if "Timestamp" not in k}
        assert post(s, vendor, data, key, headers=bad).status == 401, vendor
        r = post(s, vendor, data, key, headers=make(data))
        assert r.status == 202, (vendor, r)


def test_redelivery_yields_one_alert(s):
    sid, iid, key = fresh_service(s)
    data = fixture("github", "trigger")
    delivery = new_key("gh")
    first = post(s, "github", data, key, headers={"X-GitHub-Delivery": delivery})
    again = post(s, "github", data, key, headers={"X-GitHub-Delivery": delivery})
    assert first.status == 202 and again.status == 202, (first, again)
    assert again.json().get("duplicate") is True, again.json()
    assert again.json()["results"] == first.json()["results"]
    n = s.scalar("SELECT count(*) FROM alert WHERE service_id = :'s'", s=sid)
    assert n == "1", n
    # Idempotency-Key works for every vendor
    data = fixture("webhook", "trigger")
    idem = new_key("idem")
    for _ in range(3):
        assert post(s, "webhook", data, key, headers={"Idempotency-Key": idem}).status == 202
    n = s.scalar("SELECT count(*) FROM alert WHERE service_id = :'s'", s=sid)
    assert n == "2", n


def test_batch_is_one_result_per_alert_and_admission(s):
    sid, iid, key = fresh_service(s, "--rate-limit", "1", "--burst", "5")
    batch = json.loads(fixture("prometheus", "trigger"))
    base = copy.deepcopy(batch["alerts"][0])
    alerts = []
    for i in range(20):
        a = copy.deepcopy(base)
        a["fingerprint"] = "fp-batch-%d" % i
        a["status"] = "firing"
        alerts.append(a)
    # the first accepted event teaches the pool this integration's own limit (5)
    one = dict(batch, alerts=alerts[:1])
    r = post(s, "prometheus", one, key)
    assert r.status == 202 and len(r.json()["results"]) == 1, r
    r = post(s, "prometheus", dict(batch, alerts=alerts), key)
    assert r.status == 429, r
    assert int(r.headers["retry-after"]) >= 1, r.headers
    assert r.headers["x-ratelimit-remaining"] == "0", r.headers
    assert int(r.headers["x-ratelimit-reset"]) >= int(time.time()), r.headers
    # resolves are never throttled, whatever the batch size
    for a in alerts:
        a["status"] = "resolved"
        a["endsAt"] = "2020-01-01T00:00:00Z"
    r = post(s, "prometheus", dict(batch, status="resolved", alerts=alerts), key)
    assert r.status == 202, r
    assert len(r.json()["results"]) == 20, r.json()
    assert incidents(s, sid) == {"fp-batch-0": "RESOLVED"}, incidents(s, sid)


def test_foreign_payloads_and_bad_bodies(s):
    sid, iid, key = fresh_service(s)
    names = vendors()
    accepted = []
    for vendor in names:
        for other in names:
            if other == vendor or vendor in ANY_OBJECT or (vendor, other) in SAME_SHAPE:
                continue
            r = post(s, vendor, fixture(other, "trigger"), key)
            if r.status == 202:
                accepted.append("%s<-%s" % (vendor, other))
                continue
            assert 400 <= r.status < 500, (vendor, other, r)
            assert r.json()["error"]["code"] == "invalid_payload", (vendor, other, r)
            assert r.json()["error"]["message"].startswith(vendor), (vendor, other, r)
    for vendor in names:
        for bad, expect in ((b"", "invalid_json"), (b"[]", "invalid_payload"),
                            (b"[1,2]", "invalid_payload"), (b"{\"a\":", "invalid_json"),
                            (b"\"text\"", "invalid_payload"), (b"{}", "invalid_payload")):
            r = post(s, vendor, bad, key)
            assert r.status == 400 and r.json()["error"]["code"] == expect, (vendor, bad, r)
        if vendor not in ("pingdom", "uptimerobot", "nagios"):
            r = post(s, vendor, "a=1&b=2", key, content_type="application/x-www-form-urlencoded")
            assert r.status == 415 and r.json()["error"]["code"] == "unsupported_media_type", \
                (vendor, r)
    assert not accepted, "endpoints that took another vendor's payload: " + " ".join(accepted)
    assert incidents(s, sid) == {}, incidents(s, sid)
    big = b"{\"x\":\"" + b"a" * (520 * 1024) + b"\"}"
    r = post(s, "webhook", big, key)
    assert r.status == 413 and r.json()["error"]["code"] == "payload_too_large", r
