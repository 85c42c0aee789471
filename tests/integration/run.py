#!/usr/bin/env python3
"""run.py: runs the integration suite against one stack started from a build dir.

    python3 tests/integration/run.py [--build build] [--keep-logs DIR] [name-substring ...]

Discovers tests/integration/test_*.py, runs every function test_*(s) (s: harness.Stack) in file
order (a module may set ORDER; default 50, faults run last), prints `ok - name` or
`FAIL - name: reason`, and ends with `N passed, N failed`. A test that cannot run is a failure.
"""

import argparse
import importlib.util
import inspect
import os
import signal
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

TEST_TIMEOUT = 180


def discover(filters):
    tests = []
    for fn in sorted(os.listdir(HERE)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fn[:-3], os.path.join(HERE, fn))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        funcs = [f for n, f in inspect.getmembers(mod, inspect.isfunction)
                 if n.startswith("test_") and f.__module__ == mod.__name__]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        for f in funcs:
            name = "%s.%s" % (fn[:-3], f.__name__)
            if not filters or any(x in name for x in filters):
                tests.append((getattr(mod, "ORDER", 50), len(tests), name, f))
    return [(name, f) for _, _, name, f in sorted(tests)]


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout("timed out after %d s" % TEST_TIMEOUT)


def reason(exc):
    if isinstance(exc, AssertionError) and str(exc):
        return str(exc)
    tb = traceback.extract_tb(exc.__traceback__)[-1]
    return "%s: %s (%s:%d)" % (type(exc).__name__, exc, os.path.basename(tb.filename), tb.lineno)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "build"))
    ap.add_argument("--keep-logs", help="copy the stack's logs here at the end")
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()

    # SIGTERM/SIGINT still tear the stack down (finally below).
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    signal.signal(signal.SIGALRM, on_alarm)
    passed = failed = 0
    tests = discover(args.filters)
    stack = harness.Stack(args.build, args.keep_logs)
    try:
        try:
            stack.start()
            broken = None
        except Exception as e:  # every test fails: it cannot run
            print("# " + str(e).strip().replace("\n", "\n# "), flush=True)
            broken = "stack did not start"
        for name, f in tests:
            try:
                if broken:
                    raise RuntimeError(broken)
                signal.alarm(TEST_TIMEOUT)
                try:
                    f(stack)
                finally:
                    signal.alarm(0)
                print("ok - %s" % name, flush=True)
                passed += 1
            except Exception as e:
                print("FAIL - %s: %s" % (name, reason(e).replace("\n", " ")), flush=True)
                failed += 1
    finally:
        try:
            stack.stop()
        except Exception as e:
            print("FAIL - teardown: %s" % e, flush=True)
            failed += 1
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
