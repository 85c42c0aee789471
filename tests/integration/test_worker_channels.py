"""Every chat channel and SMS end to end through the worker, at real local receivers: Microsoft
Teams, Discord, Google Chat and Telegram webhook integrations of a service, and a person paged by
SMS through a Twilio-compatible API whose base URL is the receiver."""

import base64
import json

from harness import new_key, wait_for
from sinks import HTTPSink
from workerlib import policy, service, trigger, webhook_integration


def test_chat_channels(s):
    with HTTPSink() as web:
        sid, rk = service(s, channels=["WEBHOOK"])
        for kind in ("TEAMS", "DISCORD", "GOOGLE_CHAT", "TELEGRAM"):
            webhook_integration(s, sid, web.url + "/" + kind.lower(), kind=kind,
                                channel="-100123" if kind == "TELEGRAM" else None)
        inc, title, _ = trigger(s, rk)

        [teams] = web.wait_for("/teams", timeout=5)
        card = teams.json()["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive", card
        assert card["content"]["type"] == "AdaptiveCard", card
        assert title in json.dumps(card), card

        [discord] = web.wait_for("/discord", timeout=5)
        embed = discord.json()["embeds"][0]
        assert embed["color"] == 0xd32f2f, embed  # red: triggered
        assert title in json.dumps(embed), embed

        [chat] = web.wait_for("/google_chat", timeout=5)
        assert chat.json()["cardsV2"] and title in json.dumps(chat.json()), chat.json()

        [tg] = web.wait_for("/telegram", timeout=5)
        body = tg.json()
        assert body["chat_id"] == "-100123" and title in body["text"], body
        assert body["disable_web_page_preview"] is False, body

        for r in (teams, discord, chat, tg):
            assert r.method == "POST" and r.headers["Content-Type"].startswith("application/json")
        completed = "SELECT count(*) FROM background_job WHERE incident_id = :'i' AND " \
            "type = 'NOTIFICATION' AND status = 'COMPLETED'"
        assert wait_for(lambda: s.scalar(completed, i=inc) == "4", 5), s.scalar(completed, i=inc)


def test_sms_page_through_twilio_compatible_api(s):
    with HTTPSink() as api:
        phone = "+1555%07d" % (abs(hash(new_key())) % 10 ** 7)
        uid = s.scalar("INSERT INTO app_user (name, email, status, sms_notifications_enabled, "
                       "phone_number) VALUES (:'n', :'e', 'ACTIVE', true, :'p') RETURNING id",
                       n="Sms " + new_key()[-6:], e=new_key("sms") + "@example.com", p=phone)
        s.psql("INSERT INTO notification_provider (provider, enabled, config) "
               "VALUES ('twilio', true, :'c'::jsonb) ON CONFLICT (provider) "
               "DO UPDATE SET enabled = true, config = EXCLUDED.config",
               c=json.dumps({"base_url": api.url, "account_sid": "AC123", "auth_token": "tok",
                             "from_number": "+15550000"}))
        try:
            pid = policy(s, [{"user": uid, "channels": ["SMS"]}])
            _, rk = service(s, policy_id=pid)
            inc, title, _ = trigger(s, rk)
            [req] = api.wait_for("/2010-04-01/Accounts/AC123/Messages.json", timeout=5)
        finally:
            s.psql("UPDATE notification_provider SET enabled = false WHERE provider = 'twilio'")
        form = req.form()
        assert form["To"] == phone and form["From"] == "+15550000", form
        assert title in form["Body"], form
        assert req.headers["Authorization"] == \
            "Basic " + base64.b64encode(b"AC123:tok").decode(), req.headers
        assert wait_for(lambda: s.scalar(
            "SELECT status FROM notification WHERE incident_id = :'i' AND user_id = :'u' "
            "AND channel = 'SMS'", i=inc, u=uid) == "SENT", 5)
        assert s.scalar("SELECT count(*) FROM incident_event WHERE incident_id = :'i' AND "
                        "type = 'NOTIFICATION' AND message = 'Notification sent via SMS'",
                        i=inc) == "1"
