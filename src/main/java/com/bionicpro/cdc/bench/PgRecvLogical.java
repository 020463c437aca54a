package com.bionicpro.cdc.bench;

import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * pg_recvlogical with pgoutput on a slot of its own, writing to /dev/null: PostgreSQL's logical
 * decoding of a database's publication and nothing else, the floor of any logical-decoding CDC.
 */
final class PgRecvLogical {
    private PgRecvLogical() {}

    static void createSlot(BenchContext ctx, SourceDefinition db, String slot) throws SQLException {
        try (Connection c = ctx.app(db); Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }
    }

    /** Drops the slot once its walsender has let go of it (it exits shortly after pg_recvlogical). */
    static void dropSlot(BenchContext ctx, SourceDefinition db, String slot) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Connection c = ctx.app(db); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replication slot " + slot + " is still in use 10 s after its reader stopped");
                }
                Thread.sleep(50); // polling for the walsender to exit
            }
            st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    /** Streams the slot until endLsn, or until the process is stopped when endLsn is null. */
    static ProcessBuilder command(SourceDefinition db, String slot, String endLsn) {
        List<String> args = new ArrayList<>(List.of("-d", db.database, "--slot", slot, "--start", "-o", "proto_version=1",
                "-o", "publication_names=" + db.publication, "--no-loop", "-f", "/dev/null"));
        if (endLsn != null) {
            args.addAll(List.of("--endpos", endLsn));
        }
        return BenchContext.pgTool(List.of(), "pg_recvlogical", db, args);
    }
}
