"""Stored text is raw: SQL metacharacters verbatim, NUL removed, control characters stripped."""

import json

from harness import new_key, pd_event

EVIL = "x'; DROP TABLE incident; -- \"q\" \\back\\slash\\ $1 %s ''"


def strings(v):
    """Every string in a JSON value."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


def alert_row(s, key):
    rows = s.psql("SELECT a.summary, a.source, i.title, a.payload::text FROM alert a "
                  "JOIN incident i ON i.id = a.incident_id WHERE a.dedup_key = :'k'", k=key)
    assert len(rows) == 1, rows
    return rows[0]


def test_sql_metacharacters_verbatim(s):
    key = new_key(EVIL)
    fields = {f: "%s <%s>" % (EVIL, f) for f in
              ("summary", "source", "component", "group", "class", "detail", "href", "text",
               "src", "alt", "client", "client_url")}
    body = pd_event(s.keys["OPSKNIGHT_ROUTING_KEY"], dedup_key=key, summary=fields["summary"],
                    source=fields["source"], component=fields["component"],
                    group=fields["group"], **{"class": fields["class"]},
                    custom_details={"note": fields["detail"], EVIL: [EVIL]})
    body.update(client=fields["client"], client_url=fields["client_url"],
                links=[{"href": fields["href"], "text": fields["text"]}],
                images=[{"src": fields["src"], "alt": fields["alt"]}])
    r = s.http("POST", "/v2/enqueue", body)
    assert r.status == 202 and r.json()["dedup_key"] == key, r
    summary, source, title, payload = alert_row(s, key)
    assert (summary, source, title) == (fields["summary"], fields["source"], fields["summary"])
    stored = set(strings(json.loads(payload)))
    missing = [f for f in fields if fields[f] not in stored]
    assert not missing and EVIL in stored, ("payload lost", missing, payload[:500])
    assert s.scalar("SELECT count(*) FROM incident WHERE dedup_key = :'k'", k=key) == "1"


def test_nul_removed(s):
    key = new_key("nul")
    body = pd_event(s.keys["OPSKNIGHT_ROUTING_KEY"], dedup_key=key, summary="disk\u0000 full",
                    source="db\u0000-1", custom_details={"k": "a\u0000b"})
    r = s.http("POST", "/v2/enqueue", body)
    assert r.status == 202, r
    summary, source, title, payload = alert_row(s, key)
    assert (summary, source, title) == ("disk full", "db-1", "disk full"), (summary, source)
    assert "ab" in set(strings(json.loads(payload))), payload[:500]


def test_control_characters_stripped(s):
    key = new_key("ctl")
    body = pd_event(s.keys["OPSKNIGHT_ROUTING_KEY"], dedup_key=key, summary="a\u0001b\u001bc",
                    source="s\u0007rc")
    r = s.http("POST", "/v2/enqueue", body)
    assert r.status == 202, r
    summary, source, title, _ = alert_row(s, key)
    assert (summary, source, title) == ("abc", "src", "abc"), (summary, source, title)


def test_unicode_kept(s):
    key = new_key("utf8")
    text = "Disk voll — Привет, 世界 🔥 <b>&amp;</b>"
    r = s.http("POST", "/v2/enqueue", pd_event(s.keys["OPSKNIGHT_ROUTING_KEY"], dedup_key=key,
                                               summary=text))
    assert r.status == 202, r
    assert alert_row(s, key)[0] == text
