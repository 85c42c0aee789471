"""test_resources_lib.py: fixtures and helpers shared by the test_resources_*.py files (the REST
configuration resources of issue 5: fcgi/api/resources.c, fcgi/api/rest.c, sql/007_rest.sql).
It holds no test itself.

Every fixture is made through the API under test (users, teams, services, keys…), with unique
names, so the tests are independent of each other and of the demo seed. Only what the API does
not offer (in-app notification rows, counting rows) goes through psql.
"""

import json
import uuid

from harness import new_key

_fx = {}


def uniq(prefix="it"):
    """A unique name for one test's rows."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def admin_token(s):
    """An admin-scoped key of the demo ADMIN user (made once per run)."""
    if "admin" not in _fx:
        _fx["admin_id"], _fx["admin"] = s.create_api_key("admin")
    return _fx["admin"]


def api(s, method, path, body=None, key=None, headers=None):
    """One request with a Bearer key (default: the admin key; key=False: no key at all)."""
    h = {}
    if key is None:
        key = admin_token(s)
    if key:
        h["Authorization"] = "Bearer " + key
    h.update(headers or {})
    return s.http(method, path, body=body, headers=h)


def assert_error(r, status, code, *words):
    """r is an error answer {"error":{"code","message"}} with status and code whose message
    contains every one of words (a field or column name)."""
    assert r.status == status, (status, code, r)
    try:
        err = r.json()["error"]
    except (ValueError, KeyError):
        raise AssertionError("not an error body: %r" % r)
    assert err["code"] == code and err["message"], (code, r)
    for w in words:
        assert w in err["message"], (w, r)
    return err


def created(s, path, body, key=None, headers=None):
    """POSTs body to path and checks the 201: Location, ETag; returns data."""
    r = api(s, "POST", path, body, key=key, headers=headers)
    assert r.status == 201, (path, body, r)
    data = r.json()["data"]
    assert r.headers.get("etag", "").startswith('"'), r.headers
    assert r.headers.get("location", "").startswith(path.rstrip("/") + "/"), r.headers
    return data


def get(s, path, key=None, status=200):
    r = api(s, "GET", path, key=key)
    assert r.status == status, (path, r)
    return r.json()["data"] if status == 200 else r


def list_all(s, path, key=None, limit=200):
    """Every row of a list, walking next_cursor."""
    out, cursor = [], None
    for _ in range(1000):
        sep = "&" if "?" in path else "?"
        q = "%s%slimit=%d" % (path, sep, limit) + ("&cursor=" + cursor if cursor else "")
        r = api(s, "GET", q, key=key)
        assert r.status == 200, (q, r)
        body = r.json()
        out += body["data"]
        cursor = body["next_cursor"]
        if not cursor:
            return out
    raise AssertionError("endless list " + path)


# --- fixtures through the API --------------------------------------------------------------------

def user(s, role="USER", team=None, scopes=None, status="ACTIVE", **fields):
    """A user made through POST /api/users (and a member of team, and with a key of scopes when
    given); returns a dict id, email, name (+ token, key_id)."""
    name = uniq(role.lower())
    body = {"name": name, "email": name + "@example.com", "role": role, "status": status}
    body.update(fields)
    u = created(s, "/api/users", body)
    out = {"id": u["id"], "email": u["email"], "name": u["name"]}
    if team:
        created(s, "/api/teams/%s/members" % team, {"user_id": u["id"]})
    if scopes:
        k = created(s, "/api/api-keys", {"name": uniq("key"), "scopes": scopes,
                                         "user_id": u["id"]})
        out["token"], out["key_id"] = k["token"], k["id"]
    return out


def team(s, **fields):
    body = {"name": uniq("team")}
    body.update(fields)
    return created(s, "/api/teams", body)["id"]


def service(s, **fields):
    body = {"name": uniq("svc")}
    body.update(fields)
    return created(s, "/api/services", body)


def integration(s, service_id, **fields):
    """An integration made through the API; returns its data (with the one-time key)."""
    body = {"name": uniq("int")}
    body.update(fields)
    return created(s, "/api/services/%s/integrations" % service_id, body)


def count(stack, table, where, **params):
    """Rows of table WHERE where (psql variables in params)."""
    return int(stack.scalar("SELECT count(*) FROM %s WHERE %s" % (table, where), **params))


def in_app(s, user_id, title, read=False):
    """Inserts one in-app notification row for user_id; returns its id."""
    return s.scalar("INSERT INTO in_app_notification (user_id, type, title, message, read_at) "
                    "VALUES (:'u', 'INCIDENT', :'t', 'm', CASE WHEN :'r' = 'true' THEN ok_now() "
                    "END) RETURNING id", u=user_id, t=title, r="true" if read else "false")


def pd_trigger(s, routing_key, dedup=None, **payload):
    """A PagerDuty Events v2 trigger; returns (answer, dedup_key)."""
    dedup = dedup or new_key("res")
    p = {"summary": "resources test " + dedup, "source": "it", "severity": "critical"}
    p.update(payload)
    r = s.http("POST", "/v2/enqueue", {"routing_key": routing_key, "event_action": "trigger",
                                       "dedup_key": dedup, "payload": p})
    return r, dedup


def dumps(o):
    return json.dumps(o, sort_keys=True)
