package com.bionicpro.cdc.tools;

import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.source.PostgresConnections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The job's replication slots and publications: list them with how much WAL each slot holds
 * back, or drop them when the job is retired. An active slot (a job still reads it) is never
 * dropped.
 */
final class SlotsCommand {
    private final JobDefinition definition;

    SlotsCommand(JobDefinition definition) {
        this.definition = definition;
    }

    int run(List<String> args) throws SQLException {
        String action = args.isEmpty() ? "list" : args.get(0);
        boolean publications = args.contains("--publications");
        int status = 0;
        System.out.printf("%-12s %-28s %-7s %-14s %-14s %12s %-10s%n", "SOURCE", "SLOT", "ACTIVE", "RESTART_LSN",
                "CONFIRMED_LSN", "HOLDS_WAL", "WAL_STATUS");
        for (SourceDefinition s : definition.sources.values()) {
            try (Connection c = PostgresConnections.asJob(s, "bionicpro-cdc-slots")) {
                status |= slot(c, s, action, publications);
            }
        }
        return status;
    }

    private int slot(Connection c, SourceDefinition s, String action, boolean publications) throws SQLException {
        int status = 0;
        // The job's slot and the temporary ones its snapshot readers name after it.
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT slot_name, active::text, restart_lsn::text, confirmed_flush_lsn::text, "
                        + "pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)), wal_status "
                        + "FROM pg_replication_slots WHERE database = ? AND (slot_name = ? OR slot_name LIKE ?) ORDER BY 1")) {
            ps.setString(1, s.database);
            ps.setString(2, s.slot);
            ps.setString(3, s.slot + "\\_%");
            try (ResultSet rs = ps.executeQuery()) {
                boolean any = false;
                while (rs.next()) {
                    any = true;
                    String slot = rs.getString(1);
                    boolean active = "true".equals(rs.getString(2));
                    System.out.printf("%-12s %-28s %-7s %-14s %-14s %12s %-10s%n", s.id, slot, active ? "yes" : "no",
                            rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
                    if ("drop".equals(action)) {
                        if (active) {
                            System.out.println("  refusing to drop " + slot + ": it is active (a job still reads it); "
                                    + "stop the job first");
                            status = 1;
                        } else {
                            try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                                drop.setString(1, slot);
                                drop.execute();
                            }
                            System.out.println("  dropped " + slot);
                        }
                    }
                }
                if (!any) {
                    System.out.printf("%-12s %-28s (no slot)%n", s.id, s.slot);
                }
            }
        }
        if ("drop".equals(action) && publications && status == 0) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION IF EXISTS \"" + s.publication.replace("\"", "\"\"") + "\"");
                System.out.println("  dropped publication " + s.publication);
            } catch (SQLException e) {
                System.out.println("  cannot drop publication " + s.publication + " (" + e.getMessage().split("\n")[0]
                        + "); have its owner run: DROP PUBLICATION " + s.publication);
                status = 1;
            }
        }
        return status;
    }

}
