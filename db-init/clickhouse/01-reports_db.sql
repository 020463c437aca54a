-- ClickHouse schema of the reports database, written for ClickHouse 18.16 (local stack) and
-- current ClickHouse (production) alike. Compatibility choices, each forced by 18.16:
--   * Deletes are rows with _deleted = 1 (ReplacingMergeTree's is_deleted argument does not exist
--     in 18.16); the *_view views read FINAL and hide them.
--   * Timestamps are DateTime (seconds, UTC): 18.16 has no DateTime64. PostgreSQL's microseconds
--     are truncated; the verifier compares at that precision.
--   * UUIDs are String (joins and reports use them as text; the UUID type adds nothing here).
--   * No TTL, no LowCardinality, no IF NOT EXISTS on ADD COLUMN, no CTEs in views.
-- _version grows with the change's position in the WAL (replicas) or with every rewrite of the row
-- by the job (marts); the highest version of a key wins.

CREATE DATABASE IF NOT EXISTS reports_db;

-- Replicas of the captured PostgreSQL tables ------------------------------------------------

CREATE TABLE IF NOT EXISTS reports_db.users_target
(
    id         String,
    email      String,
    name       String,
    created_at Nullable(DateTime),
    updated_at Nullable(DateTime),
    _version   UInt64,
    _deleted   UInt8
) ENGINE = ReplacingMergeTree(_version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS reports_db.prostheses_target
(
    id               String,
    user_id          String,
    model            String,
    manufacture_date Date,
    created_at       Nullable(DateTime),
    updated_at       Nullable(DateTime),
    _version         UInt64,
    _deleted         UInt8
) ENGINE = ReplacingMergeTree(_version)
ORDER BY id;

-- Raw telemetry for exports. Sorted and partitioned by columns an update may change: the job then
-- writes a deleted row under the old key as well (see README, "ClickHouse tables").
CREATE TABLE IF NOT EXISTS reports_db.telemetry_data_target
(
    id                String,
    prosthesis_id     String,
    timestamp         DateTime,
    sensor_data       Nullable(String),
    actuator_commands Nullable(String),
    battery_level     Nullable(Float64),
    created_at        Nullable(DateTime),
    _version          UInt64,
    _deleted          UInt8
) ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (prosthesis_id, timestamp, id);

-- Marts maintained by the job ------------------------------------------------------------------

-- users JOIN prostheses: one row per prosthesis under its current owner.
CREATE TABLE IF NOT EXISTS reports_db.crm_data_mart
(
    user_id               String,
    user_email            String,
    user_name             String,
    prosthesis_id         String,
    prosthesis_model      String,
    manufacture_date      Date,
    prosthesis_created_at Nullable(DateTime),
    prosthesis_updated_at Nullable(DateTime),
    user_created_at       Nullable(DateTime),
    user_updated_at       Nullable(DateTime),
    _version              UInt64,
    _deleted              UInt8
) ENGINE = ReplacingMergeTree(_version)
ORDER BY (user_id, prosthesis_id);

-- One row per user x prosthesis x UTC day of telemetry (report definition: README, "Reports").
CREATE TABLE IF NOT EXISTS reports_db.prosthesis_reports_mart
(
    user_id             String,
    user_email          String,
    user_name           String,
    prosthesis_id       String,
    prosthesis_model    String,
    manufacture_date    Date,
    report_date         Date,
    usage_count         UInt32,
    total_usage_minutes UInt32,
    avg_battery_level   Nullable(Float32),
    commands_executed   UInt32,
    last_activity       DateTime,
    data_period_start   DateTime,
    data_period_end     DateTime,
    created_at          DateTime DEFAULT now(),
    _version            UInt64,
    _deleted            UInt8
) ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(report_date)
ORDER BY (user_id, prosthesis_id, report_date);
