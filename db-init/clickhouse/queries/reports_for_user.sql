-- The reports service: one user's daily reports for a date range, newest first.
-- Parameters (substituted by the caller, quoted): {user_id}, {date_from}, {date_to}.
SELECT user_id, user_email, user_name, prosthesis_id, prosthesis_model, manufacture_date, report_date,
       usage_count, total_usage_minutes, avg_battery_level, commands_executed,
       last_activity, data_period_start, data_period_end
FROM reports_db.combined_data_view
WHERE user_id = {user_id} AND report_date BETWEEN {date_from} AND {date_to}
ORDER BY report_date DESC, prosthesis_id
