-- pgbench script: one CRM transaction as the CRM application runs it (look up a patient, record
-- a visit on the patient and one prosthesis, read the patient's prostheses).
\set uid random(1, 1000)
\set pid random(1, 1500)
BEGIN;
SELECT id, email, name FROM public.users WHERE email = 'bench' || :uid || '@bionicpro.example';
UPDATE public.users SET updated_at = now() WHERE id = md5('bench-user' || :uid)::uuid;
UPDATE public.prostheses SET updated_at = now() WHERE id = md5('bench-prosthesis' || :pid)::uuid;
SELECT p.id, p.model, p.manufacture_date FROM public.prostheses p WHERE p.user_id = md5('bench-user' || :uid)::uuid;
END;
