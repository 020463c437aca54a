package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.PgType;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinition.TableDefinition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks one PostgreSQL source before the job is built and reads the captured tables' schemas:
 * reachability, credentials, wal_level, replication privilege, each table (exists, readable,
 * primary key, REPLICA IDENTITY FULL, supported column types), the publication (created or
 * extended when the role may), the heartbeat table and the slot.
 */
public final class PostgresPreflight {
    private final SourceDefinition source;
    private final List<String> problems;
    private final boolean readOnly;

    public PostgresPreflight(SourceDefinition source, List<String> problems) {
        this(source, problems, false);
    }

    /** With readOnly, only reads: no publication is created or extended (for the verifier). */
    public PostgresPreflight(SourceDefinition source, List<String> problems, boolean readOnly) {
        this.source = source;
        this.problems = problems;
        this.readOnly = readOnly;
    }

    private long currentLsn;

    /** PostgreSQL's WAL position when the checks ran (0 if it could not be read). */
    public long currentLsn() {
        return currentLsn;
    }

    /** The schemas of the captured tables (replica key columns still unset), or empty on problems. */
    public List<TableSchema> run() {
        List<TableSchema> tables = new ArrayList<>();
        try (Connection c = connect()) {
            if (c == null) {
                return tables;
            }
            checkServer(c);
            String lsn = single(c, "SELECT (pg_current_wal_lsn() - '0/0')::bigint::text");
            currentLsn = lsn == null ? 0 : Long.parseLong(lsn);
            for (TableDefinition t : source.tables) {
                TableSchema schema = table(c, t);
                if (schema != null) {
                    tables.add(schema);
                }
            }
            if (source.heartbeatTable != null) {
                checkHeartbeatTable(c);
            }
            if (!readOnly && tables.size() == source.tables.size()) {
                checkPublication(c);
            }
            if (!readOnly) {
                checkSlot(c);
            }
        } catch (SQLException e) {
            problem("PostgreSQL failed during the checks: " + e.getMessage());
        }
        return tables;
    }

    private void problem(String message) {
        problems.add("sources." + source.id + ": " + message);
    }

    private Connection connect() {
        try {
            return PostgresConnections.asJob(source, "bionicpro-cdc-preflight");
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String where = "PostgreSQL at " + source.host + ":" + source.port;
            if (state.equals("28P01") || state.equals("28000")) {
                problem(where + " rejected the credentials of user '" + source.username + "' (" + state + ")");
            } else if (state.equals("3D000")) {
                problem("database '" + source.database + "' does not exist on " + where);
            } else if (state.startsWith("08")) {
                problem(where + " is unreachable: " + e.getMessage());
            } else {
                problem("cannot connect to " + where + ": " + e.getMessage());
            }
            return null;
        }
    }

    private void checkServer(Connection c) throws SQLException {
        String walLevel = single(c, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            problem("wal_level is '" + walLevel + "' but logical decoding needs 'logical' "
                    + "(set wal_level = logical in postgresql.conf and restart PostgreSQL)");
        }
        String canReplicate = single(c,
                "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user");
        if (!"true".equals(canReplicate)) {
            problem("user '" + source.username + "' lacks the REPLICATION attribute (ALTER ROLE "
                    + source.username + " REPLICATION)");
        }
    }

    private TableSchema table(Connection c, TableDefinition t) throws SQLException {
        String name = t.qualifiedName();
        String info;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT c.relreplident::text, has_table_privilege(c.oid, 'SELECT')::text "
                        + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')")) {
            ps.setString(1, t.schema);
            ps.setString(2, t.table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    problem("table " + name + " does not exist in database " + source.database);
                    return null;
                }
                info = rs.getString(1) + "," + rs.getString(2);
            }
        }
        boolean ok = true;
        if (!info.endsWith("true")) {
            problem("user '" + source.username + "' may not read " + name + " (GRANT SELECT ON " + name + " TO "
                    + source.username + ")");
            ok = false;
        }
        if (!info.startsWith("f")) {
            problem("table " + name + " has REPLICA IDENTITY " + identityName(info.charAt(0))
                    + "; the job needs FULL so that updates and deletes carry the old row "
                    + "(ALTER TABLE " + name + " REPLICA IDENTITY FULL)");
            ok = false;
        }
        List<ColumnSchema> columns = new ArrayList<>();
        List<int[]> keyParts = new ArrayList<>(); // {position in the key, position in the table}
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                        + "  CASE WHEN t.typname = 'numeric' AND a.atttypmod > 0 THEN ((a.atttypmod - 4) >> 16) ELSE 0 END, "
                        + "  CASE WHEN t.typname = 'numeric' AND a.atttypmod > 0 THEN ((a.atttypmod - 4) & 65535) ELSE 0 END, "
                        + "  (SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_index i "
                        + "     WHERE i.indrelid = a.attrelid AND i.indisprimary) "
                        + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                        + "WHERE a.attrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass "
                        + "  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, t.schema);
            ps.setString(2, t.table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(1);
                    PgType type = PgType.of(rs.getString(2));
                    if (type == null) {
                        problem("column " + name + "." + column + " has type " + rs.getString(3)
                                + ", which the job does not support (supported: uuid, text, varchar, char, "
                                + "smallint, integer, bigint, real, double precision, numeric, boolean, date, "
                                + "timestamp, timestamptz, json, jsonb)");
                        ok = false;
                        continue;
                    }
                    int keyIndex = rs.getInt(7);
                    if (!rs.wasNull()) {
                        keyParts.add(new int[] {keyIndex, columns.size()});
                    }
                    columns.add(new ColumnSchema(column, type, rs.getString(3), !rs.getBoolean(4), rs.getInt(5), rs.getInt(6)));
                }
            }
        }
        if (keyParts.isEmpty()) {
            problem("table " + name + " has no primary key; the audit log, the replica and exactly-once "
                    + "delivery need one (ALTER TABLE " + name + " ADD PRIMARY KEY (...))");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        keyParts.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] pk = keyParts.stream().mapToInt(k -> k[1]).toArray();
        return new TableSchema(source.id, source.database, t.schema, t.table, columns, pk, t.replica, new int[0]);
    }

    private static String identityName(char code) {
        switch (code) {
            case 'd':
                return "DEFAULT";
            case 'n':
                return "NOTHING";
            case 'i':
                return "USING INDEX";
            default:
                return String.valueOf(code);
        }
    }

    private void checkHeartbeatTable(Connection c) throws SQLException {
        String[] parts = source.heartbeatTable.split("\\.");
        String ok = single(c, "SELECT CASE WHEN to_regclass('" + source.heartbeatTable.replace("'", "''") + "') IS NULL "
                + "THEN 'missing' WHEN has_table_privilege(to_regclass('" + source.heartbeatTable.replace("'", "''")
                + "'), 'INSERT, UPDATE') THEN 'ok' ELSE 'denied' END");
        if ("missing".equals(ok)) {
            problem("heartbeat table " + source.heartbeatTable + " does not exist (db-init/postgres creates it; "
                    + "or set heartbeatTable: none)");
        } else if ("denied".equals(ok)) {
            problem("user '" + source.username + "' may not write the heartbeat table " + source.heartbeatTable
                    + " (GRANT INSERT, UPDATE ON " + String.join(".", parts) + " TO " + source.username + ")");
        }
    }

    /** Every table the publication must contain: the captured ones and the heartbeat table. */
    private Set<String> publishedTables() {
        Set<String> wanted = new LinkedHashSet<>();
        source.tables.forEach(t -> wanted.add(t.qualifiedName()));
        if (source.heartbeatTable != null) {
            wanted.add(source.heartbeatTable);
        }
        return wanted;
    }

    private void checkPublication(Connection c) throws SQLException {
        Set<String> wanted = publishedTables();
        String exists = single(c, "SELECT (pubinsert AND pubupdate AND pubdelete)::text FROM pg_publication WHERE pubname = '"
                + source.publication.replace("'", "''") + "'");
        String tableList = wanted.stream().map(PostgresPreflight::quoteQualified).collect(Collectors.joining(", "));
        if (exists == null) {
            String ddl = "CREATE PUBLICATION " + quoteIdent(source.publication) + " FOR TABLE " + tableList;
            try (Statement st = c.createStatement()) {
                st.execute(ddl);
            } catch (SQLException e) {
                problem("publication '" + source.publication + "' does not exist and user '" + source.username
                        + "' cannot create it (" + e.getMessage().split("\n")[0] + "); have the tables' owner run: " + ddl);
            }
            return;
        }
        if (!"true".equals(exists)) {
            problem("publication '" + source.publication + "' does not publish inserts, updates and deletes "
                    + "(ALTER PUBLICATION " + source.publication + " SET (publish = 'insert, update, delete'))");
        }
        Set<String> present = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, source.publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        }
        wanted.removeAll(present);
        if (!wanted.isEmpty()) {
            String ddl = "ALTER PUBLICATION " + quoteIdent(source.publication) + " ADD TABLE "
                    + wanted.stream().map(PostgresPreflight::quoteQualified).collect(Collectors.joining(", "));
            try (Statement st = c.createStatement()) {
                st.execute(ddl);
            } catch (SQLException e) {
                problem("publication '" + source.publication + "' lacks " + wanted + " and user '" + source.username
                        + "' cannot add them (" + e.getMessage().split("\n")[0] + "); have the tables' owner run: " + ddl);
            }
        }
    }

    private void checkSlot(Connection c) throws SQLException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT plugin, database, active::text, active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, source.slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return; // the source creates it
                    }
                    if (!"pgoutput".equals(rs.getString(1)) || !source.database.equals(rs.getString(2))) {
                        problem("replication slot '" + source.slot + "' exists for plugin " + rs.getString(1)
                                + " on database " + rs.getString(2) + "; the job needs one for pgoutput on "
                                + source.database + " (choose another slot name or drop it with bin/slots drop)");
                        return;
                    }
                    if (!"true".equals(rs.getString(3))) {
                        return;
                    }
                    if (System.currentTimeMillis() > deadline) {
                        problem("replication slot '" + source.slot + "' is in use by another connection (pid "
                                + rs.getInt(4) + "); is another job running on it?");
                        return;
                    }
                }
            }
            try {
                Thread.sleep(500); // a job that was just stopped releases the slot within moments
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String quoteIdent(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static String quoteQualified(String schemaTable) {
        String[] p = schemaTable.split("\\.", 2);
        return quoteIdent(p[0]) + "." + quoteIdent(p[1]);
    }
}
