"""harness.py: a throwaway OpsKnight-C stack for the integration suite.

The stack is started by the same code as the dev stack (`./dev stack-up` with a private var dir,
build dir and ports), so there is one implementation of "start PostgreSQL, migrate, seed, start
the pool, the worker and nginx". Helpers speak HTTPS through nginx, read the database with psql
and create fixtures with opsknight-admin.
"""

import contextlib
import csv
import http.client
import io
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body        # bytes

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "HTTP %d %s" % (self.status, self.body[:300].decode("utf-8", "replace"))


class Stack:
    def __init__(self, build_dir, keep_logs=None):
        self.build = os.path.abspath(build_dir)
        self.keep_logs = keep_logs
        self.var = tempfile.mkdtemp(prefix="opsknight-it-")
        os.chmod(self.var, 0o755)  # the cluster's owner (an unprivileged user) must traverse it
        self.https_port = int(os.environ.get("OPSKNIGHT_HTTPS_PORT", "18443"))
        self.http_port = int(os.environ.get("OPSKNIGHT_HTTP_PORT", "18080"))
        self.pg_port = int(os.environ.get("OPSKNIGHT_PG_PORT", "25432"))
        self.env = dict(
            os.environ,
            OPSKNIGHT_VAR_DIR=self.var,
            OPSKNIGHT_BUILD_DIR=self.build,
            OPSKNIGHT_HTTPS_PORT=str(self.https_port),
            OPSKNIGHT_HTTP_PORT=str(self.http_port),
            OPSKNIGHT_PG_PORT=str(self.pg_port),
            OPSKNIGHT_PG_SHARED_BUFFERS="128MB",
            OPSKNIGHT_CONFIG=os.path.join(self.var, "opsknight.conf"),
        )
        self.ssl = ssl._create_unverified_context()
        self.keys = {}

    # --- lifecycle -----------------------------------------------------------------------------

    def dev(self, cmd):
        p = subprocess.run([os.path.join(ROOT, "dev"), cmd], env=self.env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=180)
        if p.returncode != 0:
            raise RuntimeError("./dev %s failed: %s" % (cmd, (p.stderr or p.stdout)[-2000:]))

    def start(self):
        self.dev("stack-up")
        with open(os.path.join(self.var, "dev.env")) as f:
            self.keys = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        return self

    def stop(self):
        try:
            self.dev("stack-down")
        finally:
            if self.keep_logs and os.path.isdir(os.path.join(self.var, "log")):
                shutil.rmtree(self.keep_logs, ignore_errors=True)
                shutil.copytree(os.path.join(self.var, "log"), self.keep_logs, symlinks=False,
                                ignore_dangling_symlinks=True)
            cluster = os.path.realpath(os.path.join(self.var, "pg"))
            shutil.rmtree(self.var, ignore_errors=True)
            if not cluster.startswith(self.var):
                shutil.rmtree(cluster, ignore_errors=True)

    def pg_stop(self):
        self.dev("pg-stop")

    def pg_start(self):
        self.dev("pg-start")

    # --- HTTP through nginx --------------------------------------------------------------------

    def http(self, method, path, body=None, headers=None, plain=False, chunked=False):
        """One request on a fresh connection. body: bytes, str, or anything JSON-encodable.
        A JSON body gets Content-Type application/json unless headers name one (None = omit).
        chunked: send the body with Transfer-Encoding: chunked (no Content-Length)."""
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {k: v for k, v in headers.items() if v is not None}
        if plain:
            conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        else:
            conn = http.client.HTTPSConnection("localhost", self.https_port, timeout=30,
                                               context=self.ssl)
        try:
            if chunked:
                body = [body[i:i + 65536] for i in range(0, len(body), 65536)]
            conn.request(method, path, body=body, headers=headers, encode_chunked=chunked)
            r = conn.getresponse()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    # --- database ------------------------------------------------------------------------------

    def psql(self, sql, **params):
        """Runs sql and returns rows as tuples of strings (NULL reads as ''; use IS NULL in the
        query where it matters). Values travel as psql variables, never spliced into the SQL:
        write :'name' in sql and pass name=value."""
        argv = ["psql", "-X", "-q", "--csv", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", os.path.join(self.var, "pg", "sock"), "-p", str(self.pg_port),
                "-U", "opsknight", "-d", "opsknight"]
        for k, v in params.items():
            argv += ["-v", "%s=%s" % (k, v)]
        p = subprocess.run(argv, input=sql, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("psql: %s" % p.stderr.strip())
        return [tuple(r) for r in csv.reader(io.StringIO(p.stdout))]

    def scalar(self, sql, **params):
        rows = self.psql(sql, **params)
        return rows[0][0] if rows else None

    # --- fixtures through opsknight-admin --------------------------------------------------------

    def admin(self, *args):
        p = subprocess.run([os.path.join(self.build, "opsknight-admin")] + list(args),
                           env=self.env, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("opsknight-admin %s: exit %d: %s"
                               % (" ".join(args), p.returncode, p.stderr.strip()[-500:]))
        return dict(l.split("=", 1) for l in p.stdout.splitlines() if "=" in l)

    def create_integration(self, *extra, service=None):
        """A new integration on the demo service (or service); returns (id, key)."""
        out = self.admin("create-integration", "--service", service or self.keys["OPSKNIGHT_SERVICE_ID"],
                         "--name", "it-" + uuid.uuid4().hex[:8], *extra)
        return out["INTEGRATION_ID"], out["INTEGRATION_KEY"]

    def create_api_key(self, scopes, user="admin@example.com"):
        out = self.admin("create-api-key", "--user", user, "--scopes", scopes,
                         "--name", "it-" + uuid.uuid4().hex[:8])
        return out["API_KEY_ID"], out["API_KEY"]

    # --- processes -------------------------------------------------------------------------------

    def pid(self, name):
        with open(os.path.join(self.var, "run", name + ".pid")) as f:
            return int(f.read().strip())

    def children(self, name):
        """PIDs whose parent is the daemon of var/run/<name>.pid."""
        parent, kids = self.pid(name), []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open("/proc/%s/stat" % d) as f:
                        stat = f.read()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                    kids.append(int(d))
        return sorted(kids)

    def signal(self, name, sig):
        os.kill(self.pid(name), sig)

    @contextlib.contextmanager
    def paused(self, name):
        """SIGSTOPs the daemon for the block (e.g. the worker, so it claims no job meanwhile)."""
        self.signal(name, signal.SIGSTOP)
        try:
            yield
        finally:
            self.signal(name, signal.SIGCONT)


def new_key(prefix="it"):
    """A unique dedup key / marker for one test."""
    return "%s-%s" % (prefix, uuid.uuid4())


def wait_for(predicate, timeout=10.0, interval=0.1):
    """Polls predicate until it returns a true value; returns it, or the last value on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


# --- events -------------------------------------------------------------------------------------

PD_PATHS = ("/v2/enqueue", "/api/integrations/pagerduty", "/api/integrations/pagerduty/v2/enqueue")
PD_OK = {"status": "success", "message": "Event processed"}


def pd_event(routing_key, action="trigger", dedup_key=None, **payload):
    """A PagerDuty Events v2 body; routing_key/dedup_key None leave the field out. payload
    fields override the defaults of a valid trigger (a value of None removes the field)."""
    ev = {"event_action": action}
    if routing_key is not None:
        ev["routing_key"] = routing_key
    if dedup_key is not None:
        ev["dedup_key"] = dedup_key
    if action == "trigger":
        p = {"summary": "disk full on db-1", "source": "db-1", "severity": "critical"}
        p.update(payload)
        ev["payload"] = {k: v for k, v in p.items() if v is not None}
    return ev


def native_event(action="trigger", dedup_key=None, **payload):
    """An /api/events body (routing key sent separately)."""
    return pd_event(None, action, dedup_key, **payload)
