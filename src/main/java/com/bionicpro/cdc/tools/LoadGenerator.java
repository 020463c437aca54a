package com.bionicpro.cdc.tools;

import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.source.PostgresConnections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live BionicPRO traffic for the demo and the fault tests: prostheses sending telemetry (inserts,
 * a few corrections and deletions) and the CRM changing underneath (renames, new patients,
 * model changes, prostheses moving to another patient). Writes as the CRM application would, with
 * APP_PG_USER / APP_PG_PASSWORD.
 *
 * <pre>load [--rate ROWS_PER_S] [--crm-rate CHANGES_PER_S] [--duration SECONDS]</pre>
 */
final class LoadGenerator {
    private final SourceDefinition crm;
    private final SourceDefinition telemetry;
    private final double rate;
    private final double crmRate;
    private final AtomicLong telemetryChanges = new AtomicLong();
    private final AtomicLong crmChanges = new AtomicLong();
    private List<String> prostheses = new ArrayList<>();
    private List<String> users = new ArrayList<>();

    private LoadGenerator(SourceDefinition crm, SourceDefinition telemetry, double rate, double crmRate) {
        this.crm = crm;
        this.telemetry = telemetry;
        this.rate = rate;
        this.crmRate = crmRate;
    }

    static int run(JobDefinition definition, List<String> args) throws Exception {
        double rate = Double.parseDouble(Cli.option(args, "--rate", "50"));
        double crmRate = Double.parseDouble(Cli.option(args, "--crm-rate", "1"));
        long duration = Long.parseLong(Cli.option(args, "--duration", "0"));
        if (definition.marts == null) {
            throw new IllegalArgumentException("the load generator needs the marts' tables in the job definition");
        }
        SourceDefinition crm = definition.sources.get(definition.marts.usersTable.split("\\.")[0]);
        SourceDefinition telemetry = definition.sources.get(definition.marts.telemetryTable.split("\\.")[0]);
        LoadGenerator g = new LoadGenerator(crm, telemetry, rate, crmRate);
        System.out.printf("load: %.0f telemetry rows/s and %.1f CRM changes/s into %s and %s%n", rate, crmRate,
                crm.database, telemetry.database);
        g.loop(duration <= 0 ? Long.MAX_VALUE : System.currentTimeMillis() + duration * 1000);
        System.out.printf("load: done, %d telemetry changes, %d CRM changes%n", g.telemetryChanges.get(), g.crmChanges.get());
        return 0;
    }

    private void loop(long until) throws Exception {
        try (Connection c = PostgresConnections.asApplication(crm, "bionicpro-load");
                Connection t = PostgresConnections.asApplication(telemetry, "bionicpro-load")) {
            refreshIds(c);
            long tick = 0;
            double telemetryDebt = 0;
            double crmDebt = 0;
            while (System.currentTimeMillis() < until) {
                long start = System.nanoTime();
                telemetryDebt += rate / 10;
                crmDebt += crmRate / 10;
                int rows = (int) telemetryDebt;
                telemetryDebt -= rows;
                if (rows > 0 && !prostheses.isEmpty()) {
                    writeTelemetry(t, rows);
                }
                while (crmDebt >= 1) {
                    crmDebt -= 1;
                    crmChange(c, t);
                }
                if (++tick % 300 == 0) {
                    refreshIds(c);
                }
                long sleep = 100 - (System.nanoTime() - start) / 1_000_000;
                if (sleep > 0) {
                    Thread.sleep(sleep); // pacing the load, not synchronising anything
                }
            }
        }
    }

    private void writeTelemetry(Connection t, int rows) throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        t.setAutoCommit(false);
        try (PreparedStatement ps = t.prepareStatement("INSERT INTO public.telemetry_data (id, prosthesis_id, \"timestamp\", "
                + "sensor_data, actuator_commands, battery_level) VALUES (?, ?::uuid, ?, ?::jsonb, ?::jsonb, ?)")) {
            for (int i = 0; i < rows; i++) {
                ps.setObject(1, UUID.randomUUID());
                ps.setString(2, prostheses.get(r.nextInt(prostheses.size())));
                ps.setTimestamp(3, Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC)));
                ps.setString(4, String.format("{\"sensor1\": %.2f, \"sensor2\": %.3f, \"sensor3\": %b}",
                        r.nextDouble(100), r.nextDouble(10), r.nextBoolean()));
                ps.setString(5, r.nextInt(4) == 0 ? null
                        : "{\"command\": \"" + (r.nextBoolean() ? "grasp" : "release") + "\", \"intensity\": " + (1 + r.nextInt(10)) + "}");
                if (r.nextInt(50) == 0) {
                    ps.setNull(6, java.sql.Types.DOUBLE);
                } else {
                    ps.setDouble(6, Math.round(r.nextDouble(15, 100) * 10) / 10.0);
                }
                ps.addBatch();
            }
            ps.executeBatch();
            t.commit();
            telemetryChanges.addAndGet(rows);
        } finally {
            t.setAutoCommit(true);
        }
    }

    private void crmChange(Connection c, Connection t) throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String user = users.get(r.nextInt(users.size()));
        String prosthesis = prostheses.get(r.nextInt(prostheses.size()));
        String now = "'" + LocalDateTime.now(ZoneOffset.UTC) + "'";
        try (Statement st = c.createStatement(); Statement ts = t.createStatement()) {
            switch (r.nextInt(6)) {
                case 0:
                    st.executeUpdate("UPDATE public.users SET name = name || '.', updated_at = " + now + " WHERE id = '" + user + "'");
                    break;
                case 1:
                    st.executeUpdate("UPDATE public.prostheses SET model = (ARRAY['BionicPRO-2023','BionicPRO-2024','BionicPRO-2025'])"
                            + "[1 + floor(random() * 3)::int], updated_at = " + now + " WHERE id = '" + prosthesis + "'");
                    break;
                case 2:
                    st.executeUpdate("UPDATE public.prostheses SET user_id = '" + user + "', updated_at = " + now
                            + " WHERE id = '" + prosthesis + "'");
                    break;
                case 3: {
                    String id = UUID.randomUUID().toString();
                    c.setAutoCommit(false);
                    st.executeUpdate("INSERT INTO public.users (id, email, name) VALUES ('" + id + "', 'new-" + id
                            + "@bionicpro.example', 'New Patient')");
                    st.executeUpdate("INSERT INTO public.prostheses (id, user_id, model, manufacture_date) VALUES ('"
                            + UUID.randomUUID() + "', '" + id + "', 'BionicPRO-2025', current_date)");
                    c.commit();
                    c.setAutoCommit(true);
                    break;
                }
                case 4:
                    ts.executeUpdate("DELETE FROM public.telemetry_data WHERE id = (SELECT id FROM public.telemetry_data "
                            + "WHERE prosthesis_id = '" + prosthesis + "' ORDER BY \"timestamp\" DESC LIMIT 1)");
                    telemetryChanges.incrementAndGet();
                    break;
                default:
                    ts.executeUpdate("UPDATE public.telemetry_data SET battery_level = round((random() * 100)::numeric, 1) "
                            + "WHERE id = (SELECT id FROM public.telemetry_data WHERE prosthesis_id = '" + prosthesis
                            + "' ORDER BY \"timestamp\" DESC LIMIT 1)");
                    telemetryChanges.incrementAndGet();
            }
        }
        crmChanges.incrementAndGet();
    }

    private void refreshIds(Connection c) throws SQLException {
        List<String> p = new ArrayList<>();
        List<String> u = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id::text FROM public.prostheses")) {
                while (rs.next()) {
                    p.add(rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT id::text FROM public.users")) {
                while (rs.next()) {
                    u.add(rs.getString(1));
                }
            }
        }
        if (p.isEmpty() || u.isEmpty()) {
            throw new IllegalStateException("no users or prostheses in " + crm.database + " to generate load for");
        }
        prostheses = p;
        users = u;
    }
}
