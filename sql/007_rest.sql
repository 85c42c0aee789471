-- 007_rest.sql: why this migration exists — the configuration resources of the REST API
-- (issue 5: services, integrations, outbound webhooks, teams and members, users, escalation
-- policies and rules, schedules with layers, layer users and overrides, status pages and their
-- webhooks, API keys, SLA definitions, in-app notifications) served by ONE generic engine
-- instead of one hand-written function set per resource.
--
-- How it works: each resource is a row of rest_resource naming its table and a view api_<name>
-- that is its JSON shape (ISO times, secrets left out; columns starting with "_" are used for
-- access checks and search, never rendered). ok_rest(key, resource, op, path, args, query)
-- lists, reads, creates, patches and deletes rows:
--   * path: the route's ":name" segments, each a column of the view (service_id, id, …): they
--     filter every read and are written into created rows, so a child is always created under
--     the parent the URL names (a parent that does not exist answers 404).
--   * args: the request body, already checked field by field by the responder
--     (fcgi/api/resources.c holds each resource's field table); its keys are table columns.
--     What the C side generates (key_hash of a new integration key) comes under "_gen", which
--     is left out of the Idempotency-Key fingerprint and merged into args.
--   * access (spec §0): visibility 'team' hides rows of other teams from USER keys, 'owner'
--     hides other users' rows from non-ADMIN keys, 'self' from every key (notifications);
--     write_role is the least role that may write (OWNER: the row's owner or an ADMIN).
--     Scopes are checked by the responder before the call.
--   * ETag: md5 of the rendered row; If-Match on patch/delete compares it under the row lock.
--   * database refusals become precise API errors: unique → 409 conflict naming the columns,
--     foreign key → 422 naming the column (404 when it is a path segment), check / not-null /
--     bad text → 422.
-- Dynamic SQL (EXECUTE format with %I/%L) is used only with names from rest_resource, the
-- catalogue and the view's own columns; values always travel as parameters or %L literals.

-- ---------------------------------------------------------------------------------------------
-- Idempotency-Key for every write (the incidents API had it inline; now one pair of functions)
-- ---------------------------------------------------------------------------------------------
-- Claims (key, idem) for a request whose fingerprint is p_hash. Returns NULL when the request
-- should run, the stored answer (+ "replayed": true) when it already ran, or an error object
-- when the key was used for another request.
CREATE OR REPLACE FUNCTION ok_idem_begin(p_key_id uuid, p_idem text, p_hash text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_row idempotency_key;
BEGIN
	IF p_idem IS NULL THEN
		RETURN NULL;
	END IF;
	-- this key's expired entries go on the way (the primary key's prefix finds them)
	DELETE FROM idempotency_key WHERE api_key_id = p_key_id
		AND created_at < ok_now() - interval '1 day';
	INSERT INTO idempotency_key (api_key_id, idem_key, request_hash, created_at)
	VALUES (p_key_id, p_idem, p_hash, ok_now()) ON CONFLICT DO NOTHING;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	SELECT * INTO v_row FROM idempotency_key WHERE api_key_id = p_key_id AND idem_key = p_idem;
	IF v_row.request_hash <> p_hash THEN
		RETURN jsonb_build_object('error', 'idempotency_key_reused',
			'message', 'Idempotency-Key was used for another request');
	END IF;
	RETURN v_row.response || jsonb_build_object('replayed', true);
END
$$;

-- Stores the answer of a claimed request (a refusal releases the key: a retry may succeed).
CREATE OR REPLACE FUNCTION ok_idem_end(p_key_id uuid, p_idem text, p_answer jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	IF p_idem IS NOT NULL THEN
		IF p_answer ? 'error' THEN
			DELETE FROM idempotency_key WHERE api_key_id = p_key_id AND idem_key = p_idem;
		ELSE
			UPDATE idempotency_key SET response = p_answer
			WHERE api_key_id = p_key_id AND idem_key = p_idem;
		END IF;
	END IF;
	RETURN p_answer;
END
$$;

CREATE OR REPLACE FUNCTION ok_incident_write(p_key_id uuid, p_idem text, p_op text, p_args jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_key record;
	v_r jsonb;
BEGIN
	SELECT k.user_id, u.role INTO v_key FROM api_key k JOIN app_user u ON u.id = k.user_id
	WHERE k.id = p_key_id;
	IF NOT FOUND THEN
		RETURN ok_incident_err('invalid_api_key', 'invalid API key');
	END IF;
	v_r := ok_idem_begin(p_key_id, p_idem, md5(p_op || ' ' || p_args::text));
	IF v_r IS NOT NULL THEN
		RETURN v_r;
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
	RETURN ok_idem_end(p_key_id, p_idem, v_r);
EXCEPTION WHEN unique_violation THEN
	RETURN ok_incident_err('dedup_conflict',
		'another open incident of the service has the same dedup_key');
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The views: each resource's JSON shape
-- ---------------------------------------------------------------------------------------------
-- The rendered form of a view row: without the "_" columns.
CREATE OR REPLACE FUNCTION ok_rest_out(p_row jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(p_row) AS e(k, v)
	WHERE k NOT LIKE '\_%'
$$;

CREATE VIEW api_service AS
SELECT s.id, s.name, s.description, s.region, s.sla_tier, s.status, s.target_ack_minutes,
	s.target_resolve_minutes, s.team_id, s.escalation_policy_id, s.slack_webhook_url,
	s.slack_channel, s.webhook_url, s.notification_channels, s.notify_on_triggered,
	s.notify_on_acknowledged, s.notify_on_resolved, s.notify_on_sla_breach,
	s.auto_create_war_room, ok_iso(s.created_at) AS created_at, s.created_at AS _created,
	ok_iso(s.updated_at) AS updated_at, s.team_id AS _team_id, s.name AS _search
FROM service s;

CREATE VIEW api_integration AS
SELECT i.id, i.service_id, i.name, i.type, i.key_prefix, i.enabled,
	i.signature_secret IS NOT NULL AS has_signature_secret, i.rate_limit_per_sec,
	i.rate_limit_burst, i.sns_verify, ok_iso(i.created_at) AS created_at, i.created_at AS _created,
	ok_iso(i.updated_at) AS updated_at, s.team_id AS _team_id, i.name AS _search
FROM integration i JOIN service s ON s.id = i.service_id;

CREATE VIEW api_webhook AS
SELECT w.id, w.service_id, w.name, w.type, w.url, w.channel, w.enabled,
	w.secret IS NOT NULL AS has_secret, ok_iso(w.created_at) AS created_at,
	w.created_at AS _created, ok_iso(w.updated_at) AS updated_at, s.team_id AS _team_id,
	w.name AS _search
FROM webhook_integration w JOIN service s ON s.id = w.service_id;

CREATE VIEW api_team AS
SELECT t.id, t.name, t.description, t.team_lead_id,
	(SELECT count(*) FROM team_member m WHERE m.team_id = t.id)::integer AS member_count,
	ok_iso(t.created_at) AS created_at, t.created_at AS _created,
	ok_iso(t.updated_at) AS updated_at, t.name AS _search
FROM team t;

CREATE VIEW api_team_member AS
SELECT m.id, m.team_id, m.user_id, u.name AS user_name, u.email AS user_email, m.role,
	m.receive_team_notifications, ok_iso(m.created_at) AS created_at, m.created_at AS _created,
	u.name AS _search
FROM team_member m JOIN app_user u ON u.id = m.user_id;

CREATE VIEW api_user AS
SELECT u.id, u.name, u.email, u.role, u.status, u.time_zone, u.phone_number,
	u.email_notifications_enabled, u.sms_notifications_enabled, u.push_notifications_enabled,
	u.whatsapp_notifications_enabled, u.department, u.job_title,
	coalesce((SELECT jsonb_agg(jsonb_build_object('team_id', m.team_id, 'role', m.role)
		ORDER BY m.created_at) FROM team_member m WHERE m.user_id = u.id), '[]') AS teams,
	ok_iso(u.created_at) AS created_at, u.created_at AS _created,
	ok_iso(u.updated_at) AS updated_at,
	u.id AS _user_id, u.name || ' ' || u.email AS _search
FROM app_user u;

CREATE VIEW api_escalation_rule AS
SELECT r.id, r.policy_id, r.step_order, r.delay_minutes, r.target_type, r.target_user_id,
	r.target_team_id, r.target_schedule_id, r.notification_channels, r.notify_only_team_lead,
	ok_iso(r.created_at) AS created_at, r.created_at AS _created, ok_iso(r.updated_at) AS updated_at
FROM escalation_rule r;

CREATE VIEW api_escalation_policy AS
SELECT p.id, p.name, p.description, p.repeat_count, p.repeat_delay_minutes,
	coalesce((SELECT jsonb_agg(ok_rest_out(to_jsonb(r)) - 'policy_id'
		ORDER BY r.step_order, r._created)
		FROM api_escalation_rule r WHERE r.policy_id = p.id), '[]') AS rules,
	ok_iso(p.created_at) AS created_at, p.created_at AS _created,
	ok_iso(p.updated_at) AS updated_at, p.name AS _search
FROM escalation_policy p;

CREATE VIEW api_layer_user AS
SELECT lu.id, l.schedule_id, lu.layer_id, lu.user_id, u.name AS user_name, lu.position,
	ok_iso(lu.created_at) AS created_at, lu.created_at AS _created
FROM oncall_layer_user lu JOIN oncall_layer l ON l.id = lu.layer_id
JOIN app_user u ON u.id = lu.user_id;

CREATE VIEW api_layer AS
SELECT l.id, l.schedule_id, l.name, ok_iso(l.start_at) AS start_at, ok_iso(l.end_at) AS end_at,
	l.rotation_length_hours, l.shift_length_hours, l.restrictions, l.priority,
	coalesce((SELECT jsonb_agg(jsonb_build_object('user_id', lu.user_id, 'user_name',
		lu.user_name, 'position', lu.position) ORDER BY lu.position, lu._created)
		FROM api_layer_user lu WHERE lu.layer_id = l.id), '[]') AS users,
	ok_iso(l.created_at) AS created_at, l.created_at AS _created,
	ok_iso(l.updated_at) AS updated_at, l.name AS _search
FROM oncall_layer l;

CREATE VIEW api_override AS
SELECT o.id, o.schedule_id, o.user_id, o.replaces_user_id, ok_iso(o.start_at) AS start_at,
	ok_iso(o.end_at) AS end_at, ok_iso(o.created_at) AS created_at, o.created_at AS _created,
	ok_iso(o.updated_at) AS updated_at
FROM oncall_override o;

CREATE VIEW api_schedule AS
SELECT s.id, s.name, s.time_zone,
	coalesce((SELECT jsonb_agg(ok_rest_out(to_jsonb(l)) - 'schedule_id'
		ORDER BY l.priority DESC, l._created) FROM api_layer l WHERE l.schedule_id = s.id),
		'[]') AS layers,
	ok_iso(s.created_at) AS created_at, s.created_at AS _created,
	ok_iso(s.updated_at) AS updated_at, s.name AS _search
FROM oncall_schedule s;

CREATE VIEW api_status_page AS
SELECT p.id, p.name, p.description, p.enabled, p.settings,
	coalesce((SELECT jsonb_agg(ps.service_id ORDER BY ps.position, ps.created_at)
		FROM status_page_service ps WHERE ps.status_page_id = p.id), '[]') AS service_ids,
	ok_iso(p.created_at) AS created_at, p.created_at AS _created,
	ok_iso(p.updated_at) AS updated_at, p.name AS _search
FROM status_page p;

CREATE VIEW api_status_page_service AS
SELECT ps.id, ps.status_page_id, ps.service_id, ps.show_on_page, ps.display_name, ps.position,
	ok_iso(ps.created_at) AS created_at, ps.created_at AS _created
FROM status_page_service ps;

CREATE VIEW api_status_page_webhook AS
SELECT w.id, w.status_page_id, w.url, w.events, w.enabled,
	ok_iso(w.last_triggered_at) AS last_triggered_at, ok_iso(w.created_at) AS created_at,
	w.created_at AS _created, ok_iso(w.updated_at) AS updated_at
FROM status_page_webhook w;

CREATE VIEW api_api_key AS
SELECT k.id, k.name, k.prefix, k.scopes, k.user_id, ok_iso(k.last_used_at) AS last_used_at,
	ok_iso(k.revoked_at) AS revoked_at, ok_iso(k.created_at) AS created_at,
	k.created_at AS _created, k.user_id AS _user_id, k.name AS _search
FROM api_key k;

CREATE VIEW api_sla_definition AS
SELECT d.id, d.name, d.description, d.service_id, d.team_id, d.priority, d.target,
	d.sla_window AS "window", d.metric_type, d.target_ack_time, d.target_resolve_time,
	d.version, ok_iso(d.active_from) AS active_from, ok_iso(d.active_to) AS active_to,
	ok_iso(d.created_at) AS created_at, d.created_at AS _created,
	ok_iso(d.updated_at) AS updated_at,
	coalesce(s.team_id, d.team_id) AS _team_id, d.name AS _search
FROM sla_definition d LEFT JOIN service s ON s.id = d.service_id;

CREATE VIEW api_notification AS
SELECT n.id, n.user_id, n.type, n.title, n.message, n.entity_type, n.entity_id,
	n.read_at IS NOT NULL AS read, ok_iso(n.read_at) AS read_at,
	ok_iso(n.created_at) AS created_at, n.created_at AS _created,
	n.user_id AS _user_id, n.title AS _search
FROM in_app_notification n;

-- ---------------------------------------------------------------------------------------------
-- The catalogue
-- ---------------------------------------------------------------------------------------------
CREATE TABLE rest_resource (
	name text PRIMARY KEY,
	label text NOT NULL,                 -- in messages: "service not found"
	tbl regclass NOT NULL,
	view regclass NOT NULL,
	visibility text NOT NULL CHECK (visibility IN ('all', 'team', 'owner', 'self')),
	write_role text NOT NULL CHECK (write_role IN ('RESPONDER', 'ADMIN', 'OWNER')),
	delete_mode text NOT NULL DEFAULT 'delete' CHECK (delete_mode IN ('delete', 'revoke')),
	parent text REFERENCES rest_resource (name),  -- the resource the URL nests this one under
	parent_key text,                              -- the path segment naming the parent row
	private_cols text[] NOT NULL DEFAULT '{}'     -- shown only to the row's owner and ADMINs
);

INSERT INTO rest_resource (name, label, tbl, view, visibility, write_role, delete_mode) VALUES
	('service', 'service', 'service', 'api_service', 'team', 'RESPONDER', 'delete'),
	('integration', 'integration', 'integration', 'api_integration', 'team', 'RESPONDER',
		'delete'),
	('webhook', 'webhook', 'webhook_integration', 'api_webhook', 'team', 'RESPONDER', 'delete'),
	('team', 'team', 'team', 'api_team', 'all', 'ADMIN', 'delete'),
	('team_member', 'team member', 'team_member', 'api_team_member', 'all', 'ADMIN', 'delete'),
	('user', 'user', 'app_user', 'api_user', 'all', 'OWNER', 'delete'),
	('escalation_policy', 'escalation policy', 'escalation_policy', 'api_escalation_policy',
		'all', 'RESPONDER', 'delete'),
	('escalation_rule', 'escalation rule', 'escalation_rule', 'api_escalation_rule', 'all',
		'RESPONDER', 'delete'),
	('schedule', 'schedule', 'oncall_schedule', 'api_schedule', 'all', 'RESPONDER', 'delete'),
	('layer', 'layer', 'oncall_layer', 'api_layer', 'all', 'RESPONDER', 'delete'),
	('layer_user', 'layer user', 'oncall_layer_user', 'api_layer_user', 'all', 'RESPONDER',
		'delete'),
	('override', 'override', 'oncall_override', 'api_override', 'all', 'RESPONDER', 'delete'),
	('status_page', 'status page', 'status_page', 'api_status_page', 'all', 'ADMIN', 'delete'),
	('status_page_service', 'status page service', 'status_page_service',
		'api_status_page_service', 'all', 'ADMIN', 'delete'),
	('status_page_webhook', 'status page webhook', 'status_page_webhook',
		'api_status_page_webhook', 'all', 'ADMIN', 'delete'),
	('api_key', 'API key', 'api_key', 'api_api_key', 'owner', 'OWNER', 'revoke'),
	('sla_definition', 'SLA definition', 'sla_definition', 'api_sla_definition', 'team',
		'RESPONDER', 'delete'),
	('notification', 'notification', 'in_app_notification', 'api_notification', 'self',
		'OWNER', 'delete');

UPDATE rest_resource r SET parent = p.parent, parent_key = p.parent || '_id'
FROM (VALUES ('integration', 'service'), ('webhook', 'service'), ('team_member', 'team'),
	('escalation_rule', 'escalation_policy'), ('layer', 'schedule'), ('layer_user', 'layer'),
	('override', 'schedule'), ('status_page_service', 'status_page'),
	('status_page_webhook', 'status_page')) AS p (child, parent)
WHERE r.name = p.child;
UPDATE rest_resource SET parent_key = 'policy_id' WHERE name = 'escalation_rule';
UPDATE rest_resource SET private_cols = '{phone_number}' WHERE name = 'user';

-- ---------------------------------------------------------------------------------------------
-- The engine
-- ---------------------------------------------------------------------------------------------
-- A refusal: raised inside the engine (so the write's subtransaction rolls back), turned into
-- {"error": code, "message": …} by ok_rest.
CREATE OR REPLACE FUNCTION ok_rest_refuse(p_code text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'OKR01', MESSAGE = p_code, DETAIL = p_message;
END
$$;

-- A view row as this user sees it: without the "_" columns, and without the private ones
-- unless the user owns the row or is an ADMIN.
CREATE OR REPLACE FUNCTION ok_rest_render(p_res rest_resource, p_user uuid, p_role text,
	p_row jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_role = 'ADMIN' OR p_row->>'_user_id' = p_user::text
		THEN ok_rest_out(p_row) ELSE ok_rest_out(p_row) - p_res.private_cols END
$$;

-- The WHERE clause (over alias v) of a resource for this user: the path segments and the
-- visibility rule of spec §0.
CREATE OR REPLACE FUNCTION ok_rest_where(p_res rest_resource, p_user uuid, p_role text,
	p_path jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_w text := 'true';
	k text;
	val text;
BEGIN
	FOR k, val IN SELECT * FROM jsonb_each_text(p_path) LOOP
		v_w := v_w || format(' AND v.%I = %L::uuid', k, val);
	END LOOP;
	IF p_res.visibility = 'team' AND p_role = 'USER' THEN
		v_w := v_w || format(' AND v._team_id IN (SELECT team_id FROM team_member '
			'WHERE user_id = %L::uuid)', p_user);
	ELSIF p_res.visibility = 'self' OR (p_res.visibility = 'owner' AND p_role <> 'ADMIN') THEN
		v_w := v_w || format(' AND v._user_id = %L::uuid', p_user);
	END IF;
	RETURN v_w;
END
$$;

-- The one row of the view under p_where, or NULL.
CREATE OR REPLACE FUNCTION ok_rest_row(p_res rest_resource, p_where text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_row jsonb;
BEGIN
	EXECUTE format('SELECT to_jsonb(v) FROM %s v WHERE %s LIMIT 1', p_res.view, p_where)
		INTO v_row;
	RETURN v_row;
END
$$;

-- Refuses (not_found) a list under a parent row that does not exist or that the user may not
-- see: the path names the parent by parent_key and its own parents by their keys.
CREATE OR REPLACE FUNCTION ok_rest_parent(p_res rest_resource, p_user uuid, p_role text,
	p_path jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_parent rest_resource;
	v_path jsonb;
BEGIN
	IF p_res.parent IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO STRICT v_parent FROM rest_resource WHERE name = p_res.parent;
	v_path := (p_path - p_res.parent_key) || jsonb_build_object('id', p_path->p_res.parent_key);
	IF ok_rest_row(v_parent, ok_rest_where(v_parent, p_user, p_role, v_path)) IS NULL THEN
		PERFORM ok_rest_refuse('not_found', v_parent.label || ' not found');
	END IF;
END
$$;

-- Resource rules a table cannot say, checked before a write (p_row: the current view row of a
-- patch or delete, NULL on create). May complete args (defaults that depend on other rows).
CREATE OR REPLACE FUNCTION ok_rest_guard(p_res text, p_op text, p_user uuid, p_role text,
	p_key uuid, p_row jsonb, p_args jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_scopes text[];
	v_admin boolean;  -- an ADMIN acting with the admin scope
BEGIN
	SELECT scopes INTO v_scopes FROM api_key WHERE id = p_key;
	v_admin := p_role = 'ADMIN' AND 'admin' = ANY (v_scopes);
	IF p_res = 'user' AND NOT v_admin THEN
		-- everyone edits their own profile; the rest is an administrator's
		IF p_op <> 'patch' OR p_row->>'id' <> p_user::text THEN
			PERFORM ok_rest_refuse('forbidden', 'only an ADMIN key with the admin scope may '
				'create, delete or change other users');
		ELSIF p_args ?| ARRAY['role', 'status', 'email'] THEN
			PERFORM ok_rest_refuse('forbidden', 'only an ADMIN key with the admin scope may '
				'change a user''s role, status or email');
		END IF;
	ELSIF p_res = 'api_key' AND p_op = 'create' THEN
		IF NOT p_args ? 'user_id' THEN
			p_args := p_args || jsonb_build_object('user_id', p_user);
		ELSIF p_role <> 'ADMIN' AND p_args->>'user_id' <> p_user::text THEN
			PERFORM ok_rest_refuse('forbidden', 'only an ADMIN may create keys for others');
		END IF;
		-- a key never hands out more than it holds (admin holds everything)
		IF NOT 'admin' = ANY (v_scopes) AND NOT ARRAY(SELECT jsonb_array_elements_text(
				p_args->'scopes')) <@ v_scopes THEN
			PERFORM ok_rest_refuse('forbidden',
				'a key can only create keys with scopes it holds itself');
		END IF;
		IF p_args->'scopes' ? 'admin' AND (SELECT role FROM app_user
				WHERE id = (p_args->>'user_id')::uuid) IS DISTINCT FROM 'ADMIN' THEN
			PERFORM ok_rest_refuse('forbidden',
				'the admin scope is only for users with the ADMIN role');
		END IF;
	ELSIF p_res = 'api_key' AND p_op = 'delete' AND NOT 'admin' = ANY (v_scopes) AND NOT
			ARRAY(SELECT jsonb_array_elements_text(p_row->'scopes')) <@ v_scopes THEN
		-- nor does it take away more than it holds
		PERFORM ok_rest_refuse('forbidden',
			'a key can only revoke keys whose scopes it holds itself');
	ELSIF p_res = 'integration' AND p_args->>'sns_verify' = 'false' AND p_role <> 'ADMIN' THEN
		-- without it anyone holding the key could forge SNS messages
		PERFORM ok_rest_refuse('forbidden', 'only an ADMIN may turn sns_verify off');
	ELSIF p_res = 'service' AND p_op = 'delete' AND EXISTS (SELECT 1 FROM incident
			WHERE service_id = (p_row->>'id')::uuid) THEN
		-- the incident history is not deleted with a click: retention removes it
		PERFORM ok_rest_refuse('in_use', 'the service has incidents; disable its '
			'integrations instead (retention removes resolved incidents)');
	ELSIF p_res = 'sla_definition' AND p_op = 'patch' THEN
		p_args := p_args || jsonb_build_object('version', (p_row->>'version')::integer + 1);
	ELSIF p_res = 'escalation_rule' AND p_op = 'create' AND NOT p_args ? 'step_order' THEN
		p_args := p_args || jsonb_build_object('step_order', (SELECT coalesce(max(step_order)
			+ 1, 0) FROM escalation_rule WHERE policy_id = (p_args->>'policy_id')::uuid));
	END IF;
	RETURN p_args;
END
$$;

-- Rules on the written row (p_row: the table row after the write): those a CHECK cannot say.
CREATE OR REPLACE FUNCTION ok_rest_check(p_res text, p_row jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_target text;
	r jsonb := p_row->'restrictions';
	v_hour text;
BEGIN
	IF p_row ? 'time_zone' AND NOT EXISTS (SELECT 1 FROM pg_timezone_names
			WHERE name = p_row->>'time_zone') THEN
		PERFORM ok_rest_refuse('invalid_field',
			format('time_zone is not in the time zone database: %s',
			left(p_row->>'time_zone', 64)));
	END IF;
	IF p_res = 'escalation_rule' THEN
		v_target := 'target_' || CASE p_row->>'target_type' WHEN 'USER' THEN 'user_id'
			WHEN 'TEAM' THEN 'team_id' ELSE 'schedule_id' END;
		IF jsonb_typeof(p_row->v_target) IS DISTINCT FROM 'string' THEN
			PERFORM ok_rest_refuse('invalid_field', format('%s is required when '
				'target_type is %s', v_target, p_row->>'target_type'));
		END IF;
	ELSIF p_res = 'layer' AND jsonb_typeof(r) = 'object' THEN
		IF (r - 'days_of_week' - 'start_hour' - 'end_hour') <> '{}' THEN
			PERFORM ok_rest_refuse('invalid_field', 'restrictions may only hold '
				'days_of_week, start_hour and end_hour');
		END IF;
		IF r ? 'days_of_week' AND (jsonb_typeof(r->'days_of_week') <> 'array' OR EXISTS (
				SELECT 1 FROM jsonb_array_elements(r->'days_of_week') d
				WHERE jsonb_typeof(d) <> 'number' OR d::text NOT IN
					('0', '1', '2', '3', '4', '5', '6'))) THEN
			PERFORM ok_rest_refuse('invalid_field',
				'restrictions.days_of_week must be an array of 0 (Sunday) to 6');
		END IF;
		FOREACH v_hour IN ARRAY ARRAY['start_hour', 'end_hour'] LOOP
			IF r ? v_hour AND (jsonb_typeof(r->v_hour) <> 'number' OR (r->>v_hour) NOT IN
					(SELECT g::text FROM generate_series(0, 23) g)) THEN
				PERFORM ok_rest_refuse('invalid_field', format(
					'restrictions.%s must be an integer from 0 to 23', v_hour));
			END IF;
		END LOOP;
	ELSIF p_res = 'webhook' AND p_row->>'type' = 'TELEGRAM'
			AND coalesce(p_row->>'channel', '') = '' THEN
		PERFORM ok_rest_refuse('missing_field', 'channel (the Telegram chat id) is required '
			'for a TELEGRAM webhook');
	ELSIF p_res = 'override' AND p_row->>'user_id' = p_row->>'replaces_user_id' THEN
		PERFORM ok_rest_refuse('invalid_field', 'replaces_user_id must differ from user_id');
	END IF;
END
$$;

-- The columns of p_args that are columns of the table, quoted and comma-separated.
CREATE OR REPLACE FUNCTION ok_rest_cols(p_tbl regclass, p_args jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
	WHERE a.attrelid = p_tbl AND a.attnum > 0 AND NOT a.attisdropped
		AND p_args ? a.attname::text AND a.attname NOT IN ('id', 'created_at', 'updated_at')
$$;

-- 1 when the table has an updated_at column.
CREATE OR REPLACE FUNCTION ok_rest_has_col(p_tbl regclass, p_col text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = p_tbl
		AND a.attname = p_col AND NOT a.attisdropped)
$$;

-- The write: create (p_row NULL) or patch/delete of the row p_row; returns the new view row
-- (NULL after a delete).
CREATE OR REPLACE FUNCTION ok_rest_write(p_res rest_resource, p_op text, p_where text,
	p_row jsonb, p_args jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_cols text := ok_rest_cols(p_res.tbl, p_args);
	v_id uuid := (p_row->>'id')::uuid;
	v_new jsonb;
BEGIN
	IF p_op = 'create' THEN
		IF v_cols IS NULL THEN
			EXECUTE format('INSERT INTO %s DEFAULT VALUES RETURNING id', p_res.tbl)
				INTO v_id;
		ELSE
			EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record('
				'NULL::%s, $1) RETURNING id', p_res.tbl, v_cols, v_cols, p_res.tbl)
				USING p_args INTO v_id;
		END IF;
		p_where := p_where || format(' AND v.id = %L::uuid', v_id);
	ELSIF p_op = 'patch' AND v_cols IS NOT NULL THEN
		EXECUTE format('UPDATE %s t SET (%s) = (SELECT %s FROM jsonb_populate_record(t, $1))'
			'%s WHERE t.id = $2', p_res.tbl, v_cols, v_cols,
			CASE WHEN ok_rest_has_col(p_res.tbl, 'updated_at')
				THEN ', updated_at = ok_now()' ELSE '' END)
			USING p_args, v_id;
	ELSIF p_op = 'delete' AND p_res.delete_mode = 'revoke' THEN
		EXECUTE format('UPDATE %s SET revoked_at = coalesce(revoked_at, ok_now()) '
			'WHERE id = $1', p_res.tbl) USING v_id;
	ELSIF p_op = 'delete' THEN
		EXECUTE format('DELETE FROM %s WHERE id = $1', p_res.tbl) USING v_id;
		RETURN NULL;
	END IF;
	EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE t.id = $1', p_res.tbl)
		INTO v_new USING v_id;
	PERFORM ok_rest_check(p_res.name, v_new);
	v_new := ok_rest_row(p_res, p_where);
	IF v_new IS NULL THEN  -- created under a parent the path does not name
		PERFORM ok_rest_refuse('not_found', p_res.label || ' not found');
	END IF;
	RETURN v_new;
END
$$;

-- A page of a resource: p_query {limit, cursor, q, filters:{column: text}}.
CREATE OR REPLACE FUNCTION ok_rest_list(p_res rest_resource, p_user uuid, p_role text,
	p_where text, p_query jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_limit integer := least(greatest(coalesce((p_query->>'limit')::integer, 50), 1), 200);
	v_cursor text := p_query->>'cursor';
	v_after timestamptz;
	v_rows jsonb[];
	v_next text;
	k text;
	val text;
BEGIN
	IF v_cursor IS NOT NULL THEN
		IF v_cursor !~ ('^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z_'
				'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') THEN
			PERFORM ok_rest_refuse('invalid_parameter', 'cursor is not valid');
		END IF;
		BEGIN
			v_after := split_part(v_cursor, '_', 1)::timestamptz;
		EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
			PERFORM ok_rest_refuse('invalid_parameter', 'cursor is not valid');
		END;
		p_where := p_where || format(' AND (v._created, v.id) > (%L::timestamptz, %L::uuid)',
			v_after, split_part(v_cursor, '_', 2));
	END IF;
	IF p_query ? 'q' THEN
		p_where := p_where || format(' AND v._search ILIKE %L', '%' ||
			replace(replace(replace(p_query->>'q', '\', '\\'), '%', '\%'), '_', '\_') || '%');
	END IF;
	FOR k, val IN SELECT * FROM jsonb_each_text(coalesce(p_query->'filters', '{}')) LOOP
		p_where := p_where || format(' AND v.%I = %L', k, val);  -- typed by the column
	END LOOP;
	EXECUTE format('SELECT array_agg(to_jsonb(v) ORDER BY v._created, v.id) FROM (SELECT * '
		'FROM %s v WHERE %s ORDER BY v._created, v.id LIMIT %s) v', p_res.view, p_where,
		v_limit + 1) INTO v_rows;
	IF coalesce(array_length(v_rows, 1), 0) > v_limit THEN
		v_next := to_char((v_rows[v_limit]->>'_created')::timestamptz AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '_' || (v_rows[v_limit]->>'id');
		v_rows := v_rows[1:v_limit];
	END IF;
	RETURN jsonb_build_object('data', coalesce((SELECT jsonb_agg(ok_rest_render(p_res, p_user,
		p_role, r) ORDER BY n)
		FROM unnest(v_rows) WITH ORDINALITY AS u (r, n)), '[]'), 'next_cursor', v_next);
END
$$;

-- get, create, patch, delete of one row (inside ok_rest's subtransaction: a refusal raised
-- here undoes the write).
CREATE OR REPLACE FUNCTION ok_rest_op(p_res rest_resource, p_user uuid, p_role text,
	p_key_id uuid, p_op text, p_where text, p_path jsonb, p_args jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_row jsonb;
	v_etag text;
	v_col text;
BEGIN
	IF p_op <> 'create' THEN
		v_row := ok_rest_row(p_res, p_where);
		IF v_row IS NULL THEN
			PERFORM ok_rest_refuse('not_found', p_res.label || ' not found');
		END IF;
	END IF;
	IF p_op = 'get' THEN
		v_row := ok_rest_render(p_res, p_user, p_role, v_row);
		RETURN jsonb_build_object('http', 200, 'data', v_row, 'etag', md5(v_row::text));
	END IF;
	-- a write: the role (spec §0), then the row lock and If-Match
	IF (CASE p_res.write_role
			WHEN 'ADMIN' THEN p_role <> 'ADMIN'
			WHEN 'RESPONDER' THEN p_role = 'USER'
			ELSE p_role <> 'ADMIN' AND v_row IS NOT NULL
				AND v_row->>'_user_id' <> p_user::text END) THEN
		PERFORM ok_rest_refuse('forbidden', format('the %s role may not change a %s',
			p_role, p_res.label));
	END IF;
	IF v_row IS NOT NULL THEN
		EXECUTE format('SELECT 1 FROM %s WHERE id = $1 FOR UPDATE', p_res.tbl)
			USING (v_row->>'id')::uuid;
		v_row := ok_rest_row(p_res, p_where);
		IF v_row IS NULL THEN
			PERFORM ok_rest_refuse('not_found', p_res.label || ' not found');
		END IF;
		v_etag := md5(ok_rest_render(p_res, p_user, p_role, v_row)::text);
		IF p_args ? '_if_match' AND NOT p_args->'_if_match' ? v_etag THEN  -- any tag listed
			RETURN jsonb_build_object('error', 'version_mismatch', 'message',
				'the ' || p_res.label || ' changed since it was read (If-Match)',
				'etag', v_etag);
		END IF;
	END IF;
	SELECT e.k INTO v_col FROM jsonb_each_text(p_path) AS e (k, v)
	WHERE p_args ? e.k AND p_args->>e.k <> e.v LIMIT 1;
	IF FOUND THEN
		PERFORM ok_rest_refuse('invalid_field', v_col || ' cannot change: the URL names it');
	END IF;
	p_args := ok_rest_guard(p_res.name, p_op, p_user, p_role, p_key_id, v_row,
		(p_args - '_if_match') || p_path);
	v_row := ok_rest_write(p_res, p_op, p_where, v_row, p_args);
	IF v_row IS NULL THEN
		RETURN jsonb_build_object('http', 204);
	END IF;
	v_row := ok_rest_render(p_res, p_user, p_role, v_row);
	RETURN jsonb_build_object('http', CASE p_op WHEN 'create' THEN 201 ELSE 200 END,
		'data', v_row, 'etag', md5(v_row::text));
END
$$;

-- The API: p_op is list, get, create, patch or delete (plus mark_read of notifications).
-- Answers {"http", "data", "etag", "next_cursor"} or {"error", "message"}; p_idem (writes
-- only) is the request's Idempotency-Key.
CREATE OR REPLACE FUNCTION ok_rest(p_key_id uuid, p_resource text, p_op text, p_path jsonb,
	p_args jsonb, p_query jsonb, p_idem text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_key record;
	v_res rest_resource;
	v_where text;
	v_row jsonb;
	v_answer jsonb;
	v_n integer;
	v_code text;
	v_msg text;
	v_detail text;
	v_col text;
	v_etag text;
BEGIN
	SELECT k.user_id, u.role INTO v_key FROM api_key k JOIN app_user u ON u.id = k.user_id
	WHERE k.id = p_key_id;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('error', 'invalid_api_key', 'message', 'invalid API key');
	END IF;
	SELECT * INTO STRICT v_res FROM rest_resource WHERE name = p_resource;
	v_where := ok_rest_where(v_res, v_key.user_id, v_key.role, p_path);
	IF p_op NOT IN ('list', 'get') THEN
		-- generated secrets ("_gen") differ on every retry: not part of the fingerprint
		v_answer := ok_idem_begin(p_key_id, p_idem, md5(p_resource || ' ' || p_op || ' ' ||
			p_path::text || ' ' || (p_args - '_gen')::text));
		IF v_answer IS NOT NULL THEN
			RETURN v_answer;
		END IF;
		p_args := (p_args - '_gen') || coalesce(p_args->'_gen', '{}');
	END IF;
	BEGIN
		IF p_op = 'list' THEN
			PERFORM ok_rest_parent(v_res, v_key.user_id, v_key.role, p_path);
			v_answer := ok_rest_list(v_res, v_key.user_id, v_key.role, v_where, p_query)
				|| '{"http": 200}';
		ELSIF p_op = 'mark_read' THEN
			UPDATE in_app_notification SET read_at = ok_now() WHERE user_id = v_key.user_id
				AND read_at IS NULL AND (coalesce((p_args->>'all')::boolean, false)
				OR id IN (SELECT jsonb_array_elements_text(p_args->'ids')::uuid));
			GET DIAGNOSTICS v_n = ROW_COUNT;
			v_answer := jsonb_build_object('http', 200, 'data', jsonb_build_object(
				'marked', v_n, 'unread_count', (SELECT count(*) FROM in_app_notification
				WHERE user_id = v_key.user_id AND read_at IS NULL)));
		ELSE
			v_answer := ok_rest_op(v_res, v_key.user_id, v_key.role, p_key_id, p_op,
				v_where, p_path, p_args);
		END IF;
	EXCEPTION
	WHEN SQLSTATE 'OKR01' THEN
		GET STACKED DIAGNOSTICS v_code = MESSAGE_TEXT, v_msg = PG_EXCEPTION_DETAIL;
		v_answer := jsonb_build_object('error', v_code, 'message', v_msg);
	WHEN unique_violation THEN
		GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
		v_answer := jsonb_build_object('error', 'conflict', 'message', format(
			'a %s with this %s already exists', v_res.label,
			coalesce(replace(substring(v_detail FROM 'Key \(([^)]*)\)'), 'lower(', ''),
				'value')));
	WHEN foreign_key_violation THEN
		GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
		v_col := substring(v_detail FROM 'Key \(([^)]*)\)');
		IF v_detail LIKE '%still referenced%' THEN
			v_answer := jsonb_build_object('error', 'in_use', 'message', format(
				'the %s is still referenced by %s', v_res.label,
				coalesce(substring(v_detail FROM 'from table "([^"]*)"'), 'other rows')));
		ELSIF p_path ? v_col THEN
			v_answer := jsonb_build_object('error', 'not_found', 'message', format(
				'%s not found', coalesce((SELECT p.label FROM rest_resource p
				WHERE p.name = v_res.parent AND v_res.parent_key = v_col),
				replace(replace(v_col, '_id', ''), '_', ' '))));
		ELSE
			v_answer := jsonb_build_object('error', 'invalid_field', 'message',
				format('%s does not name an existing row', v_col));
		END IF;
	WHEN not_null_violation THEN
		GET STACKED DIAGNOSTICS v_col = COLUMN_NAME;
		v_answer := jsonb_build_object('error', 'missing_field', 'message',
			format('%s is required', v_col));
	WHEN check_violation THEN
		GET STACKED DIAGNOSTICS v_col = CONSTRAINT_NAME;
		v_answer := jsonb_build_object('error', 'invalid_field', 'message', coalesce((
			SELECT c.msg FROM (VALUES ('oncall_layer_check', 'end_at must be after start_at'),
				('oncall_override_check', 'end_at must be after start_at')) AS c (name, msg)
			WHERE c.name = v_col), format('a value is out of range (constraint %s)', v_col)));
	WHEN invalid_text_representation OR invalid_datetime_format OR datetime_field_overflow
		OR numeric_value_out_of_range THEN
		v_answer := jsonb_build_object('error', 'invalid_field', 'message', SQLERRM);
	END;
	IF p_op IN ('list', 'get') THEN
		RETURN v_answer;
	END IF;
	RETURN ok_idem_end(p_key_id, p_idem, v_answer);
END
$$;

-- E-mail addresses are one per person whatever their case (the UNIQUE of 001 is exact).
CREATE UNIQUE INDEX app_user_email_lower ON app_user (lower(email));
