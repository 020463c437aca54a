-- Read side: what the reports service, Airflow and people query. Each view shows the current
-- state: the newest version of every key (FINAL) without deleted rows. ClickHouse 18.16 and current
-- ClickHouse both accept FINAL inside a view.

CREATE VIEW IF NOT EXISTS reports_db.users_view AS
SELECT id, email, name, created_at, updated_at
FROM reports_db.users_target FINAL
WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS reports_db.prostheses_view AS
SELECT id, user_id, model, manufacture_date, created_at, updated_at
FROM reports_db.prostheses_target FINAL
WHERE _deleted = 0;

CREATE VIEW IF NOT EXISTS reports_db.telemetry_data_view AS
SELECT id, prosthesis_id, timestamp, sensor_data, actuator_commands, battery_level, created_at
FROM reports_db.telemetry_data_target FINAL
WHERE _deleted = 0;

-- The original design's crm_data_view: the CRM join, for Airflow and exports.
CREATE VIEW IF NOT EXISTS reports_db.crm_data_view AS
SELECT user_id, user_email, user_name, prosthesis_id, prosthesis_model, manufacture_date,
       prosthesis_created_at, prosthesis_updated_at, user_created_at, user_updated_at
FROM reports_db.crm_data_mart FINAL
WHERE _deleted = 0;

-- The original design's combined_data_view: the daily reports with user and prosthesis attributes.
CREATE VIEW IF NOT EXISTS reports_db.combined_data_view AS
SELECT user_id, user_email, user_name, prosthesis_id, prosthesis_model, manufacture_date, report_date,
       usage_count, total_usage_minutes, avg_battery_level, commands_executed, last_activity,
       data_period_start, data_period_end
FROM reports_db.prosthesis_reports_mart FINAL
WHERE _deleted = 0;
