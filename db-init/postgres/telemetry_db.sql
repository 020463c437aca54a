-- Telemetry schema (database telemetry_db). Loaded by 00-init.sh, by bin/stack and by the tests.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE IF NOT EXISTS public.telemetry_data (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    prosthesis_id     UUID NOT NULL,
    "timestamp"       TIMESTAMP NOT NULL,
    sensor_data       JSONB,
    actuator_commands JSONB,
    battery_level     FLOAT,
    created_at        TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS telemetry_data_prosthesis_ts_idx ON public.telemetry_data (prosthesis_id, "timestamp");

-- Deletes and updates must carry the old row: the job retracts it from the daily report.
ALTER TABLE public.telemetry_data REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS public.cdc_heartbeat (
    id      INT PRIMARY KEY,
    beat_at TIMESTAMPTZ NOT NULL
);
