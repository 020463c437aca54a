-- Demo CRM data (bin/demo): 1,000 users and 1,500 prostheses, loaded once into an empty crm_db.
INSERT INTO public.users (id, email, name, created_at, updated_at)
SELECT md5('demo-user' || i)::uuid,
       'patient' || i || '@bionicpro.example',
       (ARRAY['Anna','Boris','Chen','Dora','Emil','Fatima','Goran','Hana','Ivan','Julia'])[1 + i % 10] || ' ' ||
       (ARRAY['Novák','Müller','Ivanova','O''Brien','Schmidt','Kowalski','Rossi','Svensson','García','Wang'])[1 + (i / 10) % 10],
       timestamp '2023-01-01' + (i * interval '7 hours 13 minutes'),
       timestamp '2024-01-01' + (i * interval '3 hours')
FROM generate_series(1, 1000) AS i
WHERE NOT EXISTS (SELECT 1 FROM public.users);

INSERT INTO public.prostheses (id, user_id, model, manufacture_date, created_at, updated_at)
SELECT md5('demo-prosthesis' || i)::uuid,
       md5('demo-user' || (1 + i % 1000))::uuid,
       (ARRAY['BionicPRO-2023', 'BionicPRO-2024'])[1 + i % 2],
       date '2022-06-01' + (i % 700),
       timestamp '2023-02-01' + (i * interval '5 hours'),
       NULL
FROM generate_series(1, 1500) AS i
WHERE NOT EXISTS (SELECT 1 FROM public.prostheses);
