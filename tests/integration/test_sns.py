"""AWS SNS on the cloudwatch endpoint: signed notifications verified against the signing
certificate, unknown certificates fetched by the worker (503 meanwhile), subscription
confirmations visited by the worker, and the per-integration switch for tests without AWS.
Messages are signed here with the throwaway key of tests/fixtures/sns (openssl)."""

import base64
import json
import os
import subprocess

from harness import ROOT, new_key, wait_for
from sinks import HTTPSink

SNS = os.path.join(ROOT, "tests", "fixtures", "sns")
CLOUDWATCH = os.path.join(ROOT, "tests", "fixtures", "cloudwatch")
NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn",
                     "Type")


def sign(m, version="2"):
    keys = NOTIFICATION_KEYS if m["Type"] == "Notification" else CONFIRMATION_KEYS
    text = "".join("%s\n%s\n" % (k, m[k]) for k in keys if k in m)
    digest = "-sha256" if version == "2" else "-sha1"
    sig = subprocess.run(["openssl", "dgst", digest, "-sign", os.path.join(SNS, "test-key.pem")],
                         input=text.encode(), capture_output=True, check=True).stdout
    m["SignatureVersion"] = version
    m["Signature"] = base64.b64encode(sig).decode()
    return m


def cert_url():
    return "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-%s.pem" % new_key("t")


def message(name, url):
    with open(os.path.join(CLOUDWATCH, name)) as f:
        m = json.load(f)
    m["SigningCertURL"] = url
    m["MessageId"] = new_key("msg")
    return m


def setup(s, verify=True):
    sid = s.admin("create-service", "--name", new_key("sns"), "--policy", "none")["SERVICE_ID"]
    iid, key = s.create_integration(*([] if verify else ["--no-sns-verify"]), service=sid)
    return sid, iid, key


def post(s, key, m):
    # SNS posts with Content-Type text/plain
    return s.http("POST", "/api/integrations/cloudwatch?integrationKey=" + key, json.dumps(m),
                  {"Content-Type": "text/plain; charset=UTF-8"})


def register_cert(s, url):
    with open(os.path.join(SNS, "test-cert.pem")) as f:
        s.psql("INSERT INTO sns_certificate (url, pem) VALUES (:'u', :'p')", u=url, p=f.read())


def test_signed_notification_is_verified(s):
    sid, iid, key = setup(s)
    url = cert_url()
    register_cert(s, url)
    for version in ("1", "2"):
        m = sign(message("sns-trigger.json", url), version)
        r = post(s, key, m)
        assert r.status == 202, (version, r)
        assert r.json()["result"]["action"] in ("triggered", "deduplicated"), r.json()
        # SNS redelivers with the same MessageId: answered again, stored once
        again = post(s, key, m)
        assert again.status == 202 and again.json().get("duplicate") is True, again
    assert s.scalar("SELECT count(*) FROM alert WHERE service_id = :'s'", s=sid) == "2"
    tampered = sign(message("sns-trigger.json", url))
    tampered["Timestamp"] = "2030-01-01T00:00:00.000Z"
    r = post(s, key, tampered)
    assert r.status == 401 and r.json()["error"]["code"] == "signature_invalid", r
    foreign = sign(message("sns-trigger.json", "https://evil.example/cert.pem"))
    r = post(s, key, foreign)
    assert r.status == 401 and r.json()["error"]["code"] == "signature_invalid", r
    resolve = sign(message("sns-resolve.json", url))
    r = post(s, key, resolve)
    assert r.status == 202 and r.json()["result"]["action"] == "resolved", r.json()


def test_unknown_certificate_is_fetched_meanwhile_503(s):
    sid, iid, key = setup(s)
    url = cert_url()
    with s.paused("worker"):
        r = post(s, key, sign(message("sns-trigger.json", url)))
        assert r.status == 503 and r.json()["error"]["code"] == "signature_pending", r
        assert int(r.headers["retry-after"]) >= 1, r.headers
        jobs = s.scalar("SELECT count(*) FROM background_job WHERE type = 'SNS_CERT' "
                        "AND payload->>'url' = :'u' AND status = 'PENDING'", u=url)
        assert jobs == "1", jobs
        # a second delivery does not queue a second fetch
        assert post(s, key, sign(message("sns-trigger.json", url))).status == 503
        assert s.scalar("SELECT count(*) FROM background_job WHERE type = 'SNS_CERT' "
                        "AND payload->>'url' = :'u'", u=url) == "1"
    assert s.scalar("SELECT count(*) FROM alert WHERE service_id = :'s'", s=sid) == "0"


def test_verification_can_be_turned_off_per_integration(s):
    sid, iid, key = setup(s, verify=False)
    m = message("sns-trigger.json", "https://evil.example/cert.pem")
    m["Signature"] = "bm90IGEgc2lnbmF0dXJl"
    m["SignatureVersion"] = "1"
    r = post(s, key, m)
    assert r.status == 202 and r.json()["result"]["action"] == "triggered", r


def test_subscription_confirmation(s):
    with HTTPSink() as sink:
        # without verification (tests): the worker visits any SubscribeURL
        sid, iid, key = setup(s, verify=False)
        m = message("sns-subscription-confirmation.json", cert_url())
        m["SubscribeURL"] = sink.url + "/confirm?Token=abc"
        r = post(s, key, m)
        assert r.status == 200 and r.json() == {"status": "subscription_confirmation_queued"}, r
        got = sink.wait_for(path="/confirm", count=1, timeout=15)
        assert got[0].method == "GET", got
        assert wait_for(lambda: s.scalar(
            "SELECT status FROM background_job WHERE type = 'SNS_CONFIRM' "
            "AND payload->>'url' = :'u'", u=m["SubscribeURL"]) == "COMPLETED", timeout=10)
        assert s.scalar("SELECT count(*) FROM incident WHERE service_id = :'s'", s=sid) == "0"

    # with verification: signed by AWS's certificate, and SubscribeURL must be AWS's
    sid, iid, key = setup(s)
    url = cert_url()
    register_cert(s, url)
    m = message("sns-subscription-confirmation.json", url)
    m["SubscribeURL"] = "http://127.0.0.1:9/confirm"
    r = post(s, key, sign(m))
    assert r.status == 400 and r.json()["error"]["code"] == "sns_url_refused", r
    m = message("sns-subscription-confirmation.json", url)
    r = post(s, key, m)  # unsigned
    assert r.status == 401 and r.json()["error"]["code"] == "signature_invalid", r
    with s.paused("worker"):
        m = message("sns-subscription-confirmation.json", url)
        r = post(s, key, sign(m))
        assert r.status == 200, r
        assert s.scalar("SELECT count(*) FROM background_job WHERE type = 'SNS_CONFIRM' "
                        "AND payload->>'url' = :'u'", u=m["SubscribeURL"]) == "1"
