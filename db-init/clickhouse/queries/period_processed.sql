-- The reports service (and Airflow): is a period already processed for a user, i.e. does the
-- mart hold a report row for every day of it on which the user's prostheses sent telemetry?
-- With the stream there is no batch to wait for: a day is processed once its rows are there.
-- Parameters (substituted by the caller, quoted): {user_id}, {date_from}, {date_to}.
SELECT count() > 0 AS processed,
       uniqExact(report_date) AS days_with_reports,
       min(report_date) AS first_day,
       max(report_date) AS last_day,
       max(last_activity) AS data_until
FROM reports_db.combined_data_view
WHERE user_id = {user_id} AND report_date BETWEEN {date_from} AND {date_to}
