-- Benchmark CRM data: 1,000 users, 1,500 prostheses.
INSERT INTO public.users (id, email, name, created_at, updated_at)
SELECT md5('bench-user' || i)::uuid, 'bench' || i || '@bionicpro.example', 'Bench User ' || i,
       timestamp '2023-01-01' + i * interval '1 hour', NULL
FROM generate_series(1, 1000) AS i;
INSERT INTO public.prostheses (id, user_id, model, manufacture_date, created_at, updated_at)
SELECT md5('bench-prosthesis' || i)::uuid, md5('bench-user' || (1 + i % 1000))::uuid,
       (ARRAY['BionicPRO-2023', 'BionicPRO-2024'])[1 + i % 2], date '2022-06-01' + (i % 700),
       timestamp '2023-02-01' + i * interval '5 hours', NULL
FROM generate_series(1, 1500) AS i;
