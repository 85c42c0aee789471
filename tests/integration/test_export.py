"""GET /api/incidents/export (issue 6): streamed CSV (BOM, header, RFC 4180, formula-safe
cells) parsed back with Python's csv module and compared with the database, JSON parsed back,
filters, precise 400s, auth and the USER role's scope, and 100,000 rows streamed while the
responders' RSS stays flat."""

import csv
import io
import json
import time
import uuid

from harness import new_key
from test_incidents_api import assert_error

COLUMNS = ["id", "title", "description", "status", "urgency", "priority", "service_id",
           "service_name", "assignee_id", "assignee_name", "assignee_email", "team_id",
           "dedup_key", "alert_count", "created_at", "updated_at", "acknowledged_at",
           "resolved_at"]

_fx = {}


def team_user(s, scopes):
    """A new team and an API key with scopes of a new USER in it: (team id, key)."""
    team = s.admin("create-team", "--name", new_key("team")).get("TEAM_ID") or s.scalar(
        "SELECT id FROM team ORDER BY created_at DESC LIMIT 1")
    email = new_key("user") + "@example.com"
    s.admin("create-user", "--email", email, "--name", "Team User", "--role", "USER",
            "--team", team)
    return team, s.create_api_key(scopes, user=email)[1]


def fx(s):
    if not _fx:
        _fx["reader"] = s.create_api_key("incidents:read")[1]
        _fx["events"] = s.create_api_key("events:write")[1]
        _fx["team"], _fx["user"] = team_user(s, "incidents:read")
    return _fx


def export(s, query, key="reader"):
    h = {"Authorization": "Bearer " + fx(s)[key]} if key else {}
    return s.http("GET", "/api/incidents/export?" + query, headers=h, plain=True)


def service(s, team=None):
    return s.scalar("INSERT INTO service (name, team_id) VALUES (:'n', nullif(:'t', '')::uuid) "
                    "RETURNING id", n="export-" + uuid.uuid4().hex[:10], t=team or "")


def incident(s, svc, title, description=None, status="OPEN", priority=None, offset=0):
    return s.scalar(
        "INSERT INTO incident (title, description, dedup_key, service_id, status, priority, "
        "resolved_at, created_at) VALUES (:'t', nullif(:'d', ''), :'k', :'s', :'st', "
        "nullif(:'p', ''), CASE WHEN :'st' = 'RESOLVED' THEN ok_now() END, "
        "ok_now() - (:'o' || ' seconds')::interval) RETURNING id",
        t=title, d=description or "", k=uuid.uuid4().hex, s=svc, st=status, p=priority or "",
        o=offset)


def db_rows(s, svc):
    """The export's columns for svc's incidents, newest first, as text ('' for NULL)."""
    return [list(r) for r in s.psql(
        "SELECT i.id, i.title, coalesce(i.description, ''), i.status, i.urgency, "
        "coalesce(i.priority, ''), i.service_id, s.name, coalesce(i.assignee_id::text, ''), "
        "coalesce(u.name, ''), coalesce(u.email, ''), coalesce(i.team_id::text, ''), "
        "i.dedup_key, i.alert_count, ok_iso(i.created_at), ok_iso(i.updated_at), "
        "coalesce(ok_iso(i.acknowledged_at), ''), coalesce(ok_iso(i.resolved_at), '') "
        "FROM incident i JOIN service s ON s.id = i.service_id "
        "LEFT JOIN app_user u ON u.id = i.assignee_id WHERE i.service_id = :'s' "
        "ORDER BY i.created_at DESC, i.id DESC", s=svc)]


def parse_csv(r):
    assert r.status == 200, r
    assert r.headers["content-type"] == "text/csv; charset=utf-8", r.headers
    assert r.headers["content-disposition"] == 'attachment; filename="incidents.csv"'
    assert r.body.startswith(b"\xef\xbb\xbf"), r.body[:10]
    rows = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline="")))
    assert rows[0] == COLUMNS, rows[0]
    return rows[1:]


TRICKY = ["=SUM(A1:A9)", "+cmd", "-2+3", "@user", "\tTAB", "comma, inside",
          'a "quoted" word', "naïve ✓ ünïcödé", "plain title"]


def unformula(v):
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def test_export_csv_round_trip(s):
    svc = service(s)
    ids = [incident(s, svc, t, description="line one\nline two, \"x\"" if i == 0 else None,
                    status="RESOLVED" if i % 3 == 0 else "OPEN",
                    priority="P2" if i % 2 else None, offset=i)
           for i, t in enumerate(TRICKY)]
    s.psql("UPDATE incident SET acknowledged_at = created_at + interval '1 minute' "
           "WHERE id = :'i'", i=ids[1])
    got = parse_csv(export(s, "format=csv&service_id=" + svc))
    want = db_rows(s, svc)
    assert len(got) == len(TRICKY) == len(want), (len(got), len(want))
    # the database's text, with the formula guard on cells that would start a formula
    assert got == [[unformula(c) for c in row] for row in want], (got, want)
    titles = [r[1] for r in got]
    assert titles[:5] == ["'=SUM(A1:A9)", "'+cmd", "'-2+3", "'@user", "'\tTAB"], titles
    assert got[0][2] == 'line one\nline two, "x"' and got[1][16], got[:2]
    # raw bytes: quoting per RFC 4180 and CRLF line ends
    assert b'"comma, inside"' in export(s, "format=csv&service_id=" + svc).body
    assert b'"a ""quoted"" word"' in export(s, "format=csv&service_id=" + svc).body
    assert export(s, "format=csv&service_id=" + svc).body.count(b"\r\n") == len(TRICKY) + 1


def test_export_json_and_filters(s):
    svc = service(s)
    for i, t in enumerate(TRICKY):
        incident(s, svc, t, status="RESOLVED" if i % 3 == 0 else "OPEN", offset=i * 3600)
    r = export(s, "format=json&service_id=" + svc)
    assert r.status == 200 and r.headers["content-type"] == "application/json", r
    data = json.loads(r.body)
    want = db_rows(s, svc)
    assert [list(d.keys()) for d in data] == [COLUMNS] * len(want)
    norm = lambda v: "" if v is None else str(v)  # noqa: E731
    assert [[norm(d[c]) for c in COLUMNS] for d in data] == want
    assert data[0]["title"] == "=SUM(A1:A9)" and isinstance(data[0]["alert_count"], int)
    assert data[0]["priority"] is None

    resolved = json.loads(export(s, "format=json&status=RESOLVED&service_id=" + svc).body)
    assert sorted(d["title"] for d in resolved) == sorted(TRICKY[0::3]), resolved
    since = s.scalar("SELECT ok_iso(ok_now() - interval '150 minutes')")
    recent = json.loads(export(s, "format=json&created_from=%s&service_id=%s"
                               % (since, svc)).body)
    assert [d["title"] for d in recent] == TRICKY[:3], recent
    q = parse_csv(export(s, "format=csv&q=QUOTED&service_id=" + svc))
    assert [r[1] for r in q] == ['a "quoted" word'], q
    empty = export(s, "format=json&service_id=" + str(uuid.uuid4()))
    assert empty.status == 200 and json.loads(empty.body) == [], empty
    assert parse_csv(export(s, "format=csv&service_id=" + str(uuid.uuid4()))) == []


def test_export_refusals(s):
    for query, field in (("format=xml", "format"), ("", "format"), ("format=CSV", "format"),
                         ("format=csv&status=DONE", "status"),
                         ("format=csv&service_id=nope", "service_id"),
                         ("format=json&created_from=yesterday", "created_from"),
                         ("format=json&created_to=2024-13-45", "created_to")):
        assert_error(export(s, query), 400, "invalid_parameter", field)
    assert_error(export(s, "format=csv", key=None), 401, "missing_credentials")
    assert_error(export(s, "format=csv", key="events"), 403, "scope_missing")
    r = s.http("GET", "/api/incidents/export?format=csv",
               headers={"Authorization": "Bearer ok_" + "x" * 43})
    assert_error(r, 401, "invalid_api_key")


def test_export_user_sees_only_its_teams_services(s):
    mine = service(s, team=fx(s)["team"])
    other = service(s)
    a = incident(s, mine, "team incident")
    b = incident(s, other, "other incident")
    rows = parse_csv(export(s, "format=csv", key="user"))
    ids = {r[0] for r in rows}
    assert a in ids and b not in ids, rows
    assert {r[6] for r in rows} <= {mine} | set(
        x[0] for x in s.psql("SELECT id FROM service WHERE team_id = :'t'", t=fx(s)["team"])), rows
    # the same export by a RESPONDER/ADMIN key sees both
    ids = {d["id"] for d in json.loads(export(s, "format=json").body)}
    assert {a, b} <= ids


def rss_kb(pids):
    out = {}
    for p in pids:
        try:
            with open("/proc/%d/status" % p) as f:
                out[p] = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return out


def asan(pid):
    """Whether the process runs with AddressSanitizer."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def test_export_100k_rows_streams_with_flat_memory(s):
    svc = service(s)
    s.psql("INSERT INTO incident (title, description, dedup_key, service_id, status, "
           "resolved_at, created_at) SELECT 'load incident ' || g || ', \"quoted\"', "
           "'description of ' || g, 'load-' || g || '-' || :'u', :'s', 'RESOLVED', ok_now(), "
           "ok_now() - g * interval '1 second' FROM generate_series(1, 100000) g",
           s=svc, u=uuid.uuid4().hex)
    try:
        kids = s.children("fcgi")
        assert kids, "no responder processes"
        parse_csv(export(s, "format=csv&service_id=" + str(uuid.uuid4())))  # warm every path
        before = rss_kb(kids)
        for fmt in ("csv", "json"):
            t0 = time.monotonic()
            r = export(s, "format=%s&service_id=%s" % (fmt, svc))
            secs = time.monotonic() - t0
            n = len(parse_csv(r)) if fmt == "csv" else len(json.loads(r.body))
            assert n == 100000, n
            print("# export %s: 100000 rows, %d bytes in %.2f s (%.0f rows/s)"
                  % (fmt, len(r.body), secs, n / secs))
        after = rss_kb(kids)
        growth = {p: after[p] - before[p] for p in before if p in after}
        # a buffered 100k-row body would be 29-56 MB; streaming stays within a few MB. Under
        # AddressSanitizer freed blocks sit in its quarantine (256 MB by default) instead of
        # being reused, so there the bound is that much looser.
        bound = 8 * 1024 + (256 * 1024 if asan(kids[0]) else 0)
        assert growth and max(growth.values()) < bound, (bound, before, after)
    finally:
        s.psql("DELETE FROM incident WHERE service_id = :'s'", s=svc)
