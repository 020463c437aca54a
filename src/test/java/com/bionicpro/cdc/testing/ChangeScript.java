package com.bionicpro.cdc.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies a fixture of changes, one SQL statement per line (BEGIN/COMMIT lines group them), and
 * counts the rows each statement changed per table: the number of change events the audit log must
 * hold for them.
 */
public final class ChangeScript {
    private static final Pattern DML = Pattern.compile(
            "^\\s*(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+(?:public\\.)?\"?([a-z_]+)\"?", Pattern.CASE_INSENSITIVE);

    private final List<String> statements;
    private final Map<String, Long> changedRows = new HashMap<>();
    private int next;

    public ChangeScript(Path file) throws Exception {
        statements = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("--")) {
                statements.add(s.endsWith(";") ? s.substring(0, s.length() - 1) : s);
            }
        }
    }

    public int size() {
        return statements.size();
    }

    public boolean hasNext() {
        return next < statements.size();
    }

    /** Runs the next statement (a whole BEGIN ... COMMIT block counts as one). */
    public void runNext(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            boolean inTransaction = false;
            do {
                String s = statements.get(next++);
                if (s.equalsIgnoreCase("BEGIN")) {
                    c.setAutoCommit(false);
                    inTransaction = true;
                } else if (s.equalsIgnoreCase("COMMIT")) {
                    c.commit();
                    c.setAutoCommit(true);
                    inTransaction = false;
                } else {
                    int n = st.executeUpdate(s);
                    Matcher m = DML.matcher(s);
                    if (m.find()) {
                        changedRows.merge(m.group(1).toLowerCase(), (long) n, Long::sum);
                    }
                }
            } while (inTransaction);
        }
    }

    public void runAll(Connection c) throws SQLException {
        while (hasNext()) {
            runNext(c);
        }
    }

    /** Rows changed so far in a table: one audit event each. */
    public long changedRows(String table) {
        return changedRows.getOrDefault(table, 0L);
    }
}
