"""sinks.py: real local receivers for the worker's outbound traffic (HTTP webhooks, SMTP).

    with HTTPSink() as web, SMTPSink() as mail:
        web.respond("/hook", status=500, times=1)       # first attempt fails, then 200
        web.respond("/hang", hang=True)                 # never answers (until the sink stops)
        ... point integrations at web.url + "/hook", the SMTP provider at mail.host/mail.port ...
        [req] = web.wait_for(path="/hook", count=2)[-1:]
        assert req.headers["X-OpsKnight-Signature"].startswith("sha256=")
        [msg] = mail.wait_for(count=1)
        assert msg.email["Subject"].startswith("[CRITICAL]")

Both bind 127.0.0.1 on a free port, serve from daemon threads, record everything they receive
(in arrival order) and are stopped by leaving the `with` block (or .stop()).
"""

import base64
import email
import email.policy
import http.server
import json
import socketserver
import threading
import time
import urllib.parse


class _Recorder:
    """A list of records with a condition variable, shared by both sinks."""

    def __init__(self):
        self._items = []
        self._cond = threading.Condition()

    def add(self, item):
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def snapshot(self):
        with self._cond:
            return list(self._items)

    def clear(self):
        with self._cond:
            self._items.clear()

    def wait_for(self, match, count, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [x for x in self._items if match(x)]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("waited %.1f s for %d %s, got %d: %r"
                                         % (timeout, count, what, len(got), self._items[-5:]))
                self._cond.wait(left)


# --- HTTP ----------------------------------------------------------------------------------------

class Request:
    """One request as the sink received it."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target                      # path and query as sent
        split = urllib.parse.urlsplit(target)
        self.path = split.path
        self.query = urllib.parse.parse_qs(split.query)
        self.headers = headers                    # email.message.Message: case-insensitive
        self.body = body                          # bytes
        self.time = time.monotonic()

    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    def form(self):
        """application/x-www-form-urlencoded body as {name: value} (last value wins)."""
        return {k: v[-1] for k, v in urllib.parse.parse_qs(self.text(), keep_blank_values=True).items()}

    def __repr__(self):
        return "<%s %s %d bytes>" % (self.method, self.target, len(self.body))


class _Rule:
    def __init__(self, status, body, headers, delay, hang, times):
        self.status, self.body, self.headers = status, body, headers or {}
        self.delay, self.hang, self.times = delay, hang, times


class _HTTPHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "OpsKnightSink/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _handle(self):
        sink = self.server.sink
        req = Request(self.command, self.path, self.headers, self._read_body())
        sink._requests.add(req)
        rule = sink._rule_for(req.path)
        if rule.hang:
            sink._stopping.wait()
            self.close_connection = True
            return
        if rule.delay:
            if sink._stopping.wait(rule.delay):
                self.close_connection = True
                return
        body = rule.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            self.send_response(rule.status)
            ctype = rule.headers.get("Content-Type", "application/json" if body[:1] in (b"{", b"[")
                                     else "text/plain")
            self.send_header("Content-Type", ctype)
            for k, v in rule.headers.items():
                if k.lower() != "content-type":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _ThreadingHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the default listen backlog (5) drops bursts of connections


class HTTPSink:
    """An HTTP receiver on 127.0.0.1. Every request is recorded in .requests; the answer is
    200 {"ok":true} unless respond() programmed another for the path."""

    def __init__(self, host="127.0.0.1", port=0):
        self._requests = _Recorder()
        self._rules = {}          # path (or prefix ending in '*') -> [rule, ...]
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _ThreadingHTTPServer((host, port), _HTTPHandler)
        self._server.sink = self
        self.host, self.port = self._server.server_address[:2]
        self.url = "http://%s:%d" % (self.host, self.port)
        self._thread = None

    # lifecycle
    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="http-sink",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()      # releases hanging and delayed handlers
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # programming
    def respond(self, path, status=200, body=None, headers=None, delay=0, hang=False, times=None):
        """Answers requests to path (exact, or a prefix when it ends in '*') with status and
        body (str, bytes, or a dict/list sent as JSON) after `delay` seconds, or never when
        hang. With times=N the rule is used N times, then the next rule (or the default)
        applies; rules for one path queue up in the order given."""
        if body is None:
            body = {"ok": status < 400}
        with self._lock:
            self._rules.setdefault(path, []).append(_Rule(status, body, headers, delay, hang, times))

    def reset(self):
        """Forgets the rules and the recorded requests."""
        with self._lock:
            self._rules.clear()
        self._requests.clear()

    def _rule_for(self, path):
        with self._lock:
            rules = self._rules.get(path)
            if not rules:
                best = None
                for p, rs in self._rules.items():
                    if p.endswith("*") and path.startswith(p[:-1]) and rs:
                        if best is None or len(p) > len(best):
                            best = p
                rules = self._rules.get(best) if best else None
            while rules:
                rule = rules[0]
                if rule.times is None:
                    return rule
                if rule.times > 0:
                    rule.times -= 1
                    if rule.times == 0 and len(rules) > 1:
                        rules.pop(0)
                    return rule
                rules.pop(0)
            return _Rule(200, b'{"ok":true}', None, 0, False, None)

    # inspection
    @property
    def requests(self):
        return self._requests.snapshot()

    def wait_for(self, path=None, count=1, timeout=10, where=None):
        """Waits until `count` requests (to path, when given, and satisfying where(req)) have
        arrived; returns all that match. Raises AssertionError on timeout."""
        def match(r):
            return (path is None or r.path == path) and (where is None or where(r))
        return self._requests.wait_for(match, count, timeout, "requests to %s" % (path or "*"))


# --- SMTP ----------------------------------------------------------------------------------------

class Message:
    """One message accepted by the SMTP sink."""

    def __init__(self, mail_from, rcpt_tos, data, helo, auth):
        self.mail_from = mail_from    # envelope sender (no angle brackets)
        self.rcpt_tos = rcpt_tos      # envelope recipients
        self.data = data              # bytes as sent, dot-stuffing removed
        self.helo = helo
        self.auth = auth              # (username, password) or None
        self.email = email.message_from_bytes(data, policy=email.policy.default)
        self.time = time.monotonic()

    @property
    def subject(self):
        return str(self.email["Subject"])

    def text(self):
        """The decoded text body."""
        part = self.email.get_body(preferencelist=("plain",)) or self.email
        return part.get_content()

    def __repr__(self):
        return "<mail %s -> %s %r>" % (self.mail_from, self.rcpt_tos, self.subject)


def _addr(arg):
    arg = arg.split(":", 1)[1].strip() if ":" in arg else arg
    addr = arg.split(">", 1)[0].lstrip("<") if arg.startswith("<") else arg.split()[0]
    return addr.strip()


class _SMTPHandler(socketserver.StreamRequestHandler):
    timeout = 30

    def _send(self, line):
        self.wfile.write(line.encode("utf-8") + b"\r\n")
        self.wfile.flush()

    def _line(self):
        raw = self.rfile.readline(65536)
        if not raw:
            raise EOFError
        return raw.rstrip(b"\r\n").decode("utf-8", "replace")

    def handle(self):
        sink = self.server.sink
        helo, auth, mail_from, rcpts = None, None, None, []
        self._send("220 opsknight-sink ESMTP ready")
        try:
            while True:
                line = self._line()
                verb, _, arg = line.partition(" ")
                verb = verb.upper()
                if verb == "EHLO":
                    helo = arg
                    self._send("250-opsknight-sink")
                    self._send("250-8BITMIME")
                    self._send("250-SIZE 10485760")
                    self._send("250 AUTH PLAIN LOGIN")
                elif verb == "HELO":
                    helo = arg
                    self._send("250 opsknight-sink")
                elif verb == "AUTH":
                    auth = self._auth(arg)
                    if auth is None:
                        self._send("504 unsupported mechanism")
                    else:
                        self._send("235 2.7.0 authenticated")
                elif verb == "MAIL":
                    mail_from, rcpts = _addr(arg), []
                    self._send("250 2.1.0 ok")
                elif verb == "RCPT":
                    to = _addr(arg)
                    code = sink._rcpt_code(to)
                    if code == 250:
                        rcpts.append(to)
                        self._send("250 2.1.5 ok")
                    else:
                        self._send("%d recipient refused" % code)
                elif verb == "DATA":
                    if not rcpts:
                        self._send("503 need RCPT first")
                        continue
                    self._send("354 end with <CRLF>.<CRLF>")
                    data = []
                    while True:
                        raw = self.rfile.readline(1 << 20)
                        if not raw:
                            raise EOFError
                        if raw in (b".\r\n", b".\n"):
                            break
                        data.append(raw[1:] if raw.startswith(b".") else raw)
                    code = sink._data_code()
                    if code == 250:
                        sink._messages.add(Message(mail_from, rcpts, b"".join(data), helo, auth))
                        self._send("250 2.0.0 queued")
                    else:
                        self._send("%d message refused" % code)
                    mail_from, rcpts = None, []
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    self._send("250 ok")
                elif verb == "NOOP":
                    self._send("250 ok")
                elif verb == "QUIT":
                    self._send("221 bye")
                    return
                elif verb == "STARTTLS":
                    self._send("454 TLS not available")
                else:
                    self._send("502 command not implemented")
        except (EOFError, ConnectionError, OSError):
            return

    def _auth(self, arg):
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        if mech == "PLAIN":
            if not initial:
                self._send("334 ")
                initial = self._line()
            parts = base64.b64decode(initial).split(b"\0")
            return (parts[1].decode(), parts[2].decode()) if len(parts) == 3 else ("", "")
        if mech == "LOGIN":
            if initial:
                user = base64.b64decode(initial).decode()
            else:
                self._send("334 VXNlcm5hbWU6")
                user = base64.b64decode(self._line()).decode()
            self._send("334 UGFzc3dvcmQ6")
            return (user, base64.b64decode(self._line()).decode())
        return None


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class SMTPSink:
    """An SMTP receiver on 127.0.0.1 (plain SMTP, optional AUTH PLAIN/LOGIN accepted with any
    credentials, no STARTTLS). Accepted messages are in .messages."""

    def __init__(self, host="127.0.0.1", port=0):
        self._messages = _Recorder()
        self._lock = threading.Lock()
        self._rcpt_codes = {}     # address -> SMTP code answered to RCPT
        self._data_codes = []     # codes answered to the next DATA commands, in order
        self._server = _ThreadingTCPServer((host, port), _SMTPHandler)
        self._server.sink = self
        self.host, self.port = self._server.server_address[:2]
        self.url = "smtp://%s:%d" % (self.host, self.port)
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="smtp-sink",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def provider_config(self, sender="alerts@opsknight.test"):
        """The e-mail provider config JSON that points the worker at this sink."""
        return {"host": self.host, "port": self.port, "secure": "none", "from": sender}

    def reject(self, address, code=550):
        """Answers RCPT TO:<address> with code (550 permanent, 451 transient)."""
        with self._lock:
            self._rcpt_codes[address.lower()] = code

    def fail_data(self, code=451, times=1):
        """Answers the next `times` DATA transfers with code instead of accepting them."""
        with self._lock:
            self._data_codes.extend([code] * times)

    def reset(self):
        with self._lock:
            self._rcpt_codes.clear()
            self._data_codes.clear()
        self._messages.clear()

    def _rcpt_code(self, address):
        with self._lock:
            return self._rcpt_codes.get(address.lower(), 250)

    def _data_code(self):
        with self._lock:
            return self._data_codes.pop(0) if self._data_codes else 250

    @property
    def messages(self):
        return self._messages.snapshot()

    def wait_for(self, count=1, timeout=10, to=None, where=None):
        """Waits until `count` messages (to the recipient `to`, and satisfying where(msg))
        were accepted; returns all that match. Raises AssertionError on timeout."""
        def match(m):
            return (to is None or to.lower() in (r.lower() for r in m.rcpt_tos)) and \
                (where is None or where(m))
        return self._messages.wait_for(match, count, timeout, "messages")


if __name__ == "__main__":  # manual use: python3 sinks.py, then point things at the ports
    with HTTPSink() as web, SMTPSink() as mail:
        print("http sink %s, smtp sink %s (Ctrl-C stops)" % (web.url, mail.url), flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("%d requests, %d messages" % (len(web.requests), len(mail.messages)))
