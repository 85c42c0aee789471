"""Configuration made through the REST API (issue 5) doing its job end to end: integration keys,
their URLs, rotation of the key and of the signature secret, disabling; outbound service webhooks
and status-page webhooks delivered by the worker to a local sink; schedules answering /oncall;
escalation policies paging their target; in-app notifications listed and marked read."""

import hashlib
import hmac
import json
import os
import re
import time

from harness import ROOT, wait_for
from sinks import HTTPSink, SMTPSink
from test_resources_lib import (api, assert_error, count, created, get, in_app, integration,
                                list_all, pd_trigger, service, team, uniq, user)
from workerlib import quiesce, sign, smtp_provider, timeline

FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def fixture(vendor):
    with open(os.path.join(FIXTURES, vendor, "trigger.json"), "rb") as f:
        return f.read()


def vendor_post(s, vendor, key, body=None, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return s.http("POST", "/api/integrations/%s?integration_key=%s" % (vendor, key),
                  body if body is not None else fixture(vendor), h)


def incident_of(s, dedup):
    return s.scalar("SELECT id FROM incident WHERE dedup_key = :'k'", k=dedup)


# --- integrations ----------------------------------------------------------------------------

def test_integration_key_and_urls(s):
    svc = service(s)["id"]
    r = api(s, "POST", "/api/services/%s/integrations" % svc, {"name": uniq("int")})
    assert r.status == 201, r
    d = r.json()["data"]
    key = d["key"]
    assert re.fullmatch(r"[0-9a-f]{32}", key), key
    assert d["key_prefix"] == key[:6], d
    urls = d["urls"]
    vendors = sorted(v for v in os.listdir(FIXTURES) if v != "pagerduty"
                     and os.path.exists(os.path.join(FIXTURES, v, "trigger.json")))
    for v in vendors + ["prometheus", "github", "webhook"]:
        assert urls.get(v, "").endswith("/api/integrations/%s?integration_key=%s" % (v, key)), \
            (v, urls.get(v))
    assert urls["events_api_v2"].endswith("/v2/enqueue"), urls
    assert urls["events"].endswith("/api/events?integration_key=" + key), urls
    assert all(u.startswith(("http://", "https://")) for u in urls.values()), urls
    # GET and list never show the key (nor its hash)
    url = "/api/services/%s/integrations/%s" % (svc, d["id"])
    for row in [get(s, url)] + get(s, "/api/services/%s/integrations" % svc):
        assert "key" not in row and "urls" not in row and "key_hash" not in row, row
        assert key not in json.dumps(row), row
    assert s.scalar("SELECT key_hash <> :'k' FROM integration WHERE id = :'i'", k=key,
                    i=d["id"]) == "t"

    # the key works on a vendor endpoint, on /v2/enqueue and on /api/events
    r = vendor_post(s, "prometheus", key)
    assert r.status == 202, r
    r, dedup = pd_trigger(s, key)
    assert r.status == 202 and r.json()["status"] == "success", r
    assert s.scalar("SELECT service_id FROM incident WHERE dedup_key = :'k'", k=dedup) == svc
    r = s.http("POST", "/api/events?integration_key=" + key,
               {"event_action": "trigger", "dedup_key": uniq("ev"),
                "payload": {"summary": "x", "source": "y", "severity": "info"}})
    assert r.status == 202, r


def test_rotate_key_and_secret_and_disable(s):
    svc = service(s)["id"]
    i = integration(s, svc)
    old = i["key"]
    base = "/api/services/%s/integrations/%s" % (svc, i["id"])

    # rotate-key honours If-Match: a stale tag rotates nothing
    assert_error(api(s, "POST", base + "/rotate-key", headers={"If-Match": '"stale"'}), 412,
                 "version_mismatch")
    assert pd_trigger(s, old)[0].status == 202
    # rotate-key: the old key is now unknown, the new one works
    r = api(s, "POST", base + "/rotate-key", headers={"If-Match": api(s, "GET", base).headers[
        "etag"]})
    assert r.status == 200, r
    d = r.json()["data"]
    new = d["key"]
    assert new != old and d["key_prefix"] == new[:6] and d["id"] == i["id"], d
    assert d["urls"]["prometheus"].endswith("integration_key=" + new), d["urls"]
    assert r.headers.get("etag"), r.headers
    assert_error(vendor_post(s, "prometheus", old), 403, "unknown_key")
    assert pd_trigger(s, old)[0].status == 404
    assert vendor_post(s, "prometheus", new).status == 202
    assert pd_trigger(s, new)[0].status == 202
    assert "key" not in get(s, base)

    # rotate-secret: shown once; unsigned deliveries are then refused, signed ones accepted
    r = api(s, "POST", base + "/rotate-secret")
    assert r.status == 200, r
    d = r.json()["data"]
    secret = d["signature_secret"]
    assert re.fullmatch(r"[0-9a-f]{64}", secret) and d["has_signature_secret"] is True, d
    g = get(s, base)
    assert g["has_signature_secret"] is True and "signature_secret" not in g, g
    body = fixture("github")
    good = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert_error(vendor_post(s, "github", new), 401, "signature_missing")
    assert_error(vendor_post(s, "github", new, headers={"X-Hub-Signature-256": good[:-4] + "0000"}),
                 401, "signature_invalid")
    r = vendor_post(s, "github", new, headers={"X-Hub-Signature-256": good})
    assert r.status == 202, r
    # a second rotation invalidates the first secret
    secret2 = api(s, "POST", base + "/rotate-secret").json()["data"]["signature_secret"]
    assert secret2 != secret
    assert_error(vendor_post(s, "github", new, headers={"X-Hub-Signature-256": good}), 401,
                 "signature_invalid")
    good2 = "sha256=" + hmac.new(secret2.encode(), body, hashlib.sha256).hexdigest()
    assert vendor_post(s, "github", new, headers={"X-Hub-Signature-256": good2}).status == 202
    # clearing the secret: unsigned accepted again
    r = api(s, "PATCH", base, {"signature_secret": None})
    assert r.status == 200 and r.json()["data"]["has_signature_secret"] is False, r
    assert vendor_post(s, "github", new).status == 202

    # enabled=false refuses deliveries; true accepts them again
    r = api(s, "PATCH", base, {"enabled": False})
    assert r.status == 200 and r.json()["data"]["enabled"] is False, r
    assert_error(vendor_post(s, "prometheus", new), 403, "integration_disabled")
    assert pd_trigger(s, new)[0].status == 404
    assert api(s, "PATCH", base, {"enabled": True}).status == 200
    assert vendor_post(s, "prometheus", new).status == 202

    # deleted: the key is unknown
    assert api(s, "DELETE", base).status == 204
    assert_error(vendor_post(s, "prometheus", new), 403, "unknown_key")


def test_rate_limits_set_through_the_api(s):
    """rate_limit_per_sec / rate_limit_burst set through the API are the integration's bucket.
    The pool learns an integration's limits from its accepted events, so a change applies from
    the next accepted event (at most 1/rate_limit_per_sec later)."""
    svc = service(s)["id"]
    i = integration(s, svc, rate_limit_per_sec=1, rate_limit_burst=3)
    assert (i["rate_limit_per_sec"], i["rate_limit_burst"]) == (1, 3), i
    key = i["key"]
    assert pd_trigger(s, key)[0].status == 202  # the pool learns the limit from this one
    statuses = [pd_trigger(s, key)[0].status for _ in range(10)]
    assert 429 in statuses and set(statuses) <= {202, 429}, statuses
    r = api(s, "PATCH", "/api/services/%s/integrations/%s" % (svc, i["id"]),
            {"rate_limit_per_sec": 1000, "rate_limit_burst": 1000})
    assert r.status == 200, r
    time.sleep(1.2)  # one token at the old rate: the next accepted event brings the new limits
    statuses = [pd_trigger(s, key)[0].status for _ in range(10)]
    assert statuses == [202] * 10, statuses
    # lowered again: throttled after at most one event under the old limits
    r = api(s, "PATCH", "/api/services/%s/integrations/%s" % (svc, i["id"]),
            {"rate_limit_per_sec": 1, "rate_limit_burst": 1})
    statuses = [pd_trigger(s, key)[0].status for _ in range(10)]
    assert 429 in statuses and statuses.count(202) <= 2, statuses


# --- outbound webhooks ---------------------------------------------------------------------------

def test_service_webhook_is_delivered(s):
    """The issue's example: a GENERIC webhook on a service + notification_channels WEBHOOK and
    notify_on_triggered, then an event on the service reaches the receiver."""
    secret = "wh-" + uniq("secret")
    with HTTPSink() as web:
        svc = service(s)["id"]
        r = api(s, "POST", "/api/services/%s/webhooks" % svc,
                {"name": uniq("wh"), "type": "GENERIC", "url": web.url + "/hook",
                 "secret": secret})
        assert r.status == 201, r
        hook = r.json()["data"]
        assert hook["has_secret"] is True and "secret" not in hook, hook
        r = api(s, "PATCH", "/api/services/" + svc,
                {"notification_channels": ["WEBHOOK"], "notify_on_triggered": True})
        assert r.status == 200, r
        assert r.json()["data"]["notification_channels"] == ["WEBHOOK"]
        key = integration(s, svc)["key"]
        r, dedup = pd_trigger(s, key)
        assert r.status == 202, r
        inc = incident_of(s, dedup)
        [req] = web.wait_for("/hook", timeout=10)
        body = req.json()
        assert body["event"]["type"] == "triggered" and body["incident"]["id"] == inc, body
        assert body["incident"]["service"]["id"] == svc, body
        ts = req.headers["X-OpsKnight-Timestamp"]
        assert req.headers["X-OpsKnight-Signature"] == sign(secret, ts.encode() + b"." + req.body)


def test_no_delivery_when_not_asked(s):
    with HTTPSink() as web:
        # notify_on_triggered false
        off = service(s)["id"]
        created(s, "/api/services/%s/webhooks" % off,
                {"name": uniq("wh"), "type": "GENERIC", "url": web.url + "/off"})
        r = api(s, "PATCH", "/api/services/" + off,
                {"notification_channels": ["WEBHOOK"], "notify_on_triggered": False})
        assert r.status == 200 and r.json()["data"]["notify_on_triggered"] is False, r
        # a disabled webhook
        dis = service(s, notification_channels=["WEBHOOK"])["id"]
        created(s, "/api/services/%s/webhooks" % dis,
                {"name": uniq("wh"), "type": "GENERIC", "url": web.url + "/disabled",
                 "enabled": False})
        # WEBHOOK not among the channels
        quiet = service(s)["id"]
        created(s, "/api/services/%s/webhooks" % quiet,
                {"name": uniq("wh"), "type": "GENERIC", "url": web.url + "/quiet"})
        # and one that does deliver, so the worker is proven to run
        on = service(s, notification_channels=["WEBHOOK"])["id"]
        created(s, "/api/services/%s/webhooks" % on,
                {"name": uniq("wh"), "type": "GENERIC", "url": web.url + "/on"})
        incs = []
        for svc in (off, dis, quiet, on):
            r, dedup = pd_trigger(s, integration(s, svc)["key"])
            assert r.status == 202, r
            incs.append(incident_of(s, dedup))
        web.wait_for("/on", timeout=10)
        for inc in incs:
            quiesce(s, inc)
        paths = [r.path for r in web.requests]
        assert paths == ["/on"], paths
        # notify_on_resolved is still on for the first service: its resolve is delivered
        dedup = s.scalar("SELECT dedup_key FROM incident WHERE id = :'i'", i=incs[0])
        key = integration(s, off)["key"]
        r = s.http("POST", "/v2/enqueue", {"routing_key": key, "event_action": "resolve",
                                           "dedup_key": dedup})
        assert r.status == 202, r
        [req] = web.wait_for("/off", timeout=10)
        assert req.json()["event"]["type"] == "resolved", req.json()


def test_status_page_webhook_through_the_api(s):
    with HTTPSink() as web:
        svc = service(s)["id"]
        page = created(s, "/api/status-pages", {"name": uniq("page"), "enabled": True})["id"]
        created(s, "/api/status-pages/%s/services" % page, {"service_id": svc})
        r = api(s, "POST", "/api/status-pages/%s/webhooks" % page,
                {"url": web.url + "/status", "events": ["incident.created"]})
        assert r.status == 201, r
        secret = r.json()["data"]["secret"]  # generated, shown once
        hook = r.json()["data"]["id"]
        assert "secret" not in get(s, "/api/status-pages/%s/webhooks/%s" % (page, hook))
        try:
            r, dedup = pd_trigger(s, integration(s, svc)["key"])
            assert r.status == 202, r
            inc = incident_of(s, dedup)
            [req] = web.wait_for("/status", timeout=10,
                                 where=lambda q: q.json()["data"]["id"] == inc)
            assert req.json()["event"] == "incident.created"
            assert req.headers["X-Webhook-Signature"] == sign(secret, req.body)
            assert wait_for(lambda: get(s, "/api/status-pages/%s/webhooks/%s"
                                        % (page, hook))["last_triggered_at"], 5)
        finally:
            api(s, "PATCH", "/api/status-pages/" + page, {"enabled": False})


# --- schedules -----------------------------------------------------------------------------------

def test_schedule_built_through_the_api_answers_oncall(s):
    alice, bob, carol, dave = (user(s, "USER") for _ in range(4))
    sched = created(s, "/api/schedules", {"name": uniq("sched"), "time_zone": "UTC"})["id"]
    layer = created(s, "/api/schedules/%s/layers" % sched,
                    {"name": "primary", "start_at": "2024-01-01T00:00:00Z",
                     "rotation_length_hours": 24})["id"]
    lu = "/api/schedules/%s/layers/%s/users" % (sched, layer)
    created(s, lu, {"user_id": alice["id"], "position": 0})
    created(s, lu, {"user_id": bob["id"], "position": 1})
    ov = created(s, "/api/schedules/%s/overrides" % sched,
                 {"user_id": carol["id"], "replaces_user_id": alice["id"],
                  "start_at": "2024-01-01T10:00:00Z", "end_at": "2024-01-01T12:00:00Z"})["id"]

    def who(at):
        r = api(s, "GET", "/api/schedules/%s/oncall?at=%s" % (sched, at))
        assert r.status == 200, (at, r)
        return [u["id"] for u in r.json()["data"]["users"]]

    assert who("2023-12-31T23:00:00Z") == []
    assert who("2024-01-01T05:00:00Z") == [alice["id"]]
    assert who("2024-01-01T11:00:00Z") == [carol["id"]]  # the override
    assert who("2024-01-01T12:00:00Z") == [alice["id"]]
    assert who("2024-01-02T05:00:00Z") == [bob["id"]]
    assert who("2024-01-03T05:00:00Z") == [alice["id"]]

    # a higher-priority layer restricted to 09-17 holds dave
    top = created(s, "/api/schedules/%s/layers" % sched,
                  {"name": "day", "start_at": "2024-01-01T00:00:00Z", "priority": 10,
                   "restrictions": {"start_hour": 9, "end_hour": 17}})["id"]
    created(s, "/api/schedules/%s/layers/%s/users" % (sched, top), {"user_id": dave["id"]})
    assert who("2024-01-02T10:00:00Z") == [dave["id"]]
    assert who("2024-01-02T18:00:00Z") == [bob["id"]]
    # the patched rotation order, the deleted override and layer are followed at once
    r = api(s, "PATCH", lu + "/" + alice["id"], {"position": 2})
    assert r.status == 200 and r.json()["data"]["position"] == 2, r
    assert who("2024-01-01T05:00:00Z") == [bob["id"]]
    assert api(s, "DELETE", "/api/schedules/%s/overrides/%s" % (sched, ov)).status == 204
    assert api(s, "DELETE", "/api/schedules/%s/layers/%s" % (sched, top)).status == 204
    assert who("2024-01-02T10:00:00Z") == [alice["id"]]
    assert who("2024-01-01T11:00:00Z") == [bob["id"]]
    # removing a user from the layer
    assert api(s, "DELETE", lu + "/" + bob["id"]).status == 204
    assert who("2024-01-01T05:00:00Z") == [alice["id"]]


# --- escalation ----------------------------------------------------------------------------------

def test_escalation_policy_built_through_the_api_pages(s):
    with SMTPSink() as mail, smtp_provider(s, mail):
        escalate(s, mail)


def escalate(s, mail):
    u = user(s, "RESPONDER", scopes=["services:read"], email_notifications_enabled=True)
    pol = created(s, "/api/escalation-policies", {"name": uniq("pol")})["id"]
    rule = created(s, "/api/escalation-policies/%s/rules" % pol,
                   {"target_type": "USER", "target_user_id": u["id"],
                    "notification_channels": ["EMAIL"]})
    assert rule["step_order"] == 0
    svc = service(s)["id"]
    r = api(s, "PATCH", "/api/services/" + svc, {"escalation_policy_id": pol})
    assert r.status == 200 and r.json()["data"]["escalation_policy_id"] == pol, r
    r, dedup = pd_trigger(s, integration(s, svc)["key"])
    assert r.status == 202, r
    inc = incident_of(s, dedup)
    assert wait_for(lambda: count(s, "in_app_notification", "user_id = :'u' AND entity_id = :'i' "
                                  "AND title = 'Action Required'", u=u["id"], i=inc) == 1, 10), \
        timeline(s, inc)
    quiesce(s, inc)
    assert s.psql("SELECT type, status FROM background_job WHERE incident_id = :'i' AND "
                  "type = 'ESCALATION'", i=inc) == [("ESCALATION", "COMPLETED")]
    assert "Escalated to %s (Level 1)" % u["name"] in timeline(s, inc, "ESCALATED"), \
        timeline(s, inc)
    assert s.scalar("SELECT assignee_id FROM incident WHERE id = :'i'", i=inc) == u["id"]
    [msg] = mail.wait_for(count=1, to=u["email"], timeout=10)
    assert msg.subject.startswith("[CRITICAL]"), msg.subject
    assert wait_for(lambda: s.psql("SELECT user_id, channel, status FROM notification WHERE "
                                   "incident_id = :'i'", i=inc) == [(u["id"], "EMAIL", "SENT")], 5)
    # the page is the user's unread in-app notification
    rows = get(s, "/api/notifications?read=false", key=u["token"])
    assert [(n["entity_id"], n["title"], n["read"]) for n in rows] == \
        [(inc, "Action Required", False)], rows


def test_escalation_to_a_schedule_and_a_team_built_through_the_api(s):
    oncall_user, member, muted = (user(s, "USER") for _ in range(3))
    sched = created(s, "/api/schedules", {"name": uniq("sched")})["id"]
    layer = created(s, "/api/schedules/%s/layers" % sched,
                    {"name": "all day", "start_at": "2024-01-01T00:00:00Z"})["id"]
    created(s, "/api/schedules/%s/layers/%s/users" % (sched, layer),
            {"user_id": oncall_user["id"]})
    tid = team(s)
    created(s, "/api/teams/%s/members" % tid, {"user_id": member["id"]})
    created(s, "/api/teams/%s/members" % tid, {"user_id": muted["id"],
                                                "receive_team_notifications": False})
    for target, who, silent in (({"target_type": "SCHEDULE", "target_schedule_id": sched},
                                 [oncall_user], []),
                                ({"target_type": "TEAM", "target_team_id": tid}, [member],
                                 [muted])):
        pol = created(s, "/api/escalation-policies", {"name": uniq("pol")})["id"]
        created(s, "/api/escalation-policies/%s/rules" % pol, target)
        svc = service(s, escalation_policy_id=pol)["id"]
        r, dedup = pd_trigger(s, integration(s, svc)["key"])
        assert r.status == 202, r
        inc = incident_of(s, dedup)
        for u in who:
            assert wait_for(lambda: count(s, "in_app_notification", "user_id = :'u' AND "
                                          "entity_id = :'i'", u=u["id"], i=inc) == 1, 10), \
                (target, timeline(s, inc))
        quiesce(s, inc)
        for u in silent:
            assert count(s, "in_app_notification", "user_id = :'u' AND entity_id = :'i'",
                         u=u["id"], i=inc) == 0, target


# --- notifications -------------------------------------------------------------------------------

def test_notifications_list_and_mark_read(s):
    a = user(s, "USER", scopes=["services:read"])
    b = user(s, "USER", scopes=["services:read"])
    a1, a2, a3 = (in_app(s, a["id"], "a%d" % i) for i in (1, 2, 3))
    a4 = in_app(s, a["id"], "a4", read=True)
    b1, b2 = in_app(s, b["id"], "b1"), in_app(s, b["id"], "b2")

    def ids(path, key):
        return {n["id"] for n in get(s, path, key=key)}

    assert ids("/api/notifications?read=false", a["token"]) == {a1, a2, a3}
    assert ids("/api/notifications?read=true", a["token"]) == {a4}
    assert ids("/api/notifications", a["token"]) == {a1, a2, a3, a4}
    assert ids("/api/notifications?q=a2", a["token"]) == {a2}
    assert ids("/api/notifications?read=false", b["token"]) == {b1, b2}
    # not even the ADMIN sees them
    assert not {n["id"] for n in list_all(s, "/api/notifications")} & {a1, a2, a3, a4, b1, b2}
    row = [n for n in get(s, "/api/notifications", key=a["token"]) if n["id"] == a1][0]
    assert (row["user_id"], row["title"], row["read"], row["read_at"]) == \
        (a["id"], "a1", False, None), row
    assert_error(api(s, "GET", "/api/notifications?read=maybe", key=a["token"]), 400,
                 "invalid_parameter", "read")

    # by ids: another user's id in the list is left alone
    r = api(s, "POST", "/api/notifications/read", {"ids": [a1, b1]}, key=a["token"])
    assert r.status == 200, r
    assert r.json()["data"] == {"marked": 1, "unread_count": 2}, r.json()
    assert ids("/api/notifications?read=false", a["token"]) == {a2, a3}
    row = [n for n in get(s, "/api/notifications", key=a["token"]) if n["id"] == a1][0]
    assert row["read"] is True and row["read_at"].endswith("Z"), row
    # marking again changes nothing
    r = api(s, "POST", "/api/notifications/read", {"ids": [a1]}, key=a["token"])
    assert r.json()["data"] == {"marked": 0, "unread_count": 2}, r.json()
    # all
    r = api(s, "POST", "/api/notifications/read", {"all": True}, key=a["token"])
    assert r.status == 200 and r.json()["data"] == {"marked": 2, "unread_count": 0}, r
    assert ids("/api/notifications?read=false", a["token"]) == set()
    assert ids("/api/notifications?read=false", b["token"]) == {b1, b2}
    assert count(s, "in_app_notification", "user_id = :'u' AND read_at IS NULL", u=b["id"]) == 2

    # bad bodies
    for body, code, field in (({}, "missing_field", "ids"),
                              ({"all": False}, "missing_field", "ids"),
                              ({"ids": ["x"]}, "invalid_field", "ids"),
                              ({"ids": []}, "invalid_field", "ids"),
                              ({"ids": a1}, "invalid_field", "ids"),
                              ({"all": "yes"}, "invalid_field", "all"),
                              ({"ids": [a1], "bogus": 1}, "unknown_field", "bogus")):
        assert_error(api(s, "POST", "/api/notifications/read", body, key=b["token"]), 422, code,
                     field)
    assert_error(api(s, "POST", "/api/notifications/read", {"all": True}, key=False), 401,
                 "missing_credentials")
    assert count(s, "in_app_notification", "user_id = :'u' AND read_at IS NULL", u=b["id"]) == 2
