package com.bionicpro.cdc.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** What PostgreSQL says of a replication slot (pg_replication_slots). */
public final class ReplicationSlots {
    private ReplicationSlots() {}

    /** The slot's confirmed_flush_lsn as a number; 0 while it has none or does not exist. */
    public static long confirmed(Connection c, String slot) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce((confirmed_flush_lsn - '0/0')::bigint, 0) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    public static boolean active(Connection c, String slot) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
