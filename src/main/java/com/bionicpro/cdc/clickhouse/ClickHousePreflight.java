package com.bionicpro.cdc.clickhouse;

import com.bionicpro.cdc.config.JobDefinition.ClickHouseDefinition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks ClickHouse before the job is built: reachable, credentials accepted, the database and
 * every target table present as a ReplacingMergeTree with the columns and types the job writes.
 */
public final class ClickHousePreflight {
    private final ClickHouseDefinition clickhouse;
    private final List<String> problems;

    public ClickHousePreflight(ClickHouseDefinition clickhouse, List<String> problems) {
        this.clickhouse = clickhouse;
        this.problems = problems;
    }

    private final Map<String, Set<String>> presentColumns = new HashMap<>();

    /** Per checked table, the columns it has. */
    public Map<String, Set<String>> presentColumns() {
        return presentColumns;
    }

    /**
     * Checks the tables and returns, per table, the columns of its sorting and partition keys
     * (the replica mapper writes a deleted row under the old key when an update moves a row).
     * Null when ClickHouse cannot be asked at all.
     */
    public Map<String, Set<String>> run(List<ClickHouseTableSpec> tables) {
        ClickHouseClient client = ClickHouseClient.of(clickhouse);
        String where = "ClickHouse at " + clickhouse.url;
        try {
            client.query("SELECT 1");
        } catch (ClickHouseException e) {
            if (e.isAuthenticationFailure()) {
                problems.add("clickhouse: " + where + " rejected the credentials of user '" + clickhouse.username + "'");
            } else if (e.code() == -1) {
                problems.add("clickhouse: " + where + " is unreachable: " + e.getMessage());
            } else {
                problems.add("clickhouse: " + e.getMessage());
            }
            return null;
        }
        Map<String, Set<String>> keys = new HashMap<>();
        try {
            List<String[]> db = client.rows("SELECT name FROM system.databases WHERE name = "
                    + ClickHouseClient.quote(clickhouse.database));
            if (db.isEmpty()) {
                problems.add("clickhouse: database " + clickhouse.database + " does not exist "
                        + "(db-init/clickhouse/01-reports_db.sql creates it)");
                return keys;
            }
            for (ClickHouseTableSpec spec : tables) {
                keys.put(spec.table, check(client, spec));
            }
        } catch (ClickHouseException e) {
            problems.add("clickhouse: " + e.getMessage());
        }
        return keys;
    }

    private Set<String> check(ClickHouseClient client, ClickHouseTableSpec spec) throws ClickHouseException {
        String qualified = clickhouse.database + "." + spec.table;
        List<String[]> engine = client.rows("SELECT engine FROM system.tables WHERE database = "
                + ClickHouseClient.quote(clickhouse.database) + " AND name = " + ClickHouseClient.quote(spec.table));
        if (engine.isEmpty()) {
            problems.add("clickhouse: table " + qualified + " does not exist (db-init/clickhouse creates it)");
            return Set.of();
        }
        if (!engine.get(0)[0].endsWith("ReplacingMergeTree")) {
            problems.add("clickhouse: table " + qualified + " is a " + engine.get(0)[0]
                    + "; the job needs ReplacingMergeTree(_version) for exactly-once writes");
        }
        Map<String, String> actual = new HashMap<>();
        Set<String> keyColumns = new LinkedHashSet<>();
        for (String[] row : client.rows("SELECT name, type, is_in_sorting_key, is_in_partition_key FROM system.columns "
                + "WHERE database = " + ClickHouseClient.quote(clickhouse.database) + " AND table = "
                + ClickHouseClient.quote(spec.table))) {
            actual.put(row[0], row[1]);
            presentColumns.computeIfAbsent(spec.table, t -> new LinkedHashSet<>()).add(row[0]);
            if ("1".equals(row[2]) || "1".equals(row[3])) {
                keyColumns.add(row[0]);
            }
        }
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < spec.columns.size(); i++) {
            String name = spec.columns.get(i);
            String type = actual.get(name);
            String expected = spec.types.get(i);
            if (type == null && spec.optional.get(i)) {
                continue; // written once the table has it
            } else if (type == null) {
                wrong.add(name + " is missing (expected " + expected + ")");
            } else if (!normalize(type).equals(normalize(expected))) {
                wrong.add(name + " is " + type + ", expected " + expected);
            }
        }
        if (!wrong.isEmpty()) {
            problems.add("clickhouse: table " + qualified + " does not match what the job writes: " + String.join("; ", wrong));
        }
        return keyColumns;
    }

    /** Type names as 18.16 and current ClickHouse print them ("Decimal(10, 2)" vs "Decimal(10,2)"). */
    private static String normalize(String type) {
        return type.replace(" ", "").replace("DateTime('UTC')", "DateTime");
    }
}
