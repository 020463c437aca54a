-- Least privilege for the CDC job's role in one captured database (run as the owner, with
-- psql -v cdc_user=... -v publication=... -v tables=...): read the captured tables, write only its
-- heartbeat row, and a publication (owned by the DBA) that lists exactly the captured tables.
GRANT CONNECT ON DATABASE :"dbname" TO :"cdc_user";
GRANT USAGE ON SCHEMA public TO :"cdc_user";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"cdc_user";
GRANT INSERT, UPDATE ON public.cdc_heartbeat TO :"cdc_user";
SELECT format('CREATE PUBLICATION %I FOR TABLE %s', :'publication', :'tables')
WHERE NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = :'publication') \gexec
