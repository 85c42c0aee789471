"""The HTTP conventions of the configuration resources (issue 5): keyset pagination stable under
inserts, limits (default 50, clamped to 200), bad limits and cursors (400), If-Match (412, nothing
changed), If-None-Match (304), and Idempotency-Key (replay answers the first answer with
"replayed": true, one row only; another body under the same key is 422; generated secrets are not
shown again)."""

import threading
import uuid

from test_resources_lib import (api, assert_error, count, created, get, integration, pd_trigger,
                                service, uniq, user)


def page(s, path, key=None):
    r = api(s, "GET", path, key=key)
    assert r.status == 200, (path, r)
    body = r.json()
    assert set(body) == {"data", "next_cursor"}, body.keys()
    return body["data"], body["next_cursor"]


def insert_teams(s, prefix, n):
    """n teams in ONE statement: they share created_at (ok_now() of one transaction)."""
    s.psql("INSERT INTO team (name) SELECT :'p' || '-' || g FROM generate_series(1, :'n'::int) g",
           p=prefix, n=n)


def test_cursor_walk_is_stable_under_inserts(s):
    prefix = uniq("pg")
    first = [created(s, "/api/teams", {"name": "%s-a%02d" % (prefix, i)})["id"]
             for i in range(12)]
    seen, cursor, pages, added = [], None, 0, []
    while True:
        rows, cursor = page(s, "/api/teams?q=%s&limit=5%s" % (prefix, "&cursor=" + cursor
                                                               if cursor else ""))
        pages += 1
        assert len(rows) <= 5
        seen += [r["id"] for r in rows]
        if pages <= 2:  # rows inserted while walking
            added += [created(s, "/api/teams", {"name": "%s-b%d-%d" % (prefix, pages, i)})["id"]
                      for i in range(3)]
        if not cursor:
            break
        assert pages < 20
    assert len(seen) == len(set(seen)), "a row was repeated"
    missing = [i for i in first if i not in seen]
    assert not missing, "rows skipped: %r" % missing
    assert seen[:12] == first, "not in creation order"
    assert set(seen) <= set(first) | set(added)


def test_ties_on_created_at_are_broken_by_id(s):
    prefix = uniq("tie")
    insert_teams(s, prefix, 7)
    ids = sorted(r[0] for r in s.psql("SELECT id FROM team WHERE name LIKE :'p' || '-%'",
                                      p=prefix))
    assert s.scalar("SELECT count(DISTINCT created_at) FROM team WHERE name LIKE :'p' || '-%'",
                    p=prefix) == "1"
    seen, cursor = [], None
    for _ in range(10):
        rows, cursor = page(s, "/api/teams?q=%s&limit=2%s" % (prefix, "&cursor=" + cursor
                                                               if cursor else ""))
        seen += [r["id"] for r in rows]
        if not cursor:
            break
    assert seen == ids, (seen, ids)


def test_limits_default_and_clamp(s):
    prefix = uniq("many")
    insert_teams(s, prefix, 210)
    rows, cursor = page(s, "/api/teams?q=" + prefix)
    assert len(rows) == 50 and cursor, len(rows)
    for limit in ("201", "1000", "99999999999"):
        rows, cursor = page(s, "/api/teams?q=%s&limit=%s" % (prefix, limit))
        assert len(rows) == 200 and cursor, (limit, len(rows))
    rows2, cursor2 = page(s, "/api/teams?q=%s&limit=1000&cursor=%s" % (prefix, cursor))
    assert len(rows2) == 10 and cursor2 is None, (len(rows2), cursor2)
    assert not {r["id"] for r in rows} & {r["id"] for r in rows2}
    rows, cursor = page(s, "/api/teams?q=%s&limit=1" % prefix)
    assert len(rows) == 1 and cursor
    # a page that holds the rest has no cursor
    rows, cursor = page(s, "/api/teams?q=%s-1&limit=200" % prefix)  # -1, -10..-19, -100..-199
    assert len(rows) == 111 and cursor is None, len(rows)


def test_bad_limit_and_cursor_are_400(s):
    for limit in ("0", "-1", "abc", "1.5", "", "10abc"):
        assert_error(api(s, "GET", "/api/teams?limit=" + limit), 400, "invalid_parameter",
                     "limit")
    good_id = str(uuid.uuid4())
    failures = []
    for cursor in ("garbage", "2024-01-01T00:00:00Z_" + good_id,
                   "2024-01-01T00:00:00.000000Z_not-a-uuid",
                   "2024-01-01T00:00:00.000000Z_%27%20OR%201=1--",
                   # the right shape, but not a date / not a UUID
                   "2024-13-45T00:00:00.000000Z_" + good_id,
                   "2024-01-01T00:00:00.000000Z_" + "-" * 36,
                   "2024-01-01T00:00:00.000000Z_" + "a" * 36):
        try:
            assert_error(api(s, "GET", "/api/teams?cursor=" + cursor), 400, "invalid_parameter",
                         "cursor")
        except AssertionError as e:
            failures.append("cursor=%s: %s" % (cursor, e))
    assert not failures, " | ".join(failures)
    for path in ("/api/services", "/api/users", "/api/api-keys", "/api/notifications"):
        assert_error(api(s, "GET", path + "?cursor=nope"), 400, "invalid_parameter", "cursor")


# --- conditional requests ------------------------------------------------------------------------

def test_if_match_and_if_none_match(s):
    svc = service(s, region="r0")
    url = "/api/services/" + svc["id"]
    g = api(s, "GET", url)
    e1 = g.headers["etag"]
    before = g.json()["data"]
    for stale in ('"0123456789abcdef0123456789abcdef"', "nonsense", '"%s"' % uuid.uuid4()):
        r = api(s, "PATCH", url, {"region": "r1"}, headers={"If-Match": stale})
        assert_error(r, 412, "version_mismatch")
        assert r.headers.get("etag") == e1, r.headers
    assert get(s, url) == before  # nothing changed
    r = api(s, "PATCH", url, {"region": "r1"}, headers={"If-Match": e1})
    assert r.status == 200 and r.json()["data"]["region"] == "r1", r
    e2 = r.headers["etag"]
    assert e2 != e1 and api(s, "GET", url).headers["etag"] == e2
    # the stale tag again: refused, the current one announced
    r = api(s, "PATCH", url, {"region": "r2"}, headers={"If-Match": e1})
    assert_error(r, 412, "version_mismatch")
    assert r.headers.get("etag") == e2
    assert get(s, url)["region"] == "r1"
    # weak form and "*"
    r = api(s, "PATCH", url, {"region": "r3"}, headers={"If-Match": "W/" + e2})
    assert r.status == 200, r
    e3 = r.headers["etag"]
    r = api(s, "PATCH", url, {"region": "r4"}, headers={"If-Match": "*"})
    assert r.status == 200, r
    e4 = r.headers["etag"]
    # If-None-Match: 304 with the tag and no body while it matches
    r = api(s, "GET", url, headers={"If-None-Match": e4})
    assert r.status == 304 and r.body == b"" and r.headers.get("etag") == e4, r
    for inm in ('"x", ' + e4, "*"):
        assert api(s, "GET", url, headers={"If-None-Match": inm}).status == 304, inm
    for inm in (e3, e1, '"x"', e4.strip('"')):
        r = api(s, "GET", url, headers={"If-None-Match": inm})
        assert r.status == 200 and r.json()["data"]["region"] == "r4", (inm, r)
    # DELETE honours If-Match too; a list of tags matches when any of them is current
    assert_error(api(s, "DELETE", url, headers={"If-Match": e3}), 412, "version_mismatch")
    assert_error(api(s, "DELETE", url, headers={"If-Match": e3 + ", " + e1}), 412,
                 "version_mismatch")
    assert get(s, url)["region"] == "r4"
    assert api(s, "DELETE", url, headers={"If-Match": e3 + ", W/" + e4}).status == 204
    # and nested resources
    i = integration(s, service(s)["id"])
    iurl = "/api/services/%s/integrations/%s" % (i["service_id"], i["id"])
    ie = api(s, "GET", iurl).headers["etag"]
    assert_error(api(s, "PATCH", iurl, {"enabled": False}, headers={"If-Match": '"bad"'}), 412,
                 "version_mismatch")
    assert get(s, iurl)["enabled"] is True
    assert api(s, "PATCH", iurl, {"enabled": False}, headers={"If-Match": ie}).status == 200


def test_concurrent_patches_with_one_etag(s):
    """If-Match is compared under the row lock: of 8 concurrent PATCHes made with the same ETag,
    exactly one wins, the others get 412, and the row holds the winner's value."""
    url = "/api/services/" + service(s)["id"]
    etag = api(s, "GET", url).headers["etag"]
    results = {}

    def patch(i):
        results[i] = api(s, "PATCH", url, {"region": "r%d" % i}, headers={"If-Match": etag})

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [i for i, r in results.items() if r.status == 200]
    assert len(won) == 1, {i: r.status for i, r in results.items()}
    assert all(r.status == 412 for i, r in results.items() if i not in won), results
    assert get(s, url)["region"] == "r%d" % won[0]


# --- Idempotency-Key -----------------------------------------------------------------------------

def test_idempotency_key_replays(s):
    name = uniq("idem")
    k = uniq("key")
    body = {"name": name, "region": "eu"}
    r1 = api(s, "POST", "/api/services", body, headers={"Idempotency-Key": k})
    assert r1.status == 201 and "replayed" not in r1.json(), r1
    r2 = api(s, "POST", "/api/services", body, headers={"Idempotency-Key": k})
    assert r2.status == 201, r2
    assert r2.json()["replayed"] is True and r2.json()["data"] == r1.json()["data"], r2
    assert r2.headers.get("location") == r1.headers["location"], r2.headers
    assert count(s, "service", "name = :'n'", n=name) == 1
    # the same key with another body (or on another resource) is refused, nothing written
    assert_error(api(s, "POST", "/api/services", dict(body, region="us"),
                     headers={"Idempotency-Key": k}), 422, "idempotency_key_reused")
    assert_error(api(s, "POST", "/api/teams", {"name": name}, headers={"Idempotency-Key": k}),
                 422, "idempotency_key_reused")
    assert count(s, "team", "name = :'n'", n=name) == 0
    # a patch replayed does not write twice
    url = r1.headers["location"]
    pk = uniq("key")
    p1 = api(s, "PATCH", url, {"region": "ap"}, headers={"Idempotency-Key": pk})
    api(s, "PATCH", url, {"region": "sa"})
    p2 = api(s, "PATCH", url, {"region": "ap"}, headers={"Idempotency-Key": pk})
    assert p2.status == 200 and p2.json()["replayed"] is True, p2
    assert p2.json()["data"] == p1.json()["data"]
    assert get(s, url)["region"] == "sa"  # the replay did not write "ap" again
    # a refusal releases the key: a corrected retry under it runs
    fk = uniq("key")
    assert_error(api(s, "POST", "/api/services", {"name": name}, headers={"Idempotency-Key": fk}),
                 409, "conflict")
    assert_error(api(s, "POST", "/api/services", {"name": name}, headers={"Idempotency-Key": fk}),
                 409, "conflict")
    r = api(s, "POST", "/api/services", {"name": name + "-2"}, headers={"Idempotency-Key": fk})
    assert r.status == 201 and "replayed" not in r.json(), r
    # a delete replayed is the same 204
    dk = uniq("key")
    assert api(s, "DELETE", url, headers={"Idempotency-Key": dk}).status == 204
    assert api(s, "DELETE", url, headers={"Idempotency-Key": dk}).status == 204
    assert_error(api(s, "DELETE", url), 404, "not_found")
    # keys are 1..255 characters
    assert_error(api(s, "POST", "/api/services", {"name": uniq("x")},
                     headers={"Idempotency-Key": "k" * 256}), 400, "invalid_idempotency_key")
    assert api(s, "POST", "/api/services", {"name": uniq("x")},
               headers={"Idempotency-Key": (uniq("k") + "k" * 255)[:255]}).status == 201


def test_concurrent_retries_with_one_idempotency_key(s):
    """A dashboard that retries at once: 6 identical creates under one key make one row; every
    answer is the same 201, all but one marked replayed."""
    name = uniq("race")
    k = uniq("key")
    results = []

    def post():
        results.append(api(s, "POST", "/api/services", {"name": name},
                           headers={"Idempotency-Key": k}))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results] == [201] * 6, results
    assert len({r.json()["data"]["id"] for r in results}) == 1, results
    assert sum(1 for r in results if r.json().get("replayed")) == 5, results
    assert count(s, "service", "name = :'n'", n=name) == 1


def test_idempotency_key_is_per_api_key(s):
    other = user(s, "ADMIN", scopes=["admin"])["token"]
    k = uniq("key")
    a = api(s, "POST", "/api/teams", {"name": uniq("t")}, headers={"Idempotency-Key": k})
    b = api(s, "POST", "/api/teams", {"name": uniq("t")}, headers={"Idempotency-Key": k},
            key=other)
    assert a.status == 201 and b.status == 201 and "replayed" not in b.json(), (a, b)
    assert a.json()["data"]["id"] != b.json()["data"]["id"]


def test_replay_never_shows_a_generated_secret(s):
    """Generated secrets are shown only in the first answer: a replay must not show one —
    least of all a new one that was never stored."""
    svc = service(s)["id"]
    coll = "/api/services/%s/integrations" % svc
    k = uniq("key")
    body = {"name": uniq("int")}
    r1 = api(s, "POST", coll, body, headers={"Idempotency-Key": k})
    assert r1.status == 201, r1
    key1 = r1.json()["data"]["key"]
    r2 = api(s, "POST", coll, body, headers={"Idempotency-Key": k})
    assert r2.status == 201 and r2.json()["replayed"] is True, r2
    assert count(s, "integration", "service_id = :'s'", s=svc) == 1
    d2 = r2.json()["data"]
    assert pd_trigger(s, key1)[0].status == 202  # the first answer's key is the stored one
    assert "key" not in d2 and "urls" not in d2, \
        "replay shows a key: %s (works: %s)" % (d2.get("key"), pd_trigger(s, d2["key"])[0].status)

    # the same for API tokens
    kb = {"name": uniq("k"), "scopes": ["services:read"]}
    t1 = api(s, "POST", "/api/api-keys", kb, headers={"Idempotency-Key": k + "t"})
    t2 = api(s, "POST", "/api/api-keys", kb, headers={"Idempotency-Key": k + "t"})
    assert t1.status == 201 and t2.status == 201 and t2.json()["replayed"] is True, (t1, t2)
    assert api(s, "GET", "/api/services", key=t1.json()["data"]["token"]).status == 200
    d2 = t2.json()["data"]
    assert "token" not in d2, "replay shows a token (works: %s)" % api(
        s, "GET", "/api/services", key=d2["token"]).status


def test_replayed_rotation_rotates_once(s):
    i = integration(s, service(s)["id"])
    url = "/api/services/%s/integrations/%s/rotate-key" % (i["service_id"], i["id"])
    k = uniq("key")
    r1 = api(s, "POST", url, headers={"Idempotency-Key": k})
    assert r1.status == 200, r1
    new = r1.json()["data"]["key"]
    r2 = api(s, "POST", url, headers={"Idempotency-Key": k})
    assert r2.status == 200 and r2.json()["replayed"] is True, r2
    assert pd_trigger(s, new)[0].status == 202, "the first rotation's key must still work"
    assert "key" not in r2.json()["data"], "replay shows a key that was never stored"
