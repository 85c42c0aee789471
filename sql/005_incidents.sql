-- 005_incidents.sql: why this migration exists — the incidents REST API of ops dashboards
-- (issue 5): a row version for If-Match/ETag, recorded Idempotency-Keys so a retried write is
-- answered from the first answer, an index for keyset pagination, and one SQL function per
-- write that applies spec §4 (status side effects, typed timeline rows, outbox jobs, NOTIFY) in
-- one transaction under the incident's row lock.
--
-- Functions:
--   ok_incident_api_json(incident) → jsonb        ok_incident_json + version, snooze fields
--   ok_incident_write(key_id, idem_key, op, args) → jsonb   every write (create, patch, note,
--       snooze, acknowledge, resolve, bulk); {"http":…, …} or {"error":code,"message":…}
--   ok_incident_get(key_id, id) → jsonb           one incident with alerts, notes, timeline
--   ok_incident_list(key_id, filters jsonb) → jsonb   {"data":[…],"next_cursor":…}
-- Refusals come back as {"error":"<code>","message":…} and nothing is written.

-- incident.version (001) goes up with every UPDATE, so If-Match sees every change: the hot
-- ingest UPDATEs bump it themselves; for every other writer this trigger does. Its WHEN clause
-- is evaluated by the executor, so the writers that bump it pay no function call.
CREATE OR REPLACE FUNCTION ok_incident_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.version := OLD.version + 1;
	RETURN NEW;
END
$$;

CREATE TRIGGER incident_version BEFORE UPDATE ON incident
	FOR EACH ROW WHEN (NEW.version = OLD.version) EXECUTE FUNCTION ok_incident_version_bump();

-- Keyset pagination: created_at DESC, id DESC.
CREATE INDEX incident_created_id ON incident (created_at DESC, id DESC);

-- A write answered once per (API key, Idempotency-Key); request_hash tells a reuse of the key
-- for another request. Rows older than a day are removed by the key's next keyed write and by
-- ok_idempotency_cleanup().
CREATE TABLE idempotency_key (
	api_key_id uuid NOT NULL REFERENCES api_key (id) ON DELETE CASCADE,
	idem_key text NOT NULL CHECK (char_length(idem_key) BETWEEN 1 AND 255),
	request_hash text NOT NULL,
	response jsonb,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	PRIMARY KEY (api_key_id, idem_key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);

CREATE OR REPLACE FUNCTION ok_incident_api_json(i incident) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT ok_incident_json(i) || jsonb_build_object('version', i.version,
		'snooze_reason', i.snooze_reason, 'last_alert_at', ok_iso(i.last_alert_at))
$$;

-- 1 when the key's user may see the incident (spec §0: USER sees its teams' services'
-- incidents and the ones assigned to it; RESPONDER and ADMIN see all).
-- (plpgsql: a SQL function with a sub-select is not inlined and would be planned again for every
-- row of a list.)
CREATE OR REPLACE FUNCTION ok_incident_visible(p_service uuid, p_assignee uuid, p_user uuid,
	p_role text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN p_role <> 'USER' OR coalesce(p_assignee = p_user, false) OR EXISTS (
		SELECT 1 FROM service s JOIN team_member tm ON tm.team_id = s.team_id
		WHERE s.id = p_service AND tm.user_id = p_user);
END
$$;

CREATE OR REPLACE FUNCTION ok_incident_err(p_code text, p_message text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('error', p_code, 'message', p_message)
$$;

-- The outbox of one transition: NOTIFY (when p_notify) and STATUS_PAGE (when p_page_event and
-- a status page listens). pg_notify comes with ok_job_enqueue.
CREATE OR REPLACE FUNCTION ok_incident_outbox(p_incident uuid, p_notify text, p_page_event text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_notify IS NOT NULL THEN
		PERFORM ok_job_enqueue('NOTIFY', p_incident, jsonb_build_object('incident_id',
			p_incident, 'event', p_notify), ok_now(), NULL);
	END IF;
	IF p_page_event IS NOT NULL AND EXISTS (SELECT 1 FROM status_page_webhook w
		JOIN status_page p ON p.id = w.status_page_id WHERE p.enabled AND w.enabled) THEN
		PERFORM ok_job_enqueue('STATUS_PAGE', p_incident, jsonb_build_object('incident_id',
			p_incident, 'event', p_page_event), ok_now(), NULL);
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION ok_incident_cancel_jobs(p_incident uuid, p_types text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE background_job SET status = 'CANCELLED', updated_at = ok_now(), completed_at = ok_now()
	WHERE incident_id = p_incident AND status = 'PENDING' AND type = ANY (p_types);
END
$$;

CREATE OR REPLACE FUNCTION ok_incident_event(p_incident uuid, p_type text, p_message text,
	p_user uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO incident_event (incident_id, type, message, user_id, created_at)
	VALUES (p_incident, p_type, p_message, p_user, ok_now());
END
$$;

-- Moves the locked incident v_inc to p_status with the side effects of spec §4 (REST column).
-- The same status is a no-op (returns false). p_msg replaces the default timeline message.
CREATE OR REPLACE FUNCTION ok_incident_set_status(p_inc incident, p_status text, p_user uuid,
	p_msg text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_policy uuid;
	v_delay integer;
	v_step integer;
	v_at timestamptz;
BEGIN
	IF p_inc.status = p_status THEN
		RETURN false;
	END IF;
	SELECT escalation_policy_id INTO v_policy FROM service WHERE id = p_inc.service_id;
	IF p_status = 'ACKNOWLEDGED' THEN
		UPDATE incident SET status = p_status, acknowledged_at = coalesce(acknowledged_at, v_now),
			escalation_status = 'COMPLETED', next_escalation_at = NULL, snoozed_until = NULL,
			snooze_reason = NULL, updated_at = v_now WHERE id = p_inc.id;
		PERFORM ok_incident_cancel_jobs(p_inc.id, ARRAY['ESCALATION', 'AUTO_UNSNOOZE']);
		PERFORM ok_incident_event(p_inc.id, 'ACKNOWLEDGED',
			coalesce(p_msg, 'Status updated to ACKNOWLEDGED (escalation stopped)'), p_user);
		PERFORM ok_incident_outbox(p_inc.id, 'acknowledged', 'incident.acknowledged');
	ELSIF p_status = 'RESOLVED' THEN
		UPDATE incident SET status = p_status, resolved_at = coalesce(resolved_at, v_now),
			escalation_status = 'COMPLETED', next_escalation_at = NULL, snoozed_until = NULL,
			snooze_reason = NULL, updated_at = v_now WHERE id = p_inc.id;
		PERFORM ok_incident_cancel_jobs(p_inc.id, ARRAY['ESCALATION', 'AUTO_UNSNOOZE']);
		PERFORM ok_incident_event(p_inc.id, 'MANUAL_RESOLVED',
			coalesce(p_msg, 'Status updated to RESOLVED (escalation stopped)'), p_user);
		PERFORM ok_incident_outbox(p_inc.id, 'resolved', 'incident.resolved');
	ELSIF p_status IN ('SNOOZED', 'SUPPRESSED') THEN
		UPDATE incident SET status = p_status, escalation_status = 'PAUSED',
			next_escalation_at = NULL, updated_at = v_now WHERE id = p_inc.id;
		PERFORM ok_incident_cancel_jobs(p_inc.id, ARRAY['ESCALATION']);
		PERFORM ok_incident_event(p_inc.id, 'STATUS_CHANGE', coalesce(p_msg,
			CASE p_status WHEN 'SNOOZED' THEN 'Incident snoozed (escalation paused)'
			ELSE 'Incident suppressed (escalation paused)' END), p_user);
		PERFORM ok_incident_outbox(p_inc.id, NULL, lower('incident.' || p_status));
	ELSIF p_status = 'OPEN' THEN
		v_step := CASE WHEN p_inc.status = 'RESOLVED' THEN 0
			ELSE coalesce(p_inc.current_escalation_step, 0) END;
		v_at := v_now;
		IF p_inc.status = 'ACKNOWLEDGED' AND v_policy IS NOT NULL THEN
			SELECT delay_minutes INTO v_delay FROM escalation_rule WHERE policy_id = v_policy
			ORDER BY step_order OFFSET v_step LIMIT 1;
			v_at := v_now + make_interval(mins => coalesce(v_delay, 0));
		END IF;
		UPDATE incident SET status = 'OPEN',
				resolved_at = CASE WHEN p_inc.status = 'RESOLVED' THEN NULL ELSE resolved_at END,
				acknowledged_at = CASE WHEN p_inc.status IN ('RESOLVED', 'ACKNOWLEDGED') THEN NULL
					ELSE acknowledged_at END,
				snoozed_until = NULL, snooze_reason = NULL,
				current_escalation_step = CASE WHEN v_policy IS NOT NULL THEN v_step END,
				escalation_status = CASE WHEN v_policy IS NOT NULL THEN 'ESCALATING' END,
				next_escalation_at = CASE WHEN v_policy IS NOT NULL THEN v_at END,
				updated_at = v_now
			WHERE id = p_inc.id;  -- unique_violation: another open incident has the key
		PERFORM ok_incident_cancel_jobs(p_inc.id, ARRAY['ESCALATION', 'AUTO_UNSNOOZE']);
		IF v_policy IS NOT NULL THEN
			-- a reopen starts over at step 0, whose delay the worker waits (not yet
			-- scheduled); a resume continues the step now or after its delay (scheduled)
			PERFORM ok_job_enqueue('ESCALATION', p_inc.id, jsonb_build_object('incident_id',
				p_inc.id, 'step', v_step, 'repeat', 0, 'scheduled', p_inc.status <> 'RESOLVED'),
				v_at, NULL);
		END IF;
		PERFORM ok_incident_event(p_inc.id,
			CASE WHEN p_inc.status = 'RESOLVED' THEN 'REOPENED' ELSE 'STATUS_CHANGE' END,
			coalesce(p_msg, CASE p_inc.status
				WHEN 'SNOOZED' THEN 'Incident unsnoozed (escalation resumed)'
				WHEN 'SUPPRESSED' THEN 'Incident unsuppressed (escalation resumed)'
				WHEN 'ACKNOWLEDGED' THEN 'Incident unacknowledged (escalation resumed)'
				ELSE 'Status updated to OPEN' END), p_user);
		PERFORM ok_incident_outbox(p_inc.id, 'updated', 'incident.updated');
	ELSE
		RAISE EXCEPTION 'ok_incident_set_status: unknown status %', p_status
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN true;
END
$$;

-- Locks incident p_args.id for the key's user: *error when it is missing, not visible, or not at
-- p_args.if_version (If-Match) when that is given.
CREATE OR REPLACE FUNCTION ok_incident_lock(p_args jsonb, p_user uuid, p_role text,
	OUT inc incident, OUT error jsonb)
LANGUAGE plpgsql AS $$
BEGIN
	SELECT * INTO inc FROM incident WHERE id = (p_args->>'id')::uuid FOR UPDATE;
	IF NOT FOUND THEN
		error := ok_incident_err('not_found', 'incident not found');
	ELSIF NOT ok_incident_visible(inc.service_id, inc.assignee_id, p_user, p_role) THEN
		error := ok_incident_err('incident_forbidden', 'incident access denied');
	ELSIF p_args ? 'if_version' AND (p_args->>'if_version')::integer <> inc.version THEN
		error := ok_incident_err('version_mismatch', 'the incident has changed (version '
			|| inc.version || ')') || jsonb_build_object('version', inc.version);
	END IF;
END
$$;

-- PATCH: p_args {"id", "if_version"?, "changes": {status?, urgency?, priority?, assignee_id?,
-- team_id?}} (validated by the caller; a present JSON null clears priority/assignee/team).
CREATE OR REPLACE FUNCTION ok_incident_op_patch(p_user uuid, p_role text, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_lock record;
	v_inc incident;
	c jsonb := p_args->'changes';
	v_name text;
	v_uuid uuid;
	v_txt text;
BEGIN
	SELECT * INTO v_lock FROM ok_incident_lock(p_args, p_user, p_role);
	IF v_lock.error IS NOT NULL THEN
		RETURN v_lock.error;
	END IF;
	v_inc := v_lock.inc;
	-- references first: nothing is written when one is refused
	IF c ? 'assignee_id' AND jsonb_typeof(c->'assignee_id') = 'string' THEN
		SELECT name INTO v_name FROM app_user WHERE id = (c->>'assignee_id')::uuid;
		IF NOT FOUND THEN
			RETURN ok_incident_err('invalid_field', 'assignee_id names no user');
		END IF;
	END IF;
	IF c ? 'team_id' AND jsonb_typeof(c->'team_id') = 'string'
		AND NOT EXISTS (SELECT 1 FROM team WHERE id = (c->>'team_id')::uuid) THEN
		RETURN ok_incident_err('invalid_field', 'team_id names no team');
	END IF;
	IF c ? 'urgency' AND c->>'urgency' <> v_inc.urgency THEN
		UPDATE incident SET urgency = c->>'urgency', updated_at = v_now WHERE id = v_inc.id;
		PERFORM ok_incident_event(v_inc.id, 'STATUS_CHANGE', 'Urgency updated to '
			|| (c->>'urgency'), p_user);
	END IF;
	IF c ? 'priority' AND (c->>'priority') IS DISTINCT FROM v_inc.priority THEN
		UPDATE incident SET priority = c->>'priority', updated_at = v_now WHERE id = v_inc.id;
		PERFORM ok_incident_event(v_inc.id, 'STATUS_CHANGE', coalesce('Priority updated to '
			|| (c->>'priority'), 'Priority cleared (Unassigned)'), p_user);
	END IF;
	IF c ? 'assignee_id' AND (c->>'assignee_id')::uuid IS DISTINCT FROM v_inc.assignee_id THEN
		v_uuid := (c->>'assignee_id')::uuid;
		UPDATE incident SET assignee_id = v_uuid, updated_at = v_now WHERE id = v_inc.id;
		PERFORM ok_incident_event(v_inc.id, 'ASSIGNMENT', CASE WHEN v_uuid IS NULL
			THEN 'Incident unassigned' ELSE 'Incident manually reassigned to ' || v_name END,
			p_user);
	END IF;
	IF c ? 'team_id' AND (c->>'team_id')::uuid IS DISTINCT FROM v_inc.team_id THEN
		v_uuid := (c->>'team_id')::uuid;
		SELECT name INTO v_txt FROM team WHERE id = v_uuid;
		UPDATE incident SET team_id = v_uuid, updated_at = v_now WHERE id = v_inc.id;
		PERFORM ok_incident_event(v_inc.id, 'ASSIGNMENT', CASE WHEN v_uuid IS NULL
			THEN 'Incident removed from its team' ELSE 'Incident assigned to team: ' || v_txt END,
			p_user);
	END IF;
	IF c ? 'status' THEN
		SELECT * INTO v_inc FROM incident WHERE id = v_inc.id;
		PERFORM ok_incident_set_status(v_inc, c->>'status', p_user, NULL);
	END IF;
	SELECT * INTO v_inc FROM incident WHERE id = v_inc.id;
	RETURN jsonb_build_object('http', 200, 'data', ok_incident_api_json(v_inc));
END
$$;

-- acknowledge / resolve: p_args {"id", "if_version"?, "note"?}. Acknowledging a RESOLVED
-- incident is refused (reopen it with PATCH); the same status again is a no-op.
CREATE OR REPLACE FUNCTION ok_incident_op_transition(p_user uuid, p_role text, p_status text,
	p_args jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_lock record;
	v_inc incident;
	v_note text := p_args->>'note';
	v_name text;
BEGIN
	SELECT * INTO v_lock FROM ok_incident_lock(p_args, p_user, p_role);
	IF v_lock.error IS NOT NULL THEN
		RETURN v_lock.error;
	END IF;
	v_inc := v_lock.inc;
	IF p_status = 'ACKNOWLEDGED' AND v_inc.status = 'RESOLVED' THEN
		RETURN ok_incident_err('invalid_transition', 'a resolved incident cannot be acknowledged');
	END IF;
	IF v_inc.status <> p_status THEN
		IF p_status = 'RESOLVED' AND v_note IS NOT NULL THEN
			SELECT name INTO v_name FROM app_user WHERE id = p_user;
			PERFORM ok_incident_set_status(v_inc, p_status, p_user, 'Resolved: ' || v_note);
			INSERT INTO incident_note (incident_id, user_id, content, created_at, updated_at)
			VALUES (v_inc.id, p_user, 'Resolution: ' || v_note, ok_now(), ok_now());
			PERFORM ok_incident_event(v_inc.id, 'COMMENT', 'Resolution note added by '
				|| coalesce(v_name, 'unknown user'), p_user);
		ELSE
			PERFORM ok_incident_set_status(v_inc, p_status, p_user, NULL);
		END IF;
	END IF;
	SELECT * INTO v_inc FROM incident WHERE id = v_inc.id;
	RETURN jsonb_build_object('http', 200, 'data', ok_incident_api_json(v_inc));
END
$$;

-- snooze: p_args {"id", "if_version"?, "minutes", "reason"?}. Refused for a RESOLVED incident.
CREATE OR REPLACE FUNCTION ok_incident_op_snooze(p_user uuid, p_role text, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_lock record;
	v_inc incident;
	v_until timestamptz := ok_now() + make_interval(mins => (p_args->>'minutes')::integer);
	v_reason text := p_args->>'reason';
	v_name text;
BEGIN
	SELECT * INTO v_lock FROM ok_incident_lock(p_args, p_user, p_role);
	IF v_lock.error IS NOT NULL THEN
		RETURN v_lock.error;
	END IF;
	v_inc := v_lock.inc;
	IF v_inc.status = 'RESOLVED' THEN
		RETURN ok_incident_err('invalid_transition', 'a resolved incident cannot be snoozed');
	END IF;
	SELECT name INTO v_name FROM app_user WHERE id = p_user;
	IF v_inc.status <> 'SNOOZED' THEN
		PERFORM ok_incident_set_status(v_inc, 'SNOOZED', p_user, 'Incident snoozed until '
			|| ok_iso(v_until) || coalesce(' (Reason: ' || v_reason || ')', '')
			|| coalesce(' by ' || v_name, ''));
	ELSE
		PERFORM ok_incident_event(v_inc.id, 'STATUS_CHANGE', 'Incident snoozed until '
			|| ok_iso(v_until) || coalesce(' (Reason: ' || v_reason || ')', '')
			|| coalesce(' by ' || v_name, ''), p_user);
	END IF;
	UPDATE incident SET snoozed_until = v_until, snooze_reason = v_reason, updated_at = ok_now()
	WHERE id = v_inc.id;
	PERFORM ok_incident_cancel_jobs(v_inc.id, ARRAY['AUTO_UNSNOOZE']);
	PERFORM ok_job_enqueue('AUTO_UNSNOOZE', v_inc.id,
		jsonb_build_object('incident_id', v_inc.id), v_until, NULL);
	SELECT * INTO v_inc FROM incident WHERE id = v_inc.id;
	RETURN jsonb_build_object('http', 200, 'data', ok_incident_api_json(v_inc));
END
$$;

-- note: p_args {"id", "content"} → 201 {"data": note}.
CREATE OR REPLACE FUNCTION ok_incident_op_note(p_user uuid, p_role text, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_lock record;
	v_note incident_note;
	v_name text;
BEGIN
	SELECT * INTO v_lock FROM ok_incident_lock(p_args, p_user, p_role);
	IF v_lock.error IS NOT NULL THEN
		RETURN v_lock.error;
	END IF;
	SELECT name INTO v_name FROM app_user WHERE id = p_user;
	INSERT INTO incident_note (incident_id, user_id, content, created_at, updated_at)
	VALUES ((v_lock.inc).id, p_user, p_args->>'content', ok_now(), ok_now())
	RETURNING * INTO v_note;
	PERFORM ok_incident_event((v_lock.inc).id, 'COMMENT', 'Note added by '
		|| coalesce(v_name, 'unknown user'), p_user);
	RETURN jsonb_build_object('http', 201, 'location', '/api/incidents/' || v_note.incident_id
		|| '/notes/' || v_note.id, 'data', jsonb_build_object('id', v_note.id,
		'incident_id', v_note.incident_id, 'user_id', v_note.user_id, 'content', v_note.content,
		'created_at', ok_iso(v_note.created_at)));
END
$$;

-- create: p_args {"title", "description"?, "service_id", "urgency"?, "priority"?,
-- "dedup_key"?, "assignee_id"?} (spec §4 "manual create"): an open incident with the key is
-- merged into (200, result merged), one resolved within 30 minutes is reopened (200, result
-- reopened), else a new incident (201, result created).
CREATE OR REPLACE FUNCTION ok_incident_op_create(p_user uuid, p_role text, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_svc record;
	v_inc incident;
	v_dedup text := p_args->>'dedup_key';
	v_title text := p_args->>'title';
	v_urgency text := coalesce(p_args->>'urgency', 'HIGH');
	v_assignee uuid := (p_args->>'assignee_id')::uuid;
	v_aname text;
	v_new uuid := gen_random_uuid();
	v_result text;
BEGIN
	SELECT s.id, s.team_id, s.escalation_policy_id INTO v_svc FROM service s
	WHERE s.id = (p_args->>'service_id')::uuid;
	IF NOT FOUND THEN
		RETURN ok_incident_err('invalid_field', 'service_id names no service');
	END IF;
	IF p_role = 'USER' AND NOT EXISTS (SELECT 1 FROM team_member tm
		WHERE tm.team_id = v_svc.team_id AND tm.user_id = p_user) THEN
		RETURN ok_incident_err('service_forbidden', 'service access denied');
	END IF;
	IF v_assignee IS NOT NULL THEN
		SELECT name INTO v_aname FROM app_user WHERE id = v_assignee;
		IF NOT FOUND THEN
			RETURN ok_incident_err('invalid_field', 'assignee_id names no user');
		END IF;
	END IF;
	IF v_dedup IS NOT NULL THEN
		SELECT * INTO v_inc FROM incident WHERE service_id = v_svc.id AND dedup_key = v_dedup
			AND status <> 'RESOLVED' FOR UPDATE;
		IF FOUND THEN
			v_result := 'merged';
		ELSE
			SELECT * INTO v_inc FROM incident WHERE service_id = v_svc.id AND dedup_key = v_dedup
				AND status = 'RESOLVED' AND resolved_at >= v_now - interval '30 minutes'
			ORDER BY resolved_at DESC LIMIT 1 FOR UPDATE;
			IF FOUND THEN
				v_result := 'reopened';
			END IF;
		END IF;
	END IF;
	IF v_result IS NULL THEN
		INSERT INTO incident (id, title, description, status, urgency, priority, dedup_key,
			service_id, assignee_id, team_id, escalation_status, current_escalation_step,
			next_escalation_at, alert_count, last_alert_at, created_at, updated_at)
		VALUES (v_new, v_title, p_args->>'description', 'OPEN', v_urgency, p_args->>'priority',
			coalesce(v_dedup, v_new::text), v_svc.id, v_assignee, v_svc.team_id,
			CASE WHEN v_svc.escalation_policy_id IS NOT NULL THEN 'ESCALATING' END,
			CASE WHEN v_svc.escalation_policy_id IS NOT NULL THEN 0 END,
			CASE WHEN v_svc.escalation_policy_id IS NOT NULL THEN v_now END,
			1, v_now, v_now, v_now)
		ON CONFLICT (service_id, dedup_key) WHERE status <> 'RESOLVED' DO NOTHING;
		IF FOUND THEN
			v_result := 'created';
			SELECT * INTO v_inc FROM incident WHERE id = v_new;
			PERFORM ok_incident_event(v_new, 'LEGACY_OTHER', 'Incident created with '
				|| v_urgency || ' urgency' || coalesce(' and assigned to ' || v_aname, ''),
				p_user);
			IF v_svc.escalation_policy_id IS NOT NULL THEN
				-- as ingest does: the worker waits step 0's delay
				PERFORM ok_job_enqueue('ESCALATION', v_new, jsonb_build_object('incident_id',
					v_new, 'step', 0, 'repeat', 0, 'scheduled', false), v_now, NULL);
			END IF;
			PERFORM ok_incident_outbox(v_new, 'triggered', 'incident.created');
		ELSE
			-- a concurrent create with the same key committed first: merge into it
			SELECT * INTO v_inc FROM incident WHERE service_id = v_svc.id
				AND dedup_key = v_dedup AND status <> 'RESOLVED' FOR UPDATE;
			v_result := 'merged';
		END IF;
	END IF;
	IF v_result = 'merged' THEN
		INSERT INTO incident_note (incident_id, user_id, content, created_at, updated_at)
		VALUES (v_inc.id, p_user, left(v_title || coalesce(E'\n\n' || (p_args->>'description'),
			''), 10000), v_now, v_now);
		PERFORM ok_incident_event(v_inc.id, 'COMMENT', 'Manual report merged from user.', p_user);
	ELSIF v_result = 'reopened' THEN
		PERFORM ok_incident_set_status(v_inc, 'OPEN', p_user,
			E'Incident re-opened due to manual report within 30m window.\nSummary: ' || v_title);
	END IF;
	SELECT * INTO v_inc FROM incident WHERE id = v_inc.id;
	RETURN jsonb_build_object('http', CASE WHEN v_result = 'created' THEN 201 ELSE 200 END,
		'result', v_result, 'location', '/api/incidents/' || v_inc.id,
		'data', ok_incident_api_json(v_inc));
END
$$;

-- bulk: p_args {"ids": [...], "action": "acknowledge"|"resolve"} → 200 {"data":[{id, result,
-- error?}]}: each incident in id order (so two bulks never deadlock), each on its own terms.
CREATE OR REPLACE FUNCTION ok_incident_op_bulk(p_user uuid, p_role text, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_status text := CASE p_args->>'action' WHEN 'acknowledge' THEN 'ACKNOWLEDGED'
		ELSE 'RESOLVED' END;
	v_id uuid;
	v_r jsonb;
	v_out jsonb := '[]';
BEGIN
	FOR v_id IN SELECT DISTINCT x::uuid FROM jsonb_array_elements_text(p_args->'ids') x ORDER BY 1
	LOOP
		v_r := ok_incident_op_transition(p_user, p_role, v_status, jsonb_build_object('id', v_id));
		v_out := v_out || jsonb_build_array(CASE WHEN v_r ? 'error'
			THEN jsonb_build_object('id', v_id, 'result', 'error', 'error', v_r->'error',
				'message', v_r->'message')
			ELSE jsonb_build_object('id', v_id, 'result', 'ok', 'status', v_r->'data'->'status',
				'version', v_r->'data'->'version') END);
	END LOOP;
	RETURN jsonb_build_object('http', 200, 'data', v_out);
END
$$;

-- Every write of the incidents API: the key's user and role, the Idempotency-Key (a replay
-- returns the first answer with "replayed": true; the same key for another request is refused),
-- then the operation. Refusals are not recorded, so a corrected retry may reuse the key.
CREATE OR REPLACE FUNCTION ok_incident_write(p_key_id uuid, p_idem text, p_op text, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_key record;
	v_hash text := md5(p_op || ' ' || p_args::text);
	v_row idempotency_key;
	v_r jsonb;
BEGIN
	SELECT k.user_id, u.role INTO v_key FROM api_key k JOIN app_user u ON u.id = k.user_id
	WHERE k.id = p_key_id;
	IF NOT FOUND THEN
		RETURN ok_incident_err('invalid_api_key', 'invalid API key');
	END IF;
	IF p_idem IS NOT NULL THEN
		-- this key's expired entries go on the way (the primary key's prefix finds them)
		DELETE FROM idempotency_key WHERE api_key_id = p_key_id
			AND created_at < ok_now() - interval '1 day';
		INSERT INTO idempotency_key (api_key_id, idem_key, request_hash, created_at)
		VALUES (p_key_id, p_idem, v_hash, ok_now()) ON CONFLICT DO NOTHING;
		IF NOT FOUND THEN
			SELECT * INTO v_row FROM idempotency_key WHERE api_key_id = p_key_id
				AND idem_key = p_idem;
			IF v_row.request_hash <> v_hash THEN
				RETURN ok_incident_err('idempotency_key_reused',
					'Idempotency-Key was used for another request');
			END IF;
			IF v_row.response IS NOT NULL THEN
				RETURN v_row.response || jsonb_build_object('replayed', true);
			END IF;
		END IF;
	END IF;
	v_r := CASE p_op
		WHEN 'create' THEN ok_incident_op_create(v_key.user_id, v_key.role, p_args)
		WHEN 'patch' THEN ok_incident_op_patch(v_key.user_id, v_key.role, p_args)
		WHEN 'note' THEN ok_incident_op_note(v_key.user_id, v_key.role, p_args)
		WHEN 'snooze' THEN ok_incident_op_snooze(v_key.user_id, v_key.role, p_args)
		WHEN 'acknowledge' THEN ok_incident_op_transition(v_key.user_id, v_key.role,
			'ACKNOWLEDGED', p_args)
		WHEN 'resolve' THEN ok_incident_op_transition(v_key.user_id, v_key.role, 'RESOLVED',
			p_args)
		WHEN 'bulk' THEN ok_incident_op_bulk(v_key.user_id, v_key.role, p_args)
	END;
	IF v_r IS NULL THEN
		RAISE EXCEPTION 'ok_incident_write: unknown op %', p_op
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_idem IS NOT NULL THEN
		IF v_r ? 'error' THEN
			DELETE FROM idempotency_key WHERE api_key_id = p_key_id AND idem_key = p_idem;
		ELSE
			UPDATE idempotency_key SET response = v_r WHERE api_key_id = p_key_id
				AND idem_key = p_idem;
		END IF;
	END IF;
	RETURN v_r;
EXCEPTION WHEN unique_violation THEN
	RETURN ok_incident_err('dedup_conflict',
		'another open incident of the service has the same dedup_key');
END
$$;

-- One incident with its alerts (newest 200), notes and timeline (oldest first, 1000 each).
CREATE OR REPLACE FUNCTION ok_incident_get(p_key_id uuid, p_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_key record;
	v_inc incident;
BEGIN
	SELECT k.user_id, u.role INTO v_key FROM api_key k JOIN app_user u ON u.id = k.user_id
	WHERE k.id = p_key_id;
	SELECT * INTO v_inc FROM incident WHERE id = p_id;
	IF NOT FOUND THEN
		RETURN ok_incident_err('not_found', 'incident not found');
	END IF;
	IF NOT ok_incident_visible(v_inc.service_id, v_inc.assignee_id, v_key.user_id, v_key.role) THEN
		RETURN ok_incident_err('incident_forbidden', 'incident access denied');
	END IF;
	RETURN jsonb_build_object('http', 200, 'data', ok_incident_api_json(v_inc) || jsonb_build_object(
		'alerts', coalesce((SELECT jsonb_agg(jsonb_build_object('id', a.id, 'status', a.status,
			'severity', a.severity, 'summary', a.summary, 'source', a.source,
			'dedup_key', a.dedup_key, 'created_at', ok_iso(a.created_at)) ORDER BY a.created_at DESC)
			FROM (SELECT * FROM alert WHERE incident_id = p_id
				ORDER BY created_at DESC LIMIT 200) a), '[]'),
		'notes', coalesce((SELECT jsonb_agg(jsonb_build_object('id', n.id, 'user_id', n.user_id,
			'content', n.content, 'created_at', ok_iso(n.created_at)) ORDER BY n.created_at, n.id)
			FROM (SELECT * FROM incident_note WHERE incident_id = p_id
				ORDER BY created_at, id LIMIT 1000) n), '[]'),
		'timeline', coalesce((SELECT jsonb_agg(jsonb_build_object('id', e.id, 'type', e.type,
			'message', e.message, 'user_id', e.user_id, 'created_at', ok_iso(e.created_at))
			ORDER BY e.created_at, e.id)
			FROM (SELECT * FROM incident_event WHERE incident_id = p_id
				ORDER BY created_at, id LIMIT 1000) e), '[]')));
END
$$;

-- The list: p_f {"status":[…]?, "urgency":[…]?, "service_id"?, "team_id"?, "assignee_id"?,
-- "created_from"?, "created_to"?, "q"?, "cursor"?, "limit"} (validated by the caller except
-- times and cursor). Newest first by (created_at, id); next_cursor is the opaque base64url of
-- the last row's key when more rows follow, so inserts never shift a page.
CREATE OR REPLACE FUNCTION ok_incident_list(p_key_id uuid, p_f jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_key record;
	v_from timestamptz;
	v_to timestamptz;
	v_cur_at timestamptz;
	v_cur_id uuid;
	v_cur text;
	v_limit integer := (p_f->>'limit')::integer;
	v_rows jsonb;
	v_n integer;
BEGIN
	SELECT k.user_id, u.role INTO v_key FROM api_key k JOIN app_user u ON u.id = k.user_id
	WHERE k.id = p_key_id;
	IF p_f ? 'created_from' THEN
		v_from := ok_try_timestamptz(p_f->>'created_from');
		IF v_from IS NULL THEN
			RETURN ok_incident_err('invalid_parameter', 'created_from must be an ISO-8601 time');
		END IF;
	END IF;
	IF p_f ? 'created_to' THEN
		v_to := ok_try_timestamptz(p_f->>'created_to');
		IF v_to IS NULL THEN
			RETURN ok_incident_err('invalid_parameter', 'created_to must be an ISO-8601 time');
		END IF;
	END IF;
	IF p_f ? 'cursor' THEN
		BEGIN
			v_cur := convert_from(decode(translate(p_f->>'cursor', '-_', '+/')
				|| repeat('=', (4 - length(p_f->>'cursor') % 4) % 4), 'base64'), 'UTF8');
			v_cur_at := timestamptz 'epoch'
				+ (split_part(v_cur, '/', 1)::bigint || ' microseconds')::interval;
			v_cur_id := split_part(v_cur, '/', 2)::uuid;
		EXCEPTION WHEN OTHERS THEN
			RETURN ok_incident_err('invalid_parameter', 'cursor is not a cursor of this list');
		END;
	END IF;
	WITH page AS (
		SELECT i AS inc, i.created_at, i.id,
			row_number() OVER (ORDER BY i.created_at DESC, i.id DESC) AS rn
		FROM incident i
		WHERE (v_cur_at IS NULL OR (i.created_at, i.id) < (v_cur_at, v_cur_id))
			AND (NOT p_f ? 'status' OR i.status IN (SELECT jsonb_array_elements_text(p_f->'status')))
			AND (NOT p_f ? 'urgency'
				OR i.urgency IN (SELECT jsonb_array_elements_text(p_f->'urgency')))
			AND (NOT p_f ? 'service_id' OR i.service_id = (p_f->>'service_id')::uuid)
			AND (NOT p_f ? 'team_id' OR i.team_id = (p_f->>'team_id')::uuid)
			AND (NOT p_f ? 'assignee_id' OR i.assignee_id = (p_f->>'assignee_id')::uuid)
			AND (v_from IS NULL OR i.created_at >= v_from)
			AND (v_to IS NULL OR i.created_at < v_to)
			AND (NOT p_f ? 'q' OR strpos(lower(i.title), lower(p_f->>'q')) > 0)
			AND ok_incident_visible(i.service_id, i.assignee_id, v_key.user_id, v_key.role)
		ORDER BY i.created_at DESC, i.id DESC
		LIMIT v_limit + 1
	)
	SELECT coalesce(jsonb_agg(ok_incident_api_json(p.inc) ORDER BY p.rn)
			FILTER (WHERE p.rn <= v_limit), '[]'),
		count(*),
		(array_agg(translate(rtrim(encode(convert_to((extract(epoch FROM p.created_at)
			* 1000000)::bigint::text || '/' || p.id, 'UTF8'), 'base64'), '='), '+/', '-_'))
			FILTER (WHERE p.rn = v_limit))[1]
	INTO v_rows, v_n, v_cur FROM page p;
	IF v_n <= v_limit THEN
		v_cur := NULL;
	END IF;
	RETURN jsonb_build_object('http', 200, 'data', v_rows, 'next_cursor', v_cur);
END
$$;

-- Idempotency keys are kept a day.
CREATE OR REPLACE FUNCTION ok_idempotency_cleanup() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	DELETE FROM idempotency_key WHERE created_at < ok_now() - interval '1 day';
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

