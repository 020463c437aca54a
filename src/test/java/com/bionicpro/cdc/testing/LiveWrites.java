package com.bionicpro.cdc.testing;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Changes that keep arriving while a test stops, upgrades or breaks the job: telemetry rows for
 * today (inserted, corrected, deleted) and CRM updates (renames, owner changes), paced at about
 * 50 statements per second on a thread of its own.
 */
public final class LiveWrites implements AutoCloseable {
    private final TestEnvironment env;
    private final Thread thread;
    private final AtomicLong statements = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean running = true;

    public LiveWrites(TestEnvironment env) {
        this.env = env;
        this.thread = new Thread(this::run, "live-writes");
        thread.start();
    }

    private void run() {
        long i = 0;
        while (running) {
            try (Connection crm = env.crm(); Connection telemetry = env.telemetry();
                    Statement c = crm.createStatement(); Statement t = telemetry.createStatement()) {
                while (running) {
                    i++;
                    t.executeUpdate("INSERT INTO public.telemetry_data (prosthesis_id, \"timestamp\", actuator_commands, battery_level) "
                            + "VALUES (md5('prosthesis' || " + (1 + i % 120) + ")::uuid, now() AT TIME ZONE 'UTC', "
                            + "'{\"command\": \"grasp\"}', " + (i % 100) + ")");
                    if (i % 10 == 0) {
                        t.executeUpdate("UPDATE public.telemetry_data SET battery_level = 99 WHERE id = md5('telemetry' || " + i + ")::uuid");
                        c.executeUpdate("UPDATE public.users SET name = 'Live ' || " + i + " WHERE id = md5('user' || " + (1 + i % 300)
                                + ")::uuid");
                    }
                    if (i % 25 == 0) {
                        t.executeUpdate("DELETE FROM public.telemetry_data WHERE id = md5('telemetry' || " + (i + 1) + ")::uuid");
                        c.executeUpdate("UPDATE public.prostheses SET user_id = md5('user' || " + (1 + i % 300) + ")::uuid "
                                + "WHERE id = md5('prosthesis' || " + (1 + i % 450) + ")::uuid");
                    }
                    statements.incrementAndGet();
                    Thread.sleep(20); // pacing of the writer, not synchronisation
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // PostgreSQL restarting under a fault test: reconnect and go on.
                failure.set(e);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    public long statements() {
        return statements.get();
    }

    /** Stops writing and waits for the writer to finish its statement. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
