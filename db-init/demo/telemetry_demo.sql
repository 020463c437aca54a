-- Demo telemetry (bin/demo): 100,000 rows over the last 30 UTC days for the 1,500 demo
-- prostheses, loaded once into an empty telemetry_db.
INSERT INTO public.telemetry_data (id, prosthesis_id, "timestamp", sensor_data, actuator_commands, battery_level, created_at)
SELECT md5('demo-telemetry' || i)::uuid,
       md5('demo-prosthesis' || (1 + i % 1500))::uuid,
       (now() AT TIME ZONE 'UTC') - ((i * 25.92)::bigint % 2592000) * interval '1 second',
       jsonb_build_object('sensor1', round((random() * 100)::numeric, 2), 'sensor2', round((random() * 10)::numeric, 3),
                          'sensor3', i % 3 = 0),
       CASE WHEN i % 4 = 0 THEN NULL
            ELSE jsonb_build_object('command', (ARRAY['grasp', 'release'])[1 + i % 2], 'intensity', 1 + i % 10) END,
       CASE WHEN i % 50 = 0 THEN NULL ELSE round((15 + random() * 85)::numeric, 1) END,
       now() AT TIME ZONE 'UTC'
FROM generate_series(1, 100000) AS i
WHERE NOT EXISTS (SELECT 1 FROM public.telemetry_data);
