"""The binaries' contract: config errors exit 78, admin commands, SIGHUP replaces responders."""

import os
import signal
import subprocess
import tempfile

from harness import new_key, pd_event, wait_for


def run_with_config(s, binary, text):
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(text)
    try:
        env = dict(s.env, OPSKNIGHT_CONFIG=f.name)
        p = subprocess.run([os.path.join(s.build, binary)], env=env, capture_output=True,
                           text=True, timeout=20, stdin=subprocess.DEVNULL)
        return p, f.name
    finally:
        os.unlink(f.name)


def test_config_errors_exit_78(s):
    good = open(s.env["OPSKNIGHT_CONFIG"]).read()
    for binary in ("opsknight-fcgi", "opsknight-worker"):
        for bad in ("no_such_key = 1\n", "workers = many\n", "log_level = loud\n"):
            p, path = run_with_config(s, binary, good + bad)
            line = len(good.splitlines()) + 1
            assert p.returncode == 78, (binary, bad, p.returncode, p.stderr[-300:])
            assert "%s:%d:" % (path, line) in p.stderr, (binary, bad, p.stderr[-300:])


def test_admin_version_and_migrate_again(s):
    p = subprocess.run([os.path.join(s.build, "opsknight-admin"), "version"], env=s.env,
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 0 and p.stdout.startswith("opsknight "), (p.returncode, p.stdout)
    s.admin("migrate")  # nothing left to apply: still exit 0
    n = s.scalar("SELECT count(*) FROM schema_migrations")
    assert int(n) >= 2, n


def test_admin_errors(s):
    admin = os.path.join(s.build, "opsknight-admin")
    p = subprocess.run([admin, "create-integration"], env=s.env, capture_output=True, text=True,
                       timeout=20)
    assert p.returncode != 0 and p.stderr.strip() and not p.stdout.strip(), p
    p = subprocess.run([admin, "create-integration", "--service", "00000000-0000-4000-8000-000000000000"],
                       env=s.env, capture_output=True, text=True, timeout=20)
    assert p.returncode == 1 and p.stderr.strip() and not p.stdout.strip(), p


def test_seed_demo_rotates_keys(s):
    old = s.keys["OPSKNIGHT_ROUTING_KEY"]
    out = s.admin("seed-demo")
    assert out["OPSKNIGHT_SERVICE_ID"] == s.keys["OPSKNIGHT_SERVICE_ID"], out
    assert out["OPSKNIGHT_ROUTING_KEY"] != old and len(out["OPSKNIGHT_ROUTING_KEY"]) == 32, out
    s.keys.update(out)  # later tests use the new keys
    assert s.scalar("SELECT count(*) FROM service WHERE name = 'Demo Service'") == "1"
    assert s.http("POST", "/v2/enqueue", pd_event(old)).status == 404
    r = s.http("POST", "/v2/enqueue", pd_event(out["OPSKNIGHT_ROUTING_KEY"], dedup_key=new_key()))
    assert r.status == 202, r


def test_sighup_replaces_responders(s):
    before = s.children("fcgi")
    s.signal("fcgi", signal.SIGHUP)

    def replaced():
        now = s.children("fcgi")
        return len(now) == len(before) and not set(now) & set(before)

    assert wait_for(replaced), "children %s -> %s" % (before, s.children("fcgi"))
    assert s.http("GET", "/api/health").status == 200
    r = s.http("POST", "/v2/enqueue", pd_event(s.keys["OPSKNIGHT_ROUTING_KEY"]))
    assert r.status == 202, r
