package com.bionicpro.cdc.config;

import com.bionicpro.cdc.config.JobDefinition.ClickHouseDefinition;
import com.bionicpro.cdc.config.JobDefinition.KafkaDefinition;
import com.bionicpro.cdc.config.JobDefinition.MartsDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinition.TableDefinition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a job definition (YAML) into a {@link JobDefinition}, collecting every problem instead of
 * stopping at the first: unknown keys (with the closest known one), missing or malformed values,
 * unresolvable references, literal secrets. References: {@code ${env:NAME}}, {@code
 * ${env:NAME:-default}} and {@code ${file:/path}} anywhere in a value; secrets must be one.
 */
public final class JobDefinitionParser {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}:]+)(?::-([^}]*))?}");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    private JobDefinitionParser(Map<String, String> env) {
        this.env = env;
    }

    public static JobDefinition parse(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new JobDefinitionException(List.of("job definition " + file + " does not exist"));
        } catch (IOException e) {
            throw new JobDefinitionException(List.of("cannot read job definition " + file + ": " + e.getMessage()));
        }
        return parse(text, env);
    }

    public static JobDefinition parse(String yaml, Map<String, String> env) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new JobDefinitionException(List.of("the job definition is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        }
        JobDefinitionParser parser = new JobDefinitionParser(env);
        if (!(root instanceof ObjectNode)) {
            throw new JobDefinitionException(List.of("the job definition must be a YAML mapping"));
        }
        JobDefinition definition = parser.job(new Section(parser, "", (ObjectNode) root));
        if (!parser.problems.isEmpty()) {
            throw new JobDefinitionException(parser.problems);
        }
        return definition;
    }

    private JobDefinition job(Section root) {
        String name = root.string("name", "bionicpro-cdc");
        int parallelism = root.integer("parallelism", 2, 1, 1024);
        Duration checkpointInterval = root.duration("checkpointInterval", Duration.ofSeconds(1));
        Map<String, SourceDefinition> sources = new LinkedHashMap<>();
        Section sourcesSection = root.section("sources", true);
        if (sourcesSection != null) {
            for (Map.Entry<String, Section> e : sourcesSection.sections().entrySet()) {
                if (!IDENTIFIER.matcher(e.getKey()).matches()) {
                    problem(e.getValue().path, "a source id must be a lower-case identifier");
                }
                sources.put(e.getKey(), source(e.getKey(), e.getValue()));
            }
            if (sources.isEmpty()) {
                problem("sources", "at least one source is required");
            }
        }
        KafkaDefinition kafka = kafka(root.section("kafka", true));
        ClickHouseDefinition clickhouse = clickhouse(root.section("clickhouse", true));
        Section martsSection = root.section("marts", false);
        MartsDefinition marts = martsSection == null ? null : marts(martsSection, sources);
        root.finish();
        checkUnique(sources, s -> s.slot, "slot");
        // Publications are per database.
        checkUnique(sources, s -> s.host + ":" + s.port + "/" + s.database + "/" + s.publication, s -> s.publication, "publication");
        checkCapturedOnce(sources);
        return new JobDefinition(name, parallelism, checkpointInterval, sources, kafka, clickhouse, marts);
    }

    private void checkUnique(Map<String, SourceDefinition> sources, Function<SourceDefinition, String> key, String what) {
        checkUnique(sources, key, key, what);
    }

    /** key: what must differ between sources; shown: how the problem names it. */
    private void checkUnique(Map<String, SourceDefinition> sources, Function<SourceDefinition, String> key,
            Function<SourceDefinition, String> shown, String what) {
        Set<String> seen = new LinkedHashSet<>();
        for (SourceDefinition s : sources.values()) {
            if (key.apply(s) != null && !seen.add(key.apply(s))) {
                problem("sources." + s.id + "." + what, "'" + shown.apply(s) + "' is used by another source too");
            }
        }
    }

    /**
     * Sources may share a database and an audit topic prefix (a table added later gets its own
     * source and slot), but each table is captured by one source and each topic has one writer.
     */
    private void checkCapturedOnce(Map<String, SourceDefinition> sources) {
        Set<String> tables = new LinkedHashSet<>();
        Set<String> topics = new LinkedHashSet<>();
        for (SourceDefinition s : sources.values()) {
            for (TableDefinition t : s.tables) {
                String path = "sources." + s.id + ".tables." + t.qualifiedName();
                if (!tables.add(s.host + ":" + s.port + "/" + s.database + "/" + t.qualifiedName())) {
                    problem(path, "is captured by another source too");
                } else if (!topics.add(s.auditTopicPrefix + "." + t.qualifiedName())) {
                    problem(path, "its audit topic '" + s.auditTopicPrefix + "." + t.qualifiedName()
                            + "' is written by another source too");
                }
            }
        }
    }

    private SourceDefinition source(String id, Section s) {
        String host = s.requiredString("host");
        int port = s.integer("port", 5432, 1, 65535);
        String database = s.requiredString("database");
        String username = s.requiredString("username");
        Secret password = s.secret("password");
        String slot = s.string("slot", "bionicpro_" + id);
        if (slot != null && !IDENTIFIER.matcher(slot).matches()) {
            problem(s.path + ".slot", "a replication slot name must match [a-z_][a-z0-9_]*, got '" + slot + "'");
        }
        String publication = s.string("publication", "bionicpro_" + id + "_pub");
        String heartbeatTable = s.string("heartbeatTable", "public.cdc_heartbeat");
        if ("none".equals(heartbeatTable)) {
            heartbeatTable = null;
        }
        Duration heartbeatInterval = s.duration("heartbeatInterval", Duration.ofSeconds(10));
        Duration pollInterval = s.duration("pollInterval", Duration.ofMillis(50));
        int chunkSize = s.integer("snapshotChunkSize", 65536, 16, 10_000_000);
        int fetchSize = s.integer("snapshotFetchSize", 8192, 16, 1_000_000);
        String prefix = s.string("auditTopicPrefix", database);
        List<TableDefinition> tables = new ArrayList<>();
        Section tablesSection = s.section("tables", true);
        if (tablesSection != null) {
            for (Map.Entry<String, Section> t : tablesSection.sections().entrySet()) {
                String[] parts = t.getKey().split("\\.");
                if (parts.length != 2) {
                    problem(t.getValue().path, "a table is named schema.table");
                    continue;
                }
                String replica = t.getValue().string("replica", null);
                t.getValue().finish();
                tables.add(new TableDefinition(parts[0], parts[1], replica));
            }
            if (tables.isEmpty()) {
                problem(tablesSection.path, "at least one table is required");
            }
        }
        s.finish();
        return new SourceDefinition(id, host, port, database, username, password, slot, publication,
                heartbeatTable, heartbeatInterval, pollInterval, chunkSize, fetchSize, prefix, tables);
    }

    private KafkaDefinition kafka(Section s) {
        if (s == null) {
            return null;
        }
        String bootstrap = s.requiredString("bootstrapServers");
        String prefix = s.string("transactionalIdPrefix", "bionicpro-cdc");
        int partitions = s.integer("topicPartitions", 3, 1, 10_000);
        int replication = s.integer("topicReplicationFactor", 1, 1, 32);
        Duration txTimeout = s.duration("transactionTimeout", Duration.ofMinutes(15));
        Map<String, String> properties = new LinkedHashMap<>();
        Section props = s.section("properties", false);
        if (props != null) {
            properties.putAll(props.allStrings());
        }
        s.finish();
        return new KafkaDefinition(bootstrap, prefix, partitions, (short) replication, txTimeout, properties);
    }

    private ClickHouseDefinition clickhouse(Section s) {
        if (s == null) {
            return null;
        }
        String url = s.requiredString("url");
        if (url != null && !url.matches("https?://[^/]+/?")) {
            problem(s.path + ".url", "expected http(s)://host:port of ClickHouse's HTTP interface, got '" + url + "'");
        }
        String database = s.string("database", "reports_db");
        String username = s.string("username", "default");
        Secret password = s.secret("password");
        Duration timeout = s.duration("requestTimeout", Duration.ofSeconds(60));
        s.finish();
        return new ClickHouseDefinition(url == null ? null : url.replaceAll("/$", ""), database, username, password, timeout);
    }

    private MartsDefinition marts(Section s, Map<String, SourceDefinition> sources) {
        String users = capturedTable(s, "users", sources);
        String prostheses = capturedTable(s, "prostheses", sources);
        String telemetry = capturedTable(s, "telemetry", sources);
        String crmDataMart = s.string("crmDataMart", "crm_data_mart");
        String reportsMart = s.string("reportsMart", "prosthesis_reports_mart");
        int retention = s.integer("reportRetentionDays", 400, 1, 36_500);
        int windowsPerCheckpoint = s.integer("windowsPerCheckpoint", 5000, 1, 10_000_000);
        s.finish();
        return new MartsDefinition(users, prostheses, telemetry, crmDataMart, reportsMart, retention, windowsPerCheckpoint);
    }

    private String capturedTable(Section s, String key, Map<String, SourceDefinition> sources) {
        String id = s.requiredString(key);
        if (id == null) {
            return null;
        }
        String[] parts = id.split("\\.");
        SourceDefinition source = parts.length == 3 ? sources.get(parts[0]) : null;
        boolean captured = source != null
                && source.tables.stream().anyMatch(t -> t.schema.equals(parts[1]) && t.table.equals(parts[2]));
        if (!captured) {
            problem(s.path + "." + key, "'" + id + "' is not a captured table (expected source.schema.table of sources.*.tables)");
        }
        return id;
    }

    private void problem(String path, String message) {
        problems.add((path.isEmpty() ? "" : path + ": ") + message);
    }

    /** Replaces ${env:..} and ${file:..} references; null (and a problem) when one cannot be resolved. */
    private String resolve(String path, String raw) {
        Matcher m = REFERENCE.matcher(raw);
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        while (m.find()) {
            String kind = m.group(1);
            String name = m.group(2);
            String fallback = m.group(3);
            String value;
            if ("env".equals(kind)) {
                value = env.get(name);
                if (value == null) {
                    value = fallback;
                }
                if (value == null) {
                    problem(path, "environment variable " + name + " is not set");
                    ok = false;
                    value = "";
                }
            } else {
                try {
                    value = Files.readString(Paths.get(name), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    if (fallback != null) {
                        value = fallback;
                    } else {
                        problem(path, "cannot read file " + name + " (" + e.getClass().getSimpleName() + ")");
                        ok = false;
                        value = "";
                    }
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return ok ? out.toString() : null;
    }

    /** A mapping of the definition, tracking which keys were read so the rest can be reported. */
    private static final class Section {
        private final JobDefinitionParser parser;
        final String path;
        private final ObjectNode node;
        private final Set<String> known = new LinkedHashSet<>();

        Section(JobDefinitionParser parser, String path, ObjectNode node) {
            this.parser = parser;
            this.path = path;
            this.node = node;
        }

        private String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        private JsonNode value(String key) {
            known.add(key);
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? null : v;
        }

        String string(String key, String fallback) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!v.isValueNode()) {
                parser.problem(child(key), "expected a single value");
                return fallback;
            }
            return parser.resolve(child(key), v.asText());
        }

        String requiredString(String key) {
            String v = string(key, null);
            if (v == null && node.get(key) == null) {
                parser.problem(child(key), "is required");
            } else if (v != null && v.isBlank()) {
                parser.problem(child(key), "must not be empty");
                return null;
            }
            return v;
        }

        int integer(String key, int fallback, int min, int max) {
            String v = string(key, null);
            if (v == null) {
                return fallback;
            }
            try {
                int i = Integer.parseInt(v.trim());
                if (i < min || i > max) {
                    parser.problem(child(key), "must be between " + min + " and " + max + ", got " + i);
                }
                return i;
            } catch (NumberFormatException e) {
                parser.problem(child(key), "expected a whole number, got '" + v + "'");
                return fallback;
            }
        }

        Duration duration(String key, Duration fallback) {
            String v = string(key, null);
            if (v == null) {
                return fallback;
            }
            Matcher m = Pattern.compile("\\s*(\\d+)\\s*(ms|s|min|h)\\s*").matcher(v);
            if (!m.matches()) {
                parser.problem(child(key), "expected a duration such as 500ms, 10s, 5min or 1h, got '" + v + "'");
                return fallback;
            }
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "min":
                    return Duration.ofMinutes(n);
                default:
                    return Duration.ofHours(n);
            }
        }

        Secret secret(String key) {
            JsonNode v = value(key);
            if (v == null) {
                parser.problem(child(key), "is required (as ${env:NAME} or ${file:/path})");
                return null;
            }
            String raw = v.asText();
            if (!REFERENCE.matcher(raw).matches()) {
                parser.problem(child(key), "a secret must not be written in the job definition; use ${env:NAME} or ${file:/path}");
                return null;
            }
            String resolved = parser.resolve(child(key), raw);
            return resolved == null ? null : new Secret(raw, resolved);
        }

        Section section(String key, boolean required) {
            JsonNode v = value(key);
            if (v == null) {
                if (required) {
                    parser.problem(child(key), "is required");
                }
                return null;
            }
            if (!(v instanceof ObjectNode)) {
                parser.problem(child(key), "expected a mapping");
                return null;
            }
            return new Section(parser, child(key), (ObjectNode) v);
        }

        /** Every entry as a sub-section (an entry written as `key: {}` or `key:` is an empty one). */
        Map<String, Section> sections() {
            Map<String, Section> out = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                known.add(e.getKey());
                JsonNode v = e.getValue();
                ObjectNode obj = v instanceof ObjectNode ? (ObjectNode) v : new ObjectMapper().createObjectNode();
                if (!(v instanceof ObjectNode) && !v.isNull()) {
                    parser.problem(child(e.getKey()), "expected a mapping");
                }
                out.put(e.getKey(), new Section(parser, child(e.getKey()), obj));
            }
            return out;
        }

        Map<String, String> allStrings() {
            Map<String, String> out = new LinkedHashMap<>();
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String k = names.next();
                String v = string(k, null);
                if (v != null) {
                    out.put(k, v);
                }
            }
            return out;
        }

        /** Reports every key nobody asked for. */
        void finish() {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String k = names.next();
                if (!known.contains(k)) {
                    String hint = closest(k, known);
                    parser.problem(child(k), "unknown key" + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
                }
            }
        }

        private static String closest(String key, Set<String> candidates) {
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (String c : candidates) {
                int d = distance(key.toLowerCase(), c.toLowerCase());
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }
    }
}
