"""The daemons' process contract: fd-0 socket activation, SIGTERM, JSON logs, NOTIFY."""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile

from harness import native_event, new_key

FCGI_BEGIN, FCGI_END, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def fcgi_record(rtype, content):
    return struct.pack("!BBHHBx", 1, rtype, 1, len(content), 0) + content


def fcgi_get(path, uri):
    """A minimal FastCGI responder client: GET uri over the unix socket; returns (status, body)."""
    params = {"REQUEST_METHOD": "GET", "REQUEST_URI": uri, "DOCUMENT_URI": uri.split("?")[0],
              "SCRIPT_NAME": uri.split("?")[0], "QUERY_STRING": "", "CONTENT_LENGTH": "0",
              "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    pairs = b"".join(bytes([len(k), len(v)]) + k.encode() + v.encode() for k, v in params.items())
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(fcgi_record(FCGI_BEGIN, struct.pack("!HB5x", 1, 0)) + fcgi_record(FCGI_PARAMS, pairs)
                  + fcgi_record(FCGI_PARAMS, b"") + fcgi_record(FCGI_STDIN, b""))
        data, out = b"", b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        while len(data) >= 8:
            _, rtype, _, clen, plen = struct.unpack("!BBHHB", data[:7])
            content, data = data[8:8 + clen], data[8 + clen + plen:]
            if rtype == FCGI_STDOUT:
                out += content
            elif rtype == FCGI_END:
                break
    head, _, body = out.partition(b"\r\n\r\n")
    status = 200
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            status = int(line.split()[1])
    return status, body


def test_fd0_socket_and_sigterm(s):
    tmp = tempfile.mkdtemp(prefix="opsknight-fd0-")
    path, log_path = os.path.join(tmp, "inherited.sock"), os.path.join(tmp, "fcgi.log")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(16)
    # If fd 0 were ignored the pool would bind this path instead, never the stack's socket.
    env = dict(s.env, OPSKNIGHT_WORKERS="2", OPSKNIGHT_LISTEN=os.path.join(tmp, "unused.sock"))
    with open(log_path, "w") as log:
        p = subprocess.Popen([os.path.join(s.build, "opsknight-fcgi")], stdin=listener.fileno(),
                             stdout=log, stderr=log, env=env)
    listener.close()
    try:
        status, body = fcgi_get(path, "/api/health")
        assert status == 200 and json.loads(body) == {"status": "ok"}, (status, body)
        assert not os.path.exists(os.path.join(tmp, "unused.sock"))
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=15) == 0, "exit status %s" % p.returncode
    except (AssertionError, OSError, subprocess.TimeoutExpired) as e:
        with open(log_path) as f:
            raise AssertionError("%s; log: %s" % (e, f.read()[-400:]))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def test_worker_sigterm_exits_0(s):
    p = subprocess.Popen([os.path.join(s.build, "opsknight-worker")], env=s.env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        line = p.stdout.readline()  # its first log line: connected and listening
        assert line, "the worker wrote nothing"
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=15) == 0, "exit status %s" % p.returncode
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_logs_are_json_lines(s):
    for name in ("fcgi", "worker"):
        with open(os.path.join(s.var, "log", name + ".log")) as f:
            lines = f.read().splitlines()
        assert lines, name
        for line in lines:
            try:
                rec = json.loads(line)
            except ValueError:
                raise AssertionError("%s.log: not JSON: %r" % (name, line[:200]))
            assert {"ts", "level", "msg"} <= rec.keys(), (name, rec)


def test_trigger_notifies_workers(s):
    """A LISTENing session sees NOTIFY opsknight_jobs when a trigger commits."""
    psql = subprocess.Popen(["psql", "-X", "-q", "-h", os.path.join(s.var, "pg", "sock"),
                             "-p", str(s.pg_port), "-U", "opsknight", "-d", "opsknight"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        psql.stdin.write("LISTEN opsknight_jobs;\nSELECT 'listening';\n")
        psql.stdin.flush()
        while "listening" not in psql.stdout.readline():
            pass
        r = s.http("POST", "/api/events", native_event(dedup_key=new_key("notify")),
                   {"X-Routing-Key": s.keys["OPSKNIGHT_ROUTING_KEY"]})
        assert r.status == 202, r
        out, _ = psql.communicate("SELECT 1;\n", timeout=20)
    finally:
        if psql.poll() is None:
            psql.kill()
    assert 'notification "opsknight_jobs"' in out, out[-500:]
