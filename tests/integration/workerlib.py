"""workerlib.py: fixtures and probes shared by the test_worker_*.py files.

Every test builds its own users, teams, schedules, policies and services with psql (unique names
from new_key), so the tests are independent of each other and of the demo seed. Time moves only
forward (advance()): the suite shares one database and one clock, so expectations are computed
relative to ok_now(), never to a fixed offset.
"""

import contextlib
import hashlib
import hmac
import json
import os
import signal
import subprocess

from harness import new_key, pd_event, wait_for


# --- fixtures ------------------------------------------------------------------------------------

def user(s, label, email=True, status="ACTIVE"):
    """A user (email notifications on unless email=False); returns a dict id/email/name."""
    name = "%s %s" % (label.capitalize(), new_key("u")[-8:])
    addr = new_key(label) + "@example.com"
    uid = s.scalar("INSERT INTO app_user (name, email, status, email_notifications_enabled) "
                   "VALUES (:'n', :'e', :'st', :'en') RETURNING id",
                   n=name, e=addr, st=status, en="true" if email else "false")
    return {"id": uid, "email": addr, "name": name}


def team(s, members, lead=None):
    """members: [(user, receive_team_notifications)]; returns (id, name)."""
    name = new_key("team")
    tid = s.scalar("INSERT INTO team (name, team_lead_id) VALUES (:'n', nullif(:'l', '')::uuid) "
                   "RETURNING id", n=name, l=lead["id"] if lead else "")
    for u, receive in members:
        s.psql("INSERT INTO team_member (user_id, team_id, receive_team_notifications) "
               "VALUES (:'u', :'t', :'r')", u=u["id"], t=tid, r="true" if receive else "false")
    return tid, name


def schedule(s, users):
    """A UTC schedule with one daily layer (started in 2024) holding users; returns (id, name)."""
    name = new_key("sched")
    sid = s.scalar("INSERT INTO oncall_schedule (name, time_zone) VALUES (:'n', 'UTC') "
                   "RETURNING id", n=name)
    if users:
        lid = s.scalar("INSERT INTO oncall_layer (schedule_id, name, start_at, "
                       "rotation_length_hours) VALUES (:'s', 'L', '2024-01-01T00:00:00Z', 24) "
                       "RETURNING id", s=sid)
        for pos, u in enumerate(users):
            s.psql("INSERT INTO oncall_layer_user (layer_id, user_id, position) "
                   "VALUES (:'l', :'u', :'p')", l=lid, u=u["id"], p=pos)
    return sid, name


def policy(s, steps, repeat_count=0, repeat_delay=15):
    """steps: dicts with user= | team= | schedule= (ids), delay=, channels=[...], lead_only=.
    Returns the policy id."""
    pid = s.scalar("INSERT INTO escalation_policy (name, repeat_count, repeat_delay_minutes) "
                   "VALUES (:'n', :'r', :'d') RETURNING id",
                   n=new_key("policy"), r=repeat_count, d=repeat_delay)
    for i, st in enumerate(steps):
        kind = "USER" if "user" in st else "TEAM" if "team" in st else "SCHEDULE"
        s.psql("INSERT INTO escalation_rule (policy_id, step_order, delay_minutes, target_type, "
               "target_user_id, target_team_id, target_schedule_id, notification_channels, "
               "notify_only_team_lead) VALUES (:'p', :'o', :'d', :'k', nullif(:'u', '')::uuid, "
               "nullif(:'t', '')::uuid, nullif(:'sc', '')::uuid, :'ch'::text[], :'lo')",
               p=pid, o=i, d=st.get("delay", 0), k=kind, u=st.get("user", ""),
               t=st.get("team", ""), sc=st.get("schedule", ""),
               ch="{%s}" % ",".join(st.get("channels", [])),
               lo="true" if st.get("lead_only") else "false")
    return pid


def service(s, policy_id=None, channels=(), webhook_url=None, **cols):
    """A service (+ an Events API v2 integration); returns (service_id, routing_key)."""
    sid = s.scalar("INSERT INTO service (name, escalation_policy_id, notification_channels, "
                   "webhook_url) VALUES (:'n', nullif(:'p', '')::uuid, :'ch'::text[], "
                   "nullif(:'w', '')) RETURNING id",
                   n=new_key("svc"), p=policy_id or "", ch="{%s}" % ",".join(channels),
                   w=webhook_url or "")
    for col, val in cols.items():
        s.psql("UPDATE service SET %s = :'v' WHERE id = :'id'" % col, v=val, id=sid)
    _, key = s.create_integration(service=sid)
    return sid, key


def webhook_integration(s, service_id, url, kind="GENERIC", secret=None, channel=None):
    return s.scalar("INSERT INTO webhook_integration (service_id, name, type, url, secret, "
                    "channel) VALUES (:'s', :'n', :'t', :'u', nullif(:'sec', ''), "
                    "nullif(:'c', '')) RETURNING id", s=service_id, n=new_key("wh"), t=kind, u=url,
                    sec=secret or "", c=channel or "")


@contextlib.contextmanager
def smtp_provider(s, mail):
    """The (single, global) smtp provider row pointed at the sink for the block, then disabled."""
    s.psql("INSERT INTO notification_provider (provider, enabled, config) "
           "VALUES ('smtp', true, :'c'::jsonb) ON CONFLICT (provider) "
           "DO UPDATE SET enabled = true, config = EXCLUDED.config",
           c=json.dumps(mail.provider_config()))
    try:
        yield
    finally:
        s.psql("UPDATE notification_provider SET enabled = false WHERE provider = 'smtp'")


# --- events ----------------------------------------------------------------------------------

def event(s, routing_key, action, key, **payload):
    r = s.http("POST", "/v2/enqueue", pd_event(routing_key, action, key, **payload))
    assert r.status == 202, (action, key, r)
    return r.json()


def trigger(s, routing_key, summary=None, **payload):
    """Triggers a new incident (critical → HIGH urgency); returns (incident_id, title, key)."""
    key = new_key("wk")
    title = summary or "worker test " + key
    event(s, routing_key, "trigger", key, summary=title, **payload)
    inc = s.scalar("SELECT id FROM incident WHERE dedup_key = :'k'", k=key)
    assert inc, "no incident for " + key
    return inc, title, key


# --- the clock -------------------------------------------------------------------------------

def advance(s, interval):
    """Moves the one clock forward by interval (e.g. '15 minutes'); returns the new ok_now()
    (ISO), which task_done() and quiesce() take to know the worker has seen the move."""
    return s.scalar("SELECT ok_iso(ok_clock_set((SELECT \"offset\" FROM clock) + "
                    ":'i'::interval))", i=interval)


def task_done(s, at, name="escalation_sweep"):
    """The periodic task of the minute holding at (an advance() result) has run: proof that the
    worker saw that clock move (its NOTIFY makes the worker create the row at once)."""
    return s.scalar(
        "SELECT status FROM background_job WHERE unique_key = 'task:' || :'n' || '@' || "
        "ok_iso(to_timestamp(floor(extract(epoch FROM :'at'::timestamptz) / 60) * 60))",
        n=name, at=at) in ("COMPLETED", "FAILED")


def settled(s, incident):
    """No job of the incident is due or running."""
    return s.scalar("SELECT count(*) FROM background_job WHERE incident_id = :'i' AND "
                    "(status = 'PROCESSING' OR (status = 'PENDING' AND run_at <= ok_now()))",
                    i=incident) == "0"


def quiesce(s, incident, at=None, timeout=10):
    """Waits until the incident has no job due or running (and, with at, the worker has seen
    the clock move that returned it)."""
    assert wait_for(lambda: (at is None or task_done(s, at)) and settled(s, incident), timeout), \
        "the worker did not settle: %r" % s.psql(
            "SELECT type, status, attempts, last_error FROM background_job "
            "WHERE incident_id = :'i' AND status IN ('PENDING', 'PROCESSING')", i=incident)


# --- probes ------------------------------------------------------------------------------------

def timeline(s, incident, kind=None):
    return [r[0] for r in s.psql(
        "SELECT message FROM incident_event WHERE incident_id = :'i' "
        "AND (:'t' = '' OR type = :'t') ORDER BY created_at, id", i=incident, t=kind or "")]


def has_line(s, incident, kind, text):
    return any(m == text for m in timeline(s, incident, kind))


def pages(s, incident, u):
    """In-app 'Action Required' rows of user u for the incident."""
    return int(s.scalar("SELECT count(*) FROM in_app_notification WHERE user_id = :'u' "
                        "AND entity_id = :'i' AND title = 'Action Required'", u=u["id"],
                        i=incident))


def jobs(s, where, **params):
    """Rows (id, type, status, attempts, last_error, locked_by) of background_job WHERE where."""
    return s.psql("SELECT id, type, status, attempts, coalesce(last_error, ''), "
                  "coalesce(locked_by, '') FROM background_job WHERE " + where +
                  " ORDER BY created_at, id", **params)


def job(s, jid):
    rows = jobs(s, "id = :'j'", j=jid)
    return rows[0] if rows else None


def insert_job(s, jtype, payload, incident=None, run_at="ok_now()"):
    """Inserts one job as a producer would (and wakes the workers); returns its id."""
    return s.scalar("INSERT INTO background_job (type, payload, incident_id, run_at) "
                    "VALUES (:'t', :'p'::jsonb, nullif(:'i', '')::uuid, %s) RETURNING id; "
                    "NOTIFY opsknight_jobs;" % run_at,
                    t=jtype, p=payload if isinstance(payload, str) else json.dumps(payload),
                    i=incident or "")


def sign(secret, data):
    return "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


# --- extra worker processes -----------------------------------------------------------------

class Worker:
    """One more opsknight-worker (the stack's config) logging to a file under the stack's var."""

    def __init__(self, s, tag):
        self.log_path = os.path.join(s.var, "log", "worker-%s-%s.log" % (tag, new_key("w")[-8:]))
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([os.path.join(s.build, "opsknight-worker")], env=s.env,
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        assert wait_for(lambda: "listening for jobs" in self.text() or self.proc.poll() is not None,
                        10), "the worker did not start: " + self.text()[-500:]
        assert self.proc.poll() is None, "the worker exited: " + self.text()[-500:]

    @property
    def pid(self):
        return self.proc.pid

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, timeout=20):
        """SIGTERM; returns the exit status (SIGKILL after timeout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def ensure_stack_worker(s):
    """Restarts the stack's own worker (var/run/worker.pid) if a test killed it."""
    try:
        if alive(s.pid("worker")):
            return
    except (OSError, ValueError):
        pass
    s.dev("stack-up")  # idempotent: starts only what is not running
    assert wait_for(lambda: alive(s.pid("worker")), 10), "the stack's worker did not restart"


def alive(pid):
    """pid is a running process (not gone, not a zombie nobody has reaped yet)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
