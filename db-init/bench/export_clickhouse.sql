-- The new path's report export: the same report read from the mart in ClickHouse.
SELECT user_id, prosthesis_id, report_date, usage_count, total_usage_minutes, avg_battery_level, last_activity
FROM bench_reports.combined_data_view
WHERE report_date >= today() - 30
FORMAT Null
