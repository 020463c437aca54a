-- The old path's report export (what the daily DAG ran on the transactional database): every
-- patient's daily usage for the last 30 days, aggregated from telemetry.
SELECT prosthesis_id, ("timestamp")::date AS report_date, count(*) AS usage_count, count(*) * 5 AS minutes,
       round(avg(battery_level)::numeric, 2) AS avg_battery, max("timestamp") AS last_activity
FROM public.telemetry_data
WHERE "timestamp" >= (now() AT TIME ZONE 'UTC') - interval '30 days'
GROUP BY 1, 2;
