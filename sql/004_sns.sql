-- 004_sns.sql: why this migration exists — AWS SNS deliveries to the cloudwatch endpoint (issue 4):
-- the responders verify SNS message signatures against AWS's signing certificate, which the
-- worker fetches once per URL into sns_certificate (001); a SubscriptionConfirmation becomes a
-- worker job that visits SubscribeURL. One round trip each, like the rest of the hot path.

-- The SNS signing certificate of url (PEM), or NULL — then a worker fetch is queued (at most one
-- per URL and hour) and the caller answers 503: SNS delivers again later.
CREATE OR REPLACE FUNCTION ok_sns_certificate(p_url text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_pem text;
BEGIN
	SELECT pem INTO v_pem FROM sns_certificate WHERE url = p_url;
	IF NOT FOUND THEN
		PERFORM ok_job_enqueue('SNS_CERT', NULL, jsonb_build_object('url', p_url), ok_now(),
			'sns-cert:' || p_url || '@' || ok_iso(date_trunc('hour', ok_now())));
	END IF;
	RETURN v_pem;
END
$$;

-- An SNS SubscriptionConfirmation: authenticates like ok_ingest (p_sig carries the SNS signature
-- verdict), checks that SubscribeURL is AWS's own (unless the integration has sns_verify off),
-- and queues the worker's GET of it (SNS_CONFIRM, once per message). Returns
-- {"integration_id","status":"queued"} or {"error":code}.
CREATE OR REPLACE FUNCTION ok_sns_subscribe(p_key_hash text, p_integration_id uuid, p_sig jsonb,
	p_url text, p_message_id text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_auth record;
BEGIN
	SELECT * INTO v_auth FROM ok_auth_integration(p_key_hash, p_integration_id, p_sig);
	IF v_auth.error IS NOT NULL THEN
		RETURN jsonb_build_object('error', v_auth.error);
	END IF;
	IF v_auth.sns_verify AND p_url !~ '^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/' THEN
		RETURN jsonb_build_object('error', 'sns_url_refused');
	END IF;
	PERFORM ok_job_enqueue('SNS_CONFIRM', NULL, jsonb_build_object('integration_id',
		v_auth.integration_id, 'url', p_url), ok_now(),
		'sns-confirm:' || v_auth.integration_id || ':' || coalesce(p_message_id, md5(p_url)));
	RETURN jsonb_build_object('integration_id', v_auth.integration_id, 'status', 'queued');
END
$$;

-- The worker stores a fetched certificate (SNS_CERT job).
CREATE OR REPLACE FUNCTION ok_sns_certificate_store(p_url text, p_pem text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO sns_certificate (url, pem, fetched_at) VALUES (p_url, p_pem, ok_now())
	ON CONFLICT (url) DO UPDATE SET pem = excluded.pem, fetched_at = excluded.fetched_at;
$$;
