"""docs/openapi.yaml and the route table agree: every routed (method, path) is documented, and
every documented one answers through nginx (never the router's 404 "no route" or a 405)."""

import os
import re
import uuid

from harness import ROOT

METHODS = ("get", "post", "put", "patch", "delete")


def documented():
    ops, path = set(), None
    with open(os.path.join(ROOT, "docs", "openapi.yaml")) as f:
        for line in f:
            m = re.match(r"^  (/\S*):\s*$", line)
            if m:
                path = m.group(1)
                continue
            m = re.match(r"^    (%s):\s*$" % "|".join(METHODS), line)
            if m and path:
                ops.add((m.group(1).upper(), path))
            elif re.match(r"^\S", line):
                path = None  # left the paths section
    return ops


def routed():
    with open(os.path.join(ROOT, "fcgi", "router.c")) as f:
        src = f.read()
    return {(m, re.sub(r":(\w+)", r"{\1}", p))
            for m, p in re.findall(r'\{ "(GET|POST|PUT|PATCH|DELETE)", "([^"]+)"', src)}


def test_every_route_documented_and_every_documented_route_answers(s):
    docs, routes = documented(), routed()
    assert routes, "no routes parsed from fcgi/router.c"
    assert routes - docs == set(), "routed but not documented: %s" % sorted(routes - docs)
    assert docs - routes == set(), "documented but not routed: %s" % sorted(docs - routes)
    for method, path in sorted(docs):
        url = path.replace("{name}", "webhook").replace("{id}", str(uuid.uuid4()))
        body = {} if method in ("POST", "PATCH", "PUT") else None
        r = s.http(method, url, body)
        assert r.status != 405, (method, url, r)
        if r.status == 404 and r.headers.get("content-type", "").startswith("application/json"):
            err = r.json().get("error") or {}
            assert not err.get("message", "").startswith("no route"), (method, url, r)
        assert r.status < 500 or r.status == 503, (method, url, r)
