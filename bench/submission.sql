-- The statements one submission (a complaint without files) runs on PostgreSQL, as the server
-- sends them (captured with log_statement = all), for pgbench -M prepared. bench/speed.py passes
-- the seeded tenant, citizen, session, sub-menu and category as -D variables.
\set n random(1, 9000000000000000000)
SELECT s.id_hash, s.tenant_id, s.citizen_id, s.kind, s.csrf_token, s.created_at, s.last_seen_at, s.idle_expires_at,
       s.expires_at, s.ip, s.user_agent, c.id, c.tenant_id, c.national_id, c.email, c.email_key, c.title, c.first_name,
       c.last_name, c.birth_date, c.phone, c.house_no, c.village, c.road, c.sub_district_code, c.district_code,
       c.province_code, c.postcode, c.password_hash, c.identity_status, c.identity_note, c.avatar_key, c.terms_version,
       c.terms_accepted_at, c.terms_accepted_ip, c.created_at, c.updated_at, c.identity_submitted_at
  FROM sessions s LEFT JOIN citizens c ON s.citizen_id = c.id
 WHERE s.tenant_id = :tenant AND s.id_hash = :session AND s.kind = 'api' AND s.expires_at > now()
   AND s.idle_expires_at > now() AND c.tenant_id = :tenant LIMIT 1;
SELECT id, tenant_id, category_id, key, position, title_th, title_en, description_th, description_en, form_key, active, service_days
  FROM service_items WHERE tenant_id = :tenant AND key = 'complaint' AND active = true LIMIT 1;
SELECT id, tenant_id, key, position, icon, title_th, title_en, description_th, description_en, active
  FROM service_categories WHERE id = :category AND tenant_id = :tenant AND active = true LIMIT 1;
SELECT id, tenant_id, form_key, version, schema, digest, created_at
  FROM form_versions WHERE tenant_id = :tenant AND form_key = 'complaint' ORDER BY version DESC LIMIT 1;
SELECT id, tenant_id, citizen_id, reference, item_id, form_key, form_version, data, status, rejection_reason, idempotency_key,
       submitted_at, updated_at, version, assigned_to, updated_by
  FROM requests WHERE tenant_id = :tenant AND citizen_id = :citizen AND idempotency_key = 'pg-' || :n LIMIT 1;
BEGIN;
INSERT INTO reference_counters (tenant_id, year, last_value) VALUES (:tenant, 2569, 1)
  ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1
  RETURNING tenant_id, year, last_value;
INSERT INTO requests (id, tenant_id, citizen_id, reference, item_id, form_key, form_version, data, status, rejection_reason,
                      idempotency_key, submitted_at, updated_at, version, assigned_to, updated_by)
  VALUES (gen_random_uuid(), :tenant, :citizen, 'PGB-' || :n, :item, 'complaint', 1,
          '{"complainant_name":"นางสมศรี วัดผล","contact_by":["phone"],"details":"หลุมกว้างประมาณหนึ่งเมตร","location":"ซอยเทศบาล 3","phone":"0812345678","subject":"ถนนชำรุด","topic":"road"}',
          'submitted', NULL, 'pg-' || :n, now(), now(), 1, NULL, NULL)
  RETURNING id, tenant_id, citizen_id, reference, item_id, form_key, form_version, data, status, rejection_reason,
            idempotency_key, submitted_at, updated_at, version, assigned_to, updated_by \gset r_
INSERT INTO request_events (id, tenant_id, request_id, from_status, to_status, note, actor_kind, actor_id, created_at)
  VALUES (gen_random_uuid(), :tenant, :r_id, NULL, 'submitted', NULL, 'citizen', :citizen, now()) RETURNING id;
INSERT INTO outbox (id, tenant_id, channel, payload, status, attempts, next_attempt_at, locked_until, last_error, created_at, sent_at)
  VALUES (gen_random_uuid(), :tenant, 'email', repeat('x', 6000), 'pending', 0, now(), NULL, NULL, now(), NULL);
COMMIT;
