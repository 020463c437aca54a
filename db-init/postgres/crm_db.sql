-- CRM schema (database crm_db). Loaded by 00-init.sh, by bin/stack and by the integration tests.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE IF NOT EXISTS public.users (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email      VARCHAR(255) UNIQUE NOT NULL,
    name       VARCHAR(255) NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS public.prostheses (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          UUID NOT NULL REFERENCES public.users (id),
    model            VARCHAR(100) NOT NULL,
    manufacture_date DATE NOT NULL,
    created_at       TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at       TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS prostheses_user_id_idx ON public.prostheses (user_id);

-- Updates and deletes must carry the whole old row: the audit log shows it as "before", and the
-- job moves a prosthesis' report rows to its new owner from it. The job refuses to start otherwise.
ALTER TABLE public.users REPLICA IDENTITY FULL;
ALTER TABLE public.prostheses REPLICA IDENTITY FULL;

-- Written by the CDC job's heartbeat so that the replication slot advances while the CRM tables
-- are idle (otherwise the slot pins WAL that other tables keep producing).
CREATE TABLE IF NOT EXISTS public.cdc_heartbeat (
    id      INT PRIMARY KEY,
    beat_at TIMESTAMPTZ NOT NULL
);
