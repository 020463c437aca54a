-- Benchmark telemetry: 1,000,000 rows over the last 30 UTC days for the 1,500 prostheses.
INSERT INTO public.telemetry_data (id, prosthesis_id, "timestamp", sensor_data, actuator_commands, battery_level, created_at)
SELECT md5('bench-telemetry' || i)::uuid, md5('bench-prosthesis' || (1 + i % 1500))::uuid,
       (now() AT TIME ZONE 'UTC') - ((i::bigint * 2591) % 2592000) * interval '1 second',
       jsonb_build_object('sensor1', i % 100, 'sensor2', (i % 1000) / 100.0, 'sensor3', i % 3 = 0),
       CASE WHEN i % 4 = 0 THEN NULL ELSE jsonb_build_object('command', (ARRAY['grasp', 'release'])[1 + i % 2], 'intensity', 1 + i % 10) END,
       CASE WHEN i % 50 = 0 THEN NULL ELSE 15 + (i % 850) / 10.0 END,
       now() AT TIME ZONE 'UTC'
FROM generate_series(1, 1000000) AS i;
ANALYZE public.telemetry_data;
