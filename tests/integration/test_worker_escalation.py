"""The worker's escalations (spec §8.1 + policy repeats), auto-unsnooze (§7.1) and SLA warnings
(§7.2), driven through the real ingest path and the one clock: no test sleeps through a delay."""

import time

from harness import wait_for
from sinks import SMTPSink
from workerlib import (advance, event, has_line, insert_job, job, jobs, pages, policy, quiesce,
                       schedule, service, smtp_provider, task_done, team, timeline, trigger, user)


def test_escalation_end_to_end(s):
    a, b = user(s, "alice"), user(s, "bob")
    pol = policy(s, [{"user": a["id"], "channels": ["EMAIL"]},
                     {"user": b["id"], "delay": 15, "channels": ["EMAIL"]}],
                 repeat_count=1, repeat_delay=5)
    _, rk = service(s, pol)
    with SMTPSink() as mail, smtp_provider(s, mail):
        t0 = time.monotonic()
        inc, title, _ = trigger(s, rk)

        # step 1, at once: A paged by e-mail, assigned, timeline written
        [msg] = mail.wait_for(count=1, to=a["email"], timeout=3)
        assert msg.subject == "[CRITICAL] " + title, msg.subject
        assert title in msg.text() and "[OpsKnight] Incident: " + title in msg.text(), msg.text()
        assert wait_for(lambda: has_line(s, inc, "NOTIFICATION", "Notification sent via EMAIL"),
                        3), timeline(s, inc)
        assert time.monotonic() - t0 < 3, "first page took %.1f s" % (time.monotonic() - t0)
        assert has_line(s, inc, "ESCALATED", "Escalated to %s (Level 1)" % a["name"]), \
            timeline(s, inc)
        assert pages(s, inc, a) == 1 and pages(s, inc, b) == 0
        assert s.psql("SELECT user_id, channel, status, sent_at IS NOT NULL FROM notification "
                      "WHERE incident_id = :'i'", i=inc) == [(a["id"], "EMAIL", "SENT", "t")]
        assert s.psql("SELECT assignee_id, escalation_status, current_escalation_step, "
                      "next_escalation_at - ok_now() BETWEEN interval '14 minutes' "
                      "AND interval '15 minutes' FROM incident WHERE id = :'i'", i=inc) == \
            [(a["id"], "ESCALATING", "1", "t")]
        assert any(m.startswith("Next escalation step scheduled for [[scheduledAt=")
                   and m.endswith("(15 minute delay)") for m in timeline(s, inc, "ESCALATED"))

        # not before its delay: 14 minutes later B is still not paged
        at = advance(s, "14 minutes")
        quiesce(s, inc, at)
        assert pages(s, inc, b) == 0, timeline(s, inc)

        # step 2 after the delay
        advance(s, "1 minute")
        mail.wait_for(count=1, to=b["email"], timeout=5)
        assert wait_for(lambda: has_line(s, inc, "ESCALATED", "Escalated to %s (Level 2, after "
                                         "15 minute delay)" % b["name"]), 5), timeline(s, inc)
        assert pages(s, inc, b) == 1
        assert wait_for(lambda: any(m.startswith("Escalation policy repeats at [[scheduledAt=")
                                    and m.endswith("(repeat 1 of 1)")
                                    for m in timeline(s, inc, "ESCALATED")), 5), timeline(s, inc)

        # the repeat, repeat_delay (5 min) after the last step: A again, then B again, then done
        advance(s, "5 minutes")
        mail.wait_for(count=2, to=a["email"], timeout=5)
        assert wait_for(lambda: pages(s, inc, a) == 2, 5)
        at = advance(s, "15 minutes")
        mail.wait_for(count=2, to=b["email"], timeout=5)
        assert wait_for(lambda: s.scalar("SELECT escalation_status FROM incident WHERE id = :'i'",
                                         i=inc) == "COMPLETED", 5)
        quiesce(s, inc, at)
        assert (pages(s, inc, a), pages(s, inc, b)) == (2, 2)
        levels = [m for m in timeline(s, inc, "ESCALATED") if m.startswith("Escalated to")]
        assert levels == ["Escalated to %s (Level 1)" % a["name"], "Escalated to %s (Level 2, "
                          "after 15 minute delay)" % b["name"]] * 2, levels
        assert s.psql("SELECT count(*), count(*) FILTER (WHERE status = 'SENT') FROM notification "
                      "WHERE incident_id = :'i'", i=inc) == [("4", "4")]
        assert timeline(s, inc, "NOTIFICATION") == ["Notification sent via EMAIL"] * 4
        assert jobs(s, "incident_id = :'i' AND status NOT IN ('COMPLETED')", i=inc) == []

        # after the last repeat nobody is paged any more
        quiesce(s, inc, advance(s, "30 minutes"))
        assert (pages(s, inc, a), pages(s, inc, b)) == (2, 2)
        assert len([m for m in mail.messages if inc in m.text()]) == 4


def test_acknowledge_cancels_pending_step(s):
    a, b = user(s, "alice"), user(s, "bob")
    pol = policy(s, [{"user": a["id"]}, {"user": b["id"], "delay": 15}])
    _, rk = service(s, pol)
    inc, _, key = trigger(s, rk)
    assert wait_for(lambda: pages(s, inc, a) == 1, 3), timeline(s, inc)
    assert wait_for(lambda: jobs(s, "incident_id = :'i' AND type = 'ESCALATION' AND status = "
                                 "'PENDING'", i=inc), 3)
    [pending] = jobs(s, "incident_id = :'i' AND type = 'ESCALATION' AND status = 'PENDING'", i=inc)

    assert event(s, rk, "acknowledge", key)["status"] == "success"
    assert job(s, pending[0])[2] == "CANCELLED", job(s, pending[0])
    assert s.psql("SELECT status, escalation_status, next_escalation_at IS NULL FROM incident "
                  "WHERE id = :'i'", i=inc) == [("ACKNOWLEDGED", "COMPLETED", "t")]
    quiesce(s, inc, advance(s, "16 minutes"))
    assert (pages(s, inc, a), pages(s, inc, b)) == (1, 0), timeline(s, inc)
    assert not any("Level 2" in m for m in timeline(s, inc)), timeline(s, inc)


def test_team_schedule_and_skipped_targets(s):
    m1, m2 = user(s, "member"), user(s, "muted")
    gone, lead = user(s, "gone", status="DISABLED"), user(s, "lead")
    tid, tname = team(s, [(m1, True), (m2, False), (gone, True), (lead, True)], lead=lead)
    c = user(s, "carol")
    sid, sname = schedule(s, [c])
    empty_id, empty_name = schedule(s, [])
    d, e = user(s, "dave", status="DISABLED"), user(s, "erin")
    pol = policy(s, [{"team": tid}, {"team": tid, "lead_only": True}, {"schedule": sid},
                     {"schedule": empty_id}, {"user": d["id"]}, {"user": e["id"]}])
    _, rk = service(s, pol)
    inc, _, _ = trigger(s, rk)

    assert wait_for(lambda: s.scalar("SELECT escalation_status FROM incident WHERE id = :'i'",
                                     i=inc) == "COMPLETED", 5), timeline(s, inc)
    quiesce(s, inc)
    assert timeline(s, inc, "ESCALATED") == [
        "Escalated to TEAM: %s (2 users) (Level 1)" % tname,
        "Escalated to TEAM: %s (1 user) (Level 2)" % tname,
        "Escalated to SCHEDULE: %s (1 user) (Level 3)" % sname,
        "Escalation step 4 (SCHEDULE: %s) resolved to no users. Skipping to next step."
        % empty_name,
        "Escalation step 5 (USER: %s) resolved to no users. Skipping to next step." % d["name"],
        "Escalated to %s (Level 6)" % e["name"],
    ], timeline(s, inc, "ESCALATED")
    got = {u["name"]: pages(s, inc, u) for u in (m1, m2, gone, lead, c, d, e)}
    assert got == {m1["name"]: 1, m2["name"]: 0, gone["name"]: 0, lead["name"]: 2, c["name"]: 1,
                   d["name"]: 0, e["name"]: 1}, got
    # a TEAM first step assigns the incident to the team, not to a person
    assert s.psql("SELECT team_id, assignee_id IS NULL FROM incident WHERE id = :'i'", i=inc) == \
        [(tid, "t")]


def test_auto_unsnooze(s):
    a = user(s, "alice")
    _, rk = service(s, policy(s, [{"user": a["id"]}]))
    inc, _, _ = trigger(s, rk)
    assert wait_for(lambda: s.scalar("SELECT escalation_status FROM incident WHERE id = :'i'",
                                     i=inc) == "COMPLETED", 5)
    quiesce(s, inc)
    assert pages(s, inc, a) == 1
    # snoozed for 10 minutes, as the API does it: the row and an AUTO_UNSNOOZE job at the end
    until = s.scalar("UPDATE incident SET status = 'SNOOZED', snoozed_until = ok_now() + "
                     "interval '10 minutes', snooze_reason = 'it' WHERE id = :'i' "
                     "RETURNING ok_iso(snoozed_until)", i=inc)
    due = insert_job(s, "AUTO_UNSNOOZE", {"incident_id": inc}, inc,
                     "(SELECT snoozed_until FROM incident WHERE id = '%s')" % inc)
    # one that runs too early is put back to the snooze's end, its attempt not counted
    early = insert_job(s, "AUTO_UNSNOOZE", {"incident_id": inc}, inc)
    assert wait_for(lambda: s.psql("SELECT status, attempts, ok_iso(run_at) FROM background_job "
                                   "WHERE id = :'j'", j=early) == [("PENDING", "0", until)], 5), \
        job(s, early)
    quiesce(s, inc, advance(s, "9 minutes"))
    assert s.scalar("SELECT status FROM incident WHERE id = :'i'", i=inc) == "SNOOZED"
    assert job(s, due)[2:4] == ("PENDING", "0"), job(s, due)

    advance(s, "1 minute")
    assert wait_for(lambda: s.scalar("SELECT status FROM incident WHERE id = :'i'",
                                     i=inc) == "OPEN", 5), job(s, due)
    assert wait_for(lambda: pages(s, inc, a) == 2, 5), timeline(s, inc)  # escalation resumed
    quiesce(s, inc)
    assert s.psql("SELECT snoozed_until IS NULL, snooze_reason IS NULL FROM incident "
                  "WHERE id = :'i'", i=inc) == [("t", "t")]
    assert timeline(s, inc, "STATUS_CHANGE") == \
        ["Incident auto-unsnoozed (snooze duration expired)"]
    assert len(jobs(s, "incident_id = :'i' AND type = 'ESCALATION' AND payload->>'step' = '0' "
                       "AND (payload->>'scheduled')::boolean", i=inc)) == 1
    # exactly one unsnooze happened (the job, or the periodic sweep that may have come first);
    # the other job found the incident no longer snoozed
    outcomes = sorted(job(s, j)[2] for j in (due, early))
    assert outcomes in (["CANCELLED", "COMPLETED"], ["CANCELLED", "CANCELLED"]), outcomes
    for j in (due, early):
        if job(s, j)[2] == "CANCELLED":
            assert job(s, j)[4] == "incident is no longer snoozed", job(s, j)


def test_unsnooze_of_an_incident_no_longer_snoozed_is_cancelled(s):
    _, rk = service(s)
    inc, _, _ = trigger(s, rk)
    jid = insert_job(s, "AUTO_UNSNOOZE", {"incident_id": inc}, inc)
    assert wait_for(lambda: job(s, jid)[2] == "CANCELLED", 5), job(s, jid)
    assert job(s, jid)[3:5] == ("1", "incident is no longer snoozed"), job(s, jid)
    assert s.scalar("SELECT status FROM incident WHERE id = :'i'", i=inc) == "OPEN"
    assert timeline(s, inc, "STATUS_CHANGE") == []


def test_sla_ack_warning(s):
    _, rk = service(s, notify_on_sla_breach="true", target_ack_minutes=10)
    inc, _, _ = trigger(s, rk)
    at = advance(s, "4 minutes")       # 6 minutes left: too early for a warning
    assert wait_for(lambda: task_done(s, at, "sla_warnings"), 5)
    quiesce(s, inc)
    assert timeline(s, inc, "SLA_WARNING") == []

    advance(s, "2 minutes")       # 4 minutes left
    assert wait_for(lambda: timeline(s, inc, "SLA_WARNING"), 5), timeline(s, inc)
    assert timeline(s, inc, "SLA_WARNING") == ["⏰ SLA ACK Warning: 4 min remaining"]

    at = advance(s, "1 minute")        # 3 minutes left, but one warning per 5.5 minutes
    assert wait_for(lambda: task_done(s, at, "sla_warnings"), 5)
    quiesce(s, inc)
    assert timeline(s, inc, "SLA_WARNING") == ["⏰ SLA ACK Warning: 4 min remaining"]
