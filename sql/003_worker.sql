-- 003_worker.sql: why this migration exists — the SQL side of opsknight-worker's jobs (issue 3):
-- escalation steps (spec §8.1 plus policy repeats, DESIGN decision 10), auto-unsnooze (§7.1),
-- the fan-out of an incident event into deliveries (service notifications §8.4, user
-- notifications §8.3, status-page webhooks §8.5), and loading/recording one delivery. Each job
-- step is one function = one round trip and one short transaction; HTTP happens outside any
-- transaction (the worker sends between ok_delivery_load and ok_delivery_record).
-- Claiming and finishing jobs is worker/jobq.c's SQL, not here.

-- A repeat of the policy waits this long after the last step before paging step 0 again.
ALTER TABLE escalation_policy
	ADD COLUMN repeat_delay_minutes integer NOT NULL DEFAULT 15 CHECK (repeat_delay_minutes >= 0);

-- The hourly cleanup finds old finished jobs without scanning the queue.
CREATE INDEX background_job_finished ON background_job (completed_at)
	WHERE status IN ('COMPLETED', 'CANCELLED');

-- Moving the test clock must wake every worker: their timers were set for the old "now".
CREATE OR REPLACE FUNCTION ok_clock_set(p_offset interval) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	UPDATE clock SET "offset" = p_offset WHERE id;
	PERFORM pg_notify('opsknight_jobs', 'clock');
	RETURN ok_now();
END
$$;

-- Enqueues one job (the only INSERT INTO background_job of this file). unique_key makes a
-- re-run of the producing job idempotent: the second insert is a no-op.
CREATE OR REPLACE FUNCTION ok_job_enqueue(p_type text, p_incident uuid, p_payload jsonb,
	p_run_at timestamptz, p_unique_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO background_job (type, incident_id, payload, run_at, unique_key, created_at,
		updated_at)
	VALUES (p_type, p_incident, p_payload, p_run_at, p_unique_key, ok_now(), ok_now())
	ON CONFLICT (unique_key) DO NOTHING;
	PERFORM pg_notify('opsknight_jobs', '');
END
$$;

-- (plpgsql rather than SQL: a SQL function that is not inlined is planned again on every call;
-- plpgsql keeps its plans. The same holds for the two functions below.)
CREATE OR REPLACE FUNCTION ok_timeline(p_incident uuid, p_type text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO incident_event (incident_id, type, message, created_at)
	VALUES (p_incident, p_type, p_message, ok_now());
END
$$;

-- The incident as outbound channels render it (spec §8.5): with its service, its assignee and
-- its URL under app_url.
CREATE OR REPLACE FUNCTION ok_incident_channel_json(p_incident uuid, p_app_url text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v jsonb;
BEGIN
	SELECT jsonb_build_object(
		'id', i.id, 'title', i.title, 'description', i.description, 'status', i.status,
		'urgency', i.urgency, 'priority', i.priority,
		'url', rtrim(coalesce(p_app_url, ''), '/') || '/incidents/' || i.id,
		'created_at', ok_iso(i.created_at), 'acknowledged_at', ok_iso(i.acknowledged_at),
		'resolved_at', ok_iso(i.resolved_at),
		'service', jsonb_build_object('id', s.id, 'name', s.name),
		'assignee', CASE WHEN u.id IS NULL THEN NULL
			ELSE jsonb_build_object('id', u.id, 'name', u.name, 'email', u.email) END)
	INTO v
	FROM incident i
	JOIN service s ON s.id = i.service_id
	LEFT JOIN app_user u ON u.id = i.assignee_id
	WHERE i.id = p_incident;
	RETURN v;
END
$$;

-- Schedules the next pass of the policy for inc after step p_done (spec §8.1 step 11): the next
-- step after its delay, or — past the last step — a repeat (policy repeat_count, decision 10)
-- or the end. Writes the incident fields, the job and the timeline row. The next job's unique
-- key is derived from the running job p_job, so running a job twice schedules one successor.
CREATE OR REPLACE FUNCTION ok_escalation_advance(p_job uuid, p_incident uuid, p_policy uuid,
	p_done integer, p_repeat integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_next escalation_rule;
	v_pol escalation_policy;
	v_at timestamptz;
BEGIN
	SELECT * INTO v_next FROM escalation_rule
	WHERE policy_id = p_policy ORDER BY step_order OFFSET p_done + 1 LIMIT 1;
	IF FOUND THEN
		v_at := v_now + make_interval(mins => v_next.delay_minutes);
		UPDATE incident SET current_escalation_step = p_done + 1, next_escalation_at = v_at,
			escalation_processing_at = NULL, updated_at = v_now
		WHERE id = p_incident;
		PERFORM ok_job_enqueue('ESCALATION', p_incident, jsonb_build_object('incident_id',
			p_incident, 'step', p_done + 1, 'repeat', p_repeat, 'scheduled', true), v_at,
			'next:' || p_job);
		IF v_next.delay_minutes > 0 THEN
			PERFORM ok_timeline(p_incident, 'ESCALATED', format(
				'Next escalation step scheduled for [[scheduledAt=%s]] (%s minute delay)',
				ok_iso(v_at), v_next.delay_minutes));
		END IF;
		RETURN 'next_step';
	END IF;
	SELECT * INTO v_pol FROM escalation_policy WHERE id = p_policy;
	IF p_repeat < v_pol.repeat_count THEN
		v_at := v_now + make_interval(mins => v_pol.repeat_delay_minutes);
		UPDATE incident SET current_escalation_step = 0, next_escalation_at = v_at,
			escalation_processing_at = NULL, updated_at = v_now
		WHERE id = p_incident;
		PERFORM ok_job_enqueue('ESCALATION', p_incident, jsonb_build_object('incident_id',
			p_incident, 'step', 0, 'repeat', p_repeat + 1, 'scheduled', true), v_at,
			'next:' || p_job);
		PERFORM ok_timeline(p_incident, 'ESCALATED', format(
			'Escalation policy repeats at [[scheduledAt=%s]] (repeat %s of %s)',
			ok_iso(v_at), p_repeat + 1, v_pol.repeat_count));
		RETURN 'repeat';
	END IF;
	UPDATE incident SET escalation_status = 'COMPLETED', next_escalation_at = NULL,
		current_escalation_step = NULL, escalation_processing_at = NULL, updated_at = v_now
	WHERE id = p_incident;
	RETURN 'completed';
END
$$;

-- One escalation step (spec §8.1), in one transaction. Returns {"result": …}:
--   gone | stopped (not OPEN or not ESCALATING: ack/resolve/snooze stopped it) | stale (the
--   incident moved to another step) | no_policy | scheduled (a delay was started) |
--   need_schedule (+ schedule_id: the caller computes who is on call — core/oncall — and calls
--   again with p_oncall; nothing was written) | escalated (+ users) | skipped | next_step |
--   repeat | completed.
-- p_scheduled: the step's delay has already been waited (the job ran at its run_at).
CREATE OR REPLACE FUNCTION ok_escalate(p_job uuid, p_incident uuid, p_step integer,
	p_repeat integer, p_scheduled boolean, p_oncall uuid[]) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_inc incident;
	v_policy uuid;
	v_nsteps integer;
	v_rule escalation_rule;
	v_users uuid[];
	v_name text;
	v_label text;
	v_target uuid;
	v_at timestamptz;
	v_msg text;
	v_next text;
	u uuid;
BEGIN
	SELECT * INTO v_inc FROM incident WHERE id = p_incident FOR UPDATE;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('result', 'gone');
	END IF;
	IF v_inc.status <> 'OPEN' OR v_inc.escalation_status IS DISTINCT FROM 'ESCALATING' THEN
		RETURN jsonb_build_object('result', 'stopped');
	END IF;
	IF coalesce(v_inc.current_escalation_step, 0) <> p_step THEN
		RETURN jsonb_build_object('result', 'stale');
	END IF;
	SELECT s.escalation_policy_id INTO v_policy FROM service s WHERE s.id = v_inc.service_id;
	SELECT count(*) INTO v_nsteps FROM escalation_rule WHERE policy_id = v_policy;
	IF v_policy IS NULL OR v_nsteps = 0 THEN
		UPDATE incident SET escalation_status = NULL, next_escalation_at = NULL,
			current_escalation_step = NULL, escalation_processing_at = NULL, updated_at = v_now
		WHERE id = p_incident;
		RETURN jsonb_build_object('result', 'no_policy');
	END IF;
	IF p_step >= v_nsteps THEN
		RETURN jsonb_build_object('result',
			ok_escalation_advance(p_job, p_incident, v_policy, p_step - 1, p_repeat));
	END IF;
	SELECT * INTO v_rule FROM escalation_rule
	WHERE policy_id = v_policy ORDER BY step_order OFFSET p_step LIMIT 1;

	-- a delayed step that has not waited yet: start its delay (§8.1 step 4)
	IF v_rule.delay_minutes > 0 AND NOT p_scheduled THEN
		v_at := v_now + make_interval(mins => v_rule.delay_minutes);
		UPDATE incident SET current_escalation_step = p_step, next_escalation_at = v_at,
			updated_at = v_now
		WHERE id = p_incident;
		PERFORM ok_job_enqueue('ESCALATION', p_incident, jsonb_build_object('incident_id',
			p_incident, 'step', p_step, 'repeat', p_repeat, 'scheduled', true), v_at,
			'next:' || p_job);
		PERFORM ok_timeline(p_incident, 'ESCALATED', format(
			'Escalation scheduled for [[scheduledAt=%s]] (%s minute delay)', ok_iso(v_at),
			v_rule.delay_minutes));
		RETURN jsonb_build_object('result', 'scheduled', 'at', ok_iso(v_at));
	END IF;

	-- target resolution (§8.1 step 7)
	v_target := CASE v_rule.target_type WHEN 'USER' THEN v_rule.target_user_id
		WHEN 'TEAM' THEN v_rule.target_team_id ELSE v_rule.target_schedule_id END;
	IF v_target IS NULL THEN
		PERFORM ok_timeline(p_incident, 'ESCALATED', format(
			'Escalation step %s has invalid target configuration (%s with no target ID). %s',
			p_step + 1, v_rule.target_type, CASE WHEN p_step + 1 < v_nsteps
				THEN 'Skipping to next step.' ELSE 'Escalation complete.' END));
		RETURN jsonb_build_object('result', 'skipped', 'next',
			ok_escalation_advance(p_job, p_incident, v_policy, p_step, p_repeat));
	END IF;
	IF v_rule.target_type = 'USER' THEN
		SELECT name INTO v_name FROM app_user WHERE id = v_target;
		SELECT array_agg(id) INTO v_users FROM app_user
		WHERE id = v_target AND status <> 'DISABLED';
	ELSIF v_rule.target_type = 'TEAM' THEN
		SELECT t.name INTO v_name FROM team t WHERE t.id = v_target;
		SELECT array_agg(u.id ORDER BY u.name, u.id) INTO v_users
		FROM team_member tm JOIN app_user u ON u.id = tm.user_id
		LEFT JOIN team t ON t.id = tm.team_id
		WHERE tm.team_id = v_target AND tm.receive_team_notifications
			AND u.status <> 'DISABLED'
			AND (NOT v_rule.notify_only_team_lead OR u.id = t.team_lead_id);
	ELSE
		SELECT sc.name INTO v_name FROM oncall_schedule sc WHERE sc.id = v_target;
		IF p_oncall IS NULL THEN
			RETURN jsonb_build_object('result', 'need_schedule', 'schedule_id', v_target,
				'now', extract(epoch FROM v_now));
		END IF;
		SELECT array_agg(u.id ORDER BY array_position(p_oncall, u.id)) INTO v_users
		FROM app_user u WHERE u.id = ANY (p_oncall) AND u.status = 'ACTIVE';
	END IF;
	v_users := coalesce(v_users, '{}');
	-- the first step also pages whoever the incident is already assigned to
	IF p_step = 0 AND v_inc.assignee_id IS NOT NULL AND NOT v_inc.assignee_id = ANY (v_users)
	THEN
		v_users := v_users || v_inc.assignee_id;
	END IF;
	v_label := CASE WHEN v_rule.target_type = 'USER' THEN coalesce(v_name, 'unknown user')
		ELSE format('%s: %s', v_rule.target_type, coalesce(v_name, 'unknown')) END;
	IF cardinality(v_users) = 0 THEN
		PERFORM ok_timeline(p_incident, 'ESCALATED', format(
			'Escalation step %s (%s: %s) resolved to no users. %s', p_step + 1,
			v_rule.target_type, coalesce(v_name, 'unknown'), CASE WHEN p_step + 1 < v_nsteps
				THEN 'Skipping to next step.' ELSE 'Escalation complete.' END));
		RETURN jsonb_build_object('result', 'skipped', 'next',
			ok_escalation_advance(p_job, p_incident, v_policy, p_step, p_repeat));
	END IF;

	-- auto-assign (§8.1 step 8)
	IF v_inc.assignee_id IS NULL AND v_inc.team_id IS NULL THEN
		IF v_rule.target_type = 'TEAM' THEN
			UPDATE incident SET team_id = v_target WHERE id = p_incident;
		ELSE
			UPDATE incident SET assignee_id = v_users[1] WHERE id = p_incident;
		END IF;
	END IF;

	-- page everyone (§8.1 step 10): an in-app row each, and one delivery job per user
	v_msg := format('[OpsKnight] Incident: %s%s', v_inc.title,
		CASE WHEN p_step > 0 THEN format(' (Escalation Level %s)', p_step + 1) ELSE '' END);
	FOREACH u IN ARRAY v_users LOOP
		INSERT INTO in_app_notification (user_id, type, title, message, entity_type, entity_id,
			created_at)
		VALUES (u, 'INCIDENT', 'Action Required', v_msg, 'INCIDENT', p_incident::text, v_now);
		PERFORM ok_job_enqueue('NOTIFICATION', p_incident, jsonb_build_object(
			'kind', 'user', 'incident_id', p_incident, 'user_id', u, 'event', 'escalated',
			'message', v_msg, 'channels', to_jsonb(v_rule.notification_channels)), v_now,
			'page:' || p_job || ':' || u);
	END LOOP;
	PERFORM ok_timeline(p_incident, 'ESCALATED', format('Escalated to %s (Level %s%s)',
		CASE WHEN v_rule.target_type = 'USER' THEN v_label ELSE format('%s (%s user%s)',
			v_label, cardinality(v_users), CASE WHEN cardinality(v_users) = 1 THEN '' ELSE 's'
			END) END,
		p_step + 1, CASE WHEN v_rule.delay_minutes > 0
			THEN format(', after %s minute delay', v_rule.delay_minutes) ELSE '' END));
	v_next := ok_escalation_advance(p_job, p_incident, v_policy, p_step, p_repeat);
	RETURN jsonb_build_object('result', 'escalated', 'users', to_jsonb(v_users),
		'next', v_next);
END
$$;

-- AUTO_UNSNOOZE (spec §7.1): {"result":"unsnoozed"} | {"result":"not_due","at":ISO} (the
-- caller re-runs the job then) | {"result":"cancelled"} (no longer snoozed).
CREATE OR REPLACE FUNCTION ok_unsnooze(p_incident uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_inc incident;
	v_policy uuid;
BEGIN
	SELECT * INTO v_inc FROM incident WHERE id = p_incident FOR UPDATE;
	IF NOT FOUND OR v_inc.status <> 'SNOOZED' THEN
		RETURN jsonb_build_object('result', 'cancelled');
	END IF;
	IF v_inc.snoozed_until IS NOT NULL AND v_inc.snoozed_until > v_now THEN
		RETURN jsonb_build_object('result', 'not_due', 'at', ok_iso(v_inc.snoozed_until));
	END IF;
	SELECT escalation_policy_id INTO v_policy FROM service WHERE id = v_inc.service_id;
	UPDATE incident SET status = 'OPEN', snoozed_until = NULL, snooze_reason = NULL,
		escalation_status = CASE WHEN v_policy IS NOT NULL THEN 'ESCALATING' END,
		next_escalation_at = CASE WHEN v_policy IS NOT NULL THEN v_now END, updated_at = v_now
	WHERE id = p_incident;
	PERFORM ok_timeline(p_incident, 'STATUS_CHANGE',
		'Incident auto-unsnoozed (snooze duration expired)');
	IF v_policy IS NOT NULL THEN
		-- resume at the current step, now (§4: unsnooze resumes escalation)
		PERFORM ok_job_enqueue('ESCALATION', p_incident, jsonb_build_object('incident_id',
			p_incident, 'step', coalesce(v_inc.current_escalation_step, 0), 'repeat', 0,
			'scheduled', true), v_now, NULL);
	END IF;
	PERFORM ok_job_enqueue('NOTIFY', p_incident, jsonb_build_object('incident_id', p_incident,
		'event', 'updated'), v_now, NULL);
	IF EXISTS (SELECT 1 FROM status_page_webhook w JOIN status_page p ON p.id = w.status_page_id
		WHERE p.enabled AND w.enabled) THEN
		PERFORM ok_job_enqueue('STATUS_PAGE', p_incident, jsonb_build_object('incident_id',
			p_incident, 'event', 'incident.updated'), v_now, NULL);
	END IF;
	RETURN jsonb_build_object('result', 'unsnoozed');
END
$$;

-- NOTIFY (spec §8.4, §8.3 sendIncidentNotifications): turns one incident event into delivery
-- jobs. Idempotent per producing job (unique keys). Returns how many deliveries were planned.
CREATE OR REPLACE FUNCTION ok_notify_plan(p_job uuid, p_incident uuid, p_event text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_inc incident;
	v_svc service;
	v_n integer := 0;
	v_msg text;
	w record;
	u uuid;
BEGIN
	SELECT * INTO v_inc FROM incident WHERE id = p_incident;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	SELECT * INTO v_svc FROM service WHERE id = v_inc.service_id;
	IF (p_event = 'triggered' AND NOT v_svc.notify_on_triggered)
		OR (p_event = 'acknowledged' AND NOT v_svc.notify_on_acknowledged)
		OR (p_event = 'resolved' AND NOT v_svc.notify_on_resolved) THEN
		RETURN 0;
	END IF;
	IF 'SLACK' = ANY (v_svc.notification_channels) AND v_svc.slack_webhook_url IS NOT NULL THEN
		PERFORM ok_job_enqueue('NOTIFICATION', p_incident, jsonb_build_object('kind', 'slack',
			'incident_id', p_incident, 'event', p_event), v_now, 'n:' || p_job || ':slack');
		v_n := v_n + 1;
	END IF;
	IF 'WEBHOOK' = ANY (v_svc.notification_channels) THEN
		FOR w IN SELECT id FROM webhook_integration
			WHERE service_id = v_svc.id AND enabled ORDER BY name LOOP
			PERFORM ok_job_enqueue('NOTIFICATION', p_incident, jsonb_build_object('kind',
				'webhook_integration', 'incident_id', p_incident, 'event', p_event,
				'webhook_id', w.id), v_now, 'n:' || p_job || ':w:' || w.id);
			v_n := v_n + 1;
		END LOOP;
	ELSIF NOT 'SLACK' = ANY (v_svc.notification_channels) AND v_svc.webhook_url IS NOT NULL THEN
		PERFORM ok_job_enqueue('NOTIFICATION', p_incident, jsonb_build_object('kind',
			'service_webhook', 'incident_id', p_incident, 'event', p_event), v_now,
			'n:' || p_job || ':service_webhook');
		v_n := v_n + 1;
	END IF;
	-- no escalation policy: people are told directly (assignee and the service's team)
	IF p_event IN ('triggered', 'updated') AND v_svc.escalation_policy_id IS NULL THEN
		v_msg := format('[%s] Incident %s: %s', v_svc.name, p_event, v_inc.title);
		FOR u IN
			SELECT v_inc.assignee_id WHERE v_inc.assignee_id IS NOT NULL
			UNION
			SELECT tm.user_id FROM team_member tm JOIN app_user au ON au.id = tm.user_id
			WHERE tm.team_id = v_svc.team_id AND tm.receive_team_notifications
				AND au.status <> 'DISABLED'
		LOOP
			INSERT INTO in_app_notification (user_id, type, title, message, entity_type,
				entity_id, created_at)
			VALUES (u, 'INCIDENT', CASE p_event WHEN 'triggered' THEN 'New Incident'
					ELSE 'Incident Updated' END,
				format('[%s] %s', v_svc.name, v_inc.title), 'INCIDENT', p_incident::text, v_now);
			PERFORM ok_job_enqueue('NOTIFICATION', p_incident, jsonb_build_object('kind',
				'user', 'incident_id', p_incident, 'user_id', u, 'event', p_event, 'message',
				v_msg, 'channels', '[]'::jsonb), v_now, 'n:' || p_job || ':u:' || u);
			v_n := v_n + 1;
		END LOOP;
	END IF;
	RETURN v_n;
END
$$;

-- STATUS_PAGE (spec §8.5): one delivery per enabled webhook, of a page showing the service (or
-- the first enabled page when none does), that asked for the event.
CREATE OR REPLACE FUNCTION ok_status_page_plan(p_job uuid, p_incident uuid, p_event text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_service uuid;
	v_n integer := 0;
	w record;
BEGIN
	SELECT service_id INTO v_service FROM incident WHERE id = p_incident;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	FOR w IN
		WITH pages AS (
			SELECT p.id FROM status_page p JOIN status_page_service ps ON ps.status_page_id = p.id
			WHERE p.enabled AND ps.service_id = v_service AND ps.show_on_page),
		chosen AS (
			SELECT id FROM pages
			UNION ALL
			(SELECT p.id FROM status_page p WHERE p.enabled AND NOT EXISTS (SELECT 1 FROM pages)
			 ORDER BY p.created_at LIMIT 1))
		SELECT wh.id FROM status_page_webhook wh JOIN chosen c ON c.id = wh.status_page_id
		WHERE wh.enabled AND wh.events ? p_event ORDER BY wh.created_at
	LOOP
		PERFORM ok_job_enqueue('NOTIFICATION', p_incident, jsonb_build_object('kind',
			'status_page', 'incident_id', p_incident, 'event', p_event, 'webhook_id', w.id),
			ok_now(), 'n:' || p_job || ':sp:' || w.id);
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END
$$;

-- The channels a user can be reached on, in the order of spec §8.3 (PUSH → SMS → WHATSAPP →
-- EMAIL), limited to the ones this server can send (SMS through a Twilio-compatible API, EMAIL
-- over SMTP) and whose provider is enabled.
CREATE OR REPLACE FUNCTION ok_user_channels(p_user uuid) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v text[];
BEGIN
	SELECT array_remove(ARRAY[
		CASE WHEN u.sms_notifications_enabled AND u.phone_number IS NOT NULL AND EXISTS (
			SELECT 1 FROM notification_provider WHERE provider = 'twilio' AND enabled)
			THEN 'SMS' END,
		CASE WHEN u.email_notifications_enabled AND EXISTS (
			SELECT 1 FROM notification_provider WHERE provider = 'smtp' AND enabled)
			THEN 'EMAIL' END], NULL)
	INTO v
	FROM app_user u WHERE u.id = p_user;
	RETURN v;
END
$$;

-- Everything one NOTIFICATION job sends (loaded before any HTTP, outside the send):
-- {"event","text","incident":<channel json>,"mode":"all"|"first","deliveries":[{"channel",
-- "target","secret","extra","provider","notification_id"}...]} — empty deliveries: nothing to
-- send (e.g. a user with no reachable channel, a deleted webhook). For user deliveries a
-- notification row per channel is created PENDING (or found, when the job runs again; channels
-- already SENT are left out).
CREATE OR REPLACE FUNCTION ok_delivery_load(p_job uuid, p_payload jsonb, p_app_url text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_kind text := p_payload->>'kind';
	v_incident uuid := (p_payload->>'incident_id')::uuid;
	v_inc jsonb := ok_incident_channel_json(v_incident, p_app_url);
	v_out jsonb := '[]';
	v_mode text := 'all';
	v_user app_user;
	v_channels text[];
	v_wanted text[];
	v_nid uuid;
	v_status text;
	c text;
	r record;
BEGIN
	IF v_inc IS NULL THEN
		RETURN jsonb_build_object('deliveries', '[]'::jsonb);
	END IF;
	IF v_kind = 'user' THEN
		SELECT * INTO v_user FROM app_user WHERE id = (p_payload->>'user_id')::uuid;
		v_channels := coalesce(ok_user_channels(v_user.id), '{}');
		SELECT array_agg(x) INTO v_wanted
		FROM jsonb_array_elements_text(coalesce(p_payload->'channels', '[]')) x;
		-- the step's channels ∩ the user's; none in common → the user's own (§8.3)
		IF v_wanted IS NOT NULL AND v_channels && v_wanted THEN
			SELECT array_agg(x ORDER BY array_position(v_channels, x)) INTO v_channels
			FROM unnest(v_channels) x WHERE x = ANY (v_wanted);
		END IF;
		-- HIGH urgency tries every channel; otherwise the first that succeeds is enough
		v_mode := CASE WHEN v_inc->>'urgency' = 'HIGH' THEN 'all' ELSE 'first' END;
		FOREACH c IN ARRAY v_channels LOOP
			INSERT INTO notification (incident_id, user_id, job_id, channel, message,
				created_at, updated_at)
			VALUES (v_incident, v_user.id, p_job, c, p_payload->>'message', ok_now(), ok_now())
			ON CONFLICT (job_id, user_id, channel) WHERE job_id IS NOT NULL
			DO UPDATE SET updated_at = ok_now()
			RETURNING id, status INTO v_nid, v_status;
			CONTINUE WHEN v_status = 'SENT';
			v_out := v_out || jsonb_build_object('channel', c, 'notification_id', v_nid,
				'target', CASE c WHEN 'SMS' THEN v_user.phone_number ELSE v_user.email END,
				'provider', (SELECT config FROM notification_provider WHERE enabled AND
					provider = CASE c WHEN 'SMS' THEN 'twilio' ELSE 'smtp' END));
		END LOOP;
	ELSIF v_kind = 'webhook_integration' THEN
		SELECT w.type, w.url, w.secret, w.channel INTO r FROM webhook_integration w
		WHERE w.id = (p_payload->>'webhook_id')::uuid AND w.enabled;
		IF FOUND THEN
			v_out := jsonb_build_array(jsonb_build_object('channel', r.type, 'target', r.url,
				'secret', r.secret, 'extra', r.channel));
		END IF;
	ELSIF v_kind = 'slack' THEN
		SELECT jsonb_build_array(jsonb_build_object('channel', 'SLACK', 'target',
			s.slack_webhook_url, 'extra', s.slack_channel)) INTO v_out
		FROM incident i JOIN service s ON s.id = i.service_id
		WHERE i.id = v_incident AND s.slack_webhook_url IS NOT NULL;
	ELSIF v_kind = 'service_webhook' THEN
		SELECT jsonb_build_array(jsonb_build_object('channel', 'WEBHOOK', 'target',
			s.webhook_url)) INTO v_out
		FROM incident i JOIN service s ON s.id = i.service_id
		WHERE i.id = v_incident AND s.webhook_url IS NOT NULL;
	ELSIF v_kind = 'status_page' THEN
		SELECT jsonb_build_array(jsonb_build_object('channel', 'STATUS_PAGE', 'target', w.url,
			'secret', w.secret)) INTO v_out
		FROM status_page_webhook w WHERE w.id = (p_payload->>'webhook_id')::uuid AND w.enabled;
	END IF;
	RETURN jsonb_build_object('event', p_payload->>'event', 'text', p_payload->>'message',
		'mode', v_mode, 'incident', v_inc, 'deliveries', coalesce(v_out, '[]'::jsonb));
END
$$;

-- Records the outcome of a job's sends: p_results = [{"channel","notification_id"?,"ok",
-- "error"?}]. User notifications: the row goes SENT (+ timeline "Notification sent via X") or
-- FAILED with its error; a status-page webhook that answered gets last_triggered_at.
CREATE OR REPLACE FUNCTION ok_delivery_record(p_payload jsonb, p_results jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	r record;
BEGIN
	FOR r IN SELECT x->>'channel' AS channel, (x->>'notification_id')::uuid AS nid,
			(x->>'ok')::boolean AS ok, x->>'error' AS error
		FROM jsonb_array_elements(p_results) x
	LOOP
		IF r.nid IS NOT NULL THEN
			UPDATE notification SET
				status = CASE WHEN r.ok THEN 'SENT' ELSE 'FAILED' END,
				sent_at = CASE WHEN r.ok THEN v_now END,
				failed_at = CASE WHEN r.ok THEN NULL ELSE v_now END,
				error_msg = CASE WHEN r.ok THEN NULL ELSE left(r.error, 1000) END,
				attempts = attempts + 1, updated_at = v_now
			WHERE id = r.nid;
			IF r.ok THEN
				PERFORM ok_timeline((p_payload->>'incident_id')::uuid, 'NOTIFICATION',
					'Notification sent via ' || r.channel);
			END IF;
		ELSIF r.ok AND p_payload->>'kind' = 'status_page' THEN
			UPDATE status_page_webhook SET last_triggered_at = v_now
			WHERE id = (p_payload->>'webhook_id')::uuid;
		END IF;
	END LOOP;
END
$$;

-- Periodic tasks (SCHEDULED_TASK jobs, one per task and period — worker/job_task.c). Each
-- returns how many rows it acted on.

-- Safety net for escalations whose job went missing (e.g. an incident set back to ESCALATING
-- by hand): due for a minute and no escalation job waiting → enqueue one for the current step.
CREATE OR REPLACE FUNCTION ok_task_escalation_sweep() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n integer := 0;
	r record;
BEGIN
	FOR r IN
		SELECT i.id, coalesce(i.current_escalation_step, 0) AS step FROM incident i
		WHERE i.escalation_status = 'ESCALATING' AND i.status = 'OPEN'
			AND i.next_escalation_at <= ok_now() - interval '1 minute'
			AND NOT EXISTS (SELECT 1 FROM background_job j WHERE j.incident_id = i.id
				AND j.type = 'ESCALATION' AND j.status IN ('PENDING', 'PROCESSING'))
		ORDER BY i.next_escalation_at LIMIT 100
	LOOP
		PERFORM ok_job_enqueue('ESCALATION', r.id, jsonb_build_object('incident_id', r.id,
			'step', r.step, 'repeat', 0, 'scheduled', true), ok_now(), NULL);
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END
$$;

-- Snoozes that ran out without their AUTO_UNSNOOZE job (spec §7.2 processAutoUnsnooze).
CREATE OR REPLACE FUNCTION ok_task_unsnooze_sweep() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n integer := 0;
	r record;
BEGIN
	FOR r IN SELECT id FROM incident WHERE status = 'SNOOZED' AND snoozed_until <= ok_now()
		ORDER BY snoozed_until LIMIT 100
	LOOP
		IF ok_unsnooze(r.id)->>'result' = 'unsnoozed' THEN
			v_n := v_n + 1;
		END IF;
	END LOOP;
	RETURN v_n;
END
$$;

-- SLA warnings (spec §7.2 checkSLABreaches) for services with notify_on_sla_breach: an ack
-- warning when the ack target is less than 5 minutes away, a resolve warning when the resolve
-- target is less than 15 minutes away; each at most once per 5.5 minutes. Elapsed time leaves
-- out the time spent snoozed (from the STATUS_CHANGE rows "Incident snoozed …" and
-- "… unsnoozed …").
CREATE OR REPLACE FUNCTION ok_task_sla_warnings() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_n integer := 0;
	r record;
	v_elapsed interval;
	v_left interval;
	v_kind text;
	v_prefix text;
BEGIN
	FOR r IN
		SELECT i.id, i.created_at, i.acknowledged_at, s.target_ack_minutes,
			s.target_resolve_minutes
		FROM incident i JOIN service s ON s.id = i.service_id
		WHERE i.status IN ('OPEN', 'ACKNOWLEDGED') AND s.notify_on_sla_breach
	LOOP
		SELECT v_now - r.created_at - coalesce(sum(coalesce(u.at, v_now) - z.created_at),
			interval '0')
		INTO v_elapsed
		FROM incident_event z
		LEFT JOIN LATERAL (SELECT min(e.created_at) AS at FROM incident_event e
			WHERE e.incident_id = r.id AND e.type = 'STATUS_CHANGE'
				AND e.message ILIKE '%unsnoozed%' AND e.created_at >= z.created_at) u ON true
		WHERE z.incident_id = r.id AND z.type = 'STATUS_CHANGE'
			AND z.message ILIKE 'Incident snoozed%';
		FOREACH v_kind IN ARRAY ARRAY['ACK', 'RESOLVE'] LOOP
			CONTINUE WHEN v_kind = 'ACK' AND r.acknowledged_at IS NOT NULL;
			v_left := make_interval(mins => CASE v_kind WHEN 'ACK' THEN r.target_ack_minutes
				ELSE r.target_resolve_minutes END) - v_elapsed;
			CONTINUE WHEN v_left <= interval '0' OR v_left >= make_interval(mins =>
				CASE v_kind WHEN 'ACK' THEN 5 ELSE 15 END);
			v_prefix := CASE v_kind WHEN 'ACK' THEN '⏰ SLA ACK Warning'
				ELSE '⚠️ SLA RESOLVE Warning' END;
			CONTINUE WHEN EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = r.id
				AND e.type = 'SLA_WARNING' AND e.message LIKE v_prefix || '%'
				AND e.created_at > v_now - interval '5 minutes 30 seconds');
			PERFORM ok_timeline(r.id, 'SLA_WARNING', format('%s: %s min remaining', v_prefix,
				greatest(1, round(extract(epoch FROM v_left) / 60))));
			PERFORM ok_job_enqueue('NOTIFY', r.id, jsonb_build_object('incident_id', r.id,
				'event', 'warning'), v_now, NULL);
			v_n := v_n + 1;
		END LOOP;
	END LOOP;
	RETURN v_n;
END
$$;

-- Keeps the queue table small: finished jobs and delivery ids older than a week.
CREATE OR REPLACE FUNCTION ok_task_cleanup() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_jobs integer;
	v_deliveries integer;
BEGIN
	DELETE FROM background_job WHERE id IN (SELECT id FROM background_job
		WHERE status IN ('COMPLETED', 'CANCELLED') AND completed_at < ok_now() - interval '7 days'
		LIMIT 10000);
	GET DIAGNOSTICS v_jobs = ROW_COUNT;
	DELETE FROM webhook_delivery WHERE created_at < ok_now() - interval '7 days';
	GET DIAGNOSTICS v_deliveries = ROW_COUNT;
	RETURN v_jobs + v_deliveries;
END
$$;
