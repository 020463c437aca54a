package com.bionicpro.cdc.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns the measurements of one bin/bench run into docs/bench/: results.md (tables with the
 * baselines of the same run and the targets), results.csv (every figure) and SVG charts.
 */
final class BenchReport {
    private final List<JsonNode> results = new ArrayList<>();
    private final Path out;

    BenchReport(Path resultsFile, Path out) throws IOException {
        for (String line : Files.readAllLines(resultsFile, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                results.add(BenchContext.JSON.readTree(line));
            }
        }
        this.out = out;
    }

    private List<JsonNode> of(String benchmark) {
        List<JsonNode> r = new ArrayList<>();
        for (JsonNode n : results) {
            if (n.get("benchmark").asText().equals(benchmark)) {
                r.add(n);
            }
        }
        return r;
    }

    private JsonNode find(String benchmark, Predicate<JsonNode> p) {
        return of(benchmark).stream().filter(p).findFirst().orElse(null);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.2f", v);
    }

    /** Machine CPU milliseconds per 1,000 rows of a snapshot result. */
    private static double cpuMsPerThousand(JsonNode n) {
        return n.get("machineCpuSeconds").asDouble() * 1_000_000 / n.get("rows").asDouble();
    }

    /** The cores of the machine the results were measured on. */
    private int cores() {
        JsonNode machine = find("machine", n -> true);
        return machine == null ? Runtime.getRuntime().availableProcessors() : machine.path("cores").asInt(2);
    }

    private static String verdict(boolean ok) {
        return ok ? "**met**" : "**missed**";
    }

    void write() throws IOException {
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Produced by `bin/bench` on the local stack; every baseline was measured in the same run on the same machine.\n\n");
        JsonNode machine = find("machine", n -> true);
        if (machine != null) {
            md.append("| machine | |\n|---|---|\n");
            machine.fields().forEachRemaining(e -> {
                if (!List.of("benchmark", "subject", "at").contains(e.getKey())) {
                    md.append("| ").append(e.getKey()).append(" | ").append(e.getValue().asText()).append(" |\n");
                }
            });
            md.append('\n');
        }

        // Snapshot
        JsonNode copy = find("snapshot", n -> n.get("subject").asText().startsWith("COPY"));
        JsonNode dbz = find("snapshot", n -> n.get("subject").asText().startsWith("Debezium"));
        JsonNode job = find("snapshot", n -> n.get("subject").asText().startsWith("bionicpro"));
        md.append("## 1. Snapshot: 1,000,000 telemetry rows and the CRM tables into ClickHouse\n\n");
        md.append("| subject | rows | seconds | rows/s | machine CPU s (steal s) | CPU ms per 1,000 rows |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        Map<String, Double> snapshotBars = new LinkedHashMap<>();
        for (JsonNode n : of("snapshot")) {
            md.append(String.format("| %s | %,d | %s | %s | %s | %s |%n", n.get("subject").asText(), n.get("rows").asLong(),
                    f(n.get("seconds").asDouble()), f(n.get("rowsPerSecond").asDouble()),
                    n.has("machineCpuSeconds")
                            ? f(n.get("machineCpuSeconds").asDouble()) + " (" + f(n.get("stealSeconds").asDouble()) + ")"
                            : "–",
                    n.has("machineCpuSeconds") ? f(cpuMsPerThousand(n)) : "–"));
            snapshotBars.put(n.get("subject").asText(), n.get("rowsPerSecond").asDouble());
        }
        if (job != null && copy != null && dbz != null) {
            double vsCopy = job.get("rowsPerSecond").asDouble() / copy.get("rowsPerSecond").asDouble();
            double vsDbz = job.get("rowsPerSecond").asDouble() / dbz.get("rowsPerSecond").asDouble();
            md.append(String.format("%nThe job (replicas, audit log and both marts complete, %,d report rows): %.0f%% of the "
                            + "COPY ceiling (target ≥ 50%%: %s), %.2fx Debezium embedded (target ≥ 2x: %s).%n%n",
                    job.path("reportRows").asLong(), vsCopy * 100, verdict(vsCopy >= 0.5), vsDbz, verdict(vsDbz >= 2)));
            if (job.has("machineCpuSeconds") && copy.has("machineCpuSeconds") && dbz.has("machineCpuSeconds")) {
                double perRow = cpuMsPerThousand(job);
                md.append(String.format("Machine CPU per row (every process, PostgreSQL and the services included): the job "
                                + "%.1fx Debezium embedded's, %.1fx the COPY ceiling's. At its CPU per row, all %s cores "
                                + "of this machine would carry the job at most %s rows/s.%n%n",
                        perRow / cpuMsPerThousand(dbz), perRow / cpuMsPerThousand(copy), cores(),
                        f(cores() * 1_000_000 / perRow)));
            }
        }
        svgBars("snapshot.svg", "Snapshot throughput (rows/s)", snapshotBars);
        md.append("![snapshot](snapshot.svg)\n\n");

        // Streaming
        md.append("## 2. Streaming: highest sustained rate (8 writers, 5-row transactions)\n\n");
        md.append("| target changes/s | achieved changes/s | catch-up after the step (s) | kept up |\n|---:|---:|---:|---|\n");
        double sustained = 0;
        Map<String, Double> streamBars = new LinkedHashMap<>();
        for (JsonNode n : of("stream")) {
            boolean kept = n.get("keptUp").asBoolean();
            md.append(String.format("| %s | %s | %s | %s |%n", f(n.get("targetRate").asDouble()),
                    f(n.get("achievedRate").asDouble()), f(n.get("catchUpSeconds").asDouble()), kept ? "yes" : "no"));
            if (kept) {
                sustained = Math.max(sustained, n.get("achievedRate").asDouble());
            }
        }
        streamBars.put("bionicpro-cdc job (sustained, paced writers)", sustained);
        for (JsonNode n : of("stream-ceiling")) {
            streamBars.put(n.get("subject").asText(), n.get("changesPerSecond").asDouble());
        }
        md.append("\n| reader of the same backlog (1,000-row transactions, written before the reader starts) | changes "
                + "| seconds | changes/s | machine CPU s | CPU ms per 1,000 changes |\n|---|---:|---:|---:|---:|---:|\n");
        for (JsonNode n : of("stream-ceiling")) {
            md.append(String.format("| %s | %,d | %s | %s | %s | %s |%n", n.get("subject").asText(), n.get("changes").asLong(),
                    f(n.get("seconds").asDouble()), f(n.get("changesPerSecond").asDouble()),
                    n.has("machineCpuSeconds") ? f(n.get("machineCpuSeconds").asDouble()) : "–",
                    n.has("machineCpuSeconds") ? f(n.get("machineCpuSeconds").asDouble() * 1_000_000 / n.get("changes").asDouble()) : "–"));
        }
        JsonNode recv = find("stream-ceiling", n -> n.get("subject").asText().startsWith("pg_recvlogical"));
        JsonNode drained = find("stream-ceiling", n -> n.get("subject").asText().startsWith("bionicpro"));
        if (recv != null) {
            double recvRate = recv.get("changesPerSecond").asDouble();
            md.append("\n");
            if (!of("stream").isEmpty()) {
                md.append(String.format("Sustained by the job while the writers share the machine: %s changes/s, %.0f%% of "
                        + "pg_recvlogical's decode rate (target ≥ 50%%: %s). ", f(sustained), sustained / recvRate * 100,
                        verdict(sustained / recvRate >= 0.5)));
            }
            if (drained != null) {
                double drainRatio = drained.get("changesPerSecond").asDouble() / recvRate;
                md.append(String.format("Draining the backlog with the machine to itself (stopped with a savepoint while "
                                + "the backlog was written, timed from the resumed job's tasks running to ClickHouse holding "
                                + "every row): %s changes/s, %.0f%% of pg_recvlogical's (%s); %s changes/s from the "
                                + "first backlog rows visible, %s s after the tasks ran, to the last.",
                        f(drained.get("changesPerSecond").asDouble()), drainRatio * 100, verdict(drainRatio >= 0.5),
                        f(drained.path("steadyChangesPerSecond").asDouble()), f(drained.path("firstVisibleSeconds").asDouble())));
            }
            md.append("\n\n");
        }
        svgBars("streaming.svg", "Streaming (changes/s)", streamBars);
        md.append("![streaming](streaming.svg)\n\n");

        // Freshness
        md.append("## 3. Freshness: commit to visible (ms)\n\n");
        md.append("| rate (changes/s) | target | probes | p50 | p95 | p99 |\n|---:|---|---:|---:|---:|---:|\n");
        Map<String, Double> freshBars = new LinkedHashMap<>();
        for (JsonNode n : of("freshness")) {
            md.append(String.format("| %s | %s | %d | %d | %d | %d |%n", f(n.get("rate").asDouble()), n.get("subject").asText(),
                    n.get("probes").asLong(), n.get("p50").asLong(), n.get("p95").asLong(), n.get("p99").asLong()));
            freshBars.put(n.get("subject").asText().replace(" (read_committed)", "") + " @" + f(n.get("rate").asDouble()) + "/s p99",
                    n.get("p99").asDouble());
        }
        JsonNode at1000 = find("freshness", n -> n.get("subject").asText().equals("ClickHouse") && n.get("rate").asDouble() == 1000);
        if (at1000 != null) {
            md.append(String.format("%nClickHouse p99 at 1,000 changes/s: %d ms (target ≤ 2,000 ms, checkpoint interval "
                    + "included: %s).%n%n", at1000.get("p99").asLong(), verdict(at1000.get("p99").asLong() <= 2000)));
        }
        svgBars("freshness.svg", "Commit to visible, p99 (ms)", freshBars);
        md.append("![freshness](freshness.svg)\n\n");

        // Isolation
        md.append("## 4. CRM isolation: CRM transactions/s (pgbench, 4 clients)\n\n");
        md.append("| situation | CRM tps | of CRM alone on the same cores | report exports run |\n|---|---:|---:|---:|\n");
        JsonNode alone = find("isolation", n -> n.get("subject").asText().equals("alone"));
        JsonNode aloneSplit = find("isolation", n -> n.get("subject").asText().equals("alone-split"));
        Map<String, Double> isoBars = new LinkedHashMap<>();
        String split = "; CRM on a core of its own";
        String decodingOnly = "CRM + logical decoding only (pg_recvlogical, no job)";
        Map<String, String> names = Map.ofEntries(Map.entry("alone", "CRM alone"), Map.entry("job", "CRM + job streaming"),
                Map.entry("decoding", decodingOnly), Map.entry("decoding-split", decodingOnly + split),
                Map.entry("postgres-export", "CRM + job + report export on PostgreSQL (old path)"),
                Map.entry("clickhouse-export", "CRM + job + report export on ClickHouse (new path)"),
                Map.entry("job-nice10", "CRM + job streaming; analytics at nice 10"),
                Map.entry("postgres-export-nice10", "CRM + job + export on PostgreSQL (old path); analytics at nice 10"),
                Map.entry("clickhouse-export-nice10", "CRM + job + export on ClickHouse (new path); analytics at nice 10"),
                Map.entry("alone-split", "CRM alone" + split),
                Map.entry("job-split", "CRM + job streaming" + split),
                Map.entry("postgres-export-split", "CRM + job + export on PostgreSQL (old path)" + split),
                Map.entry("clickhouse-export-split", "CRM + job + export on ClickHouse (new path)" + split));
        for (JsonNode n : of("isolation")) {
            // A split-cores row compares with the CRM alone on the same core.
            JsonNode base = n.get("subject").asText().endsWith("-split") ? aloneSplit : alone;
            double share = base == null ? 0 : n.get("tps").asDouble() / base.get("tps").asDouble();
            String name = names.getOrDefault(n.get("subject").asText(), n.get("subject").asText());
            md.append(String.format("| %s | %s | %.0f%% | %d |%n", name, f(n.get("tps").asDouble()), share * 100,
                    n.get("exports").asLong()));
            isoBars.put(name, n.get("tps").asDouble());
        }
        JsonNode newPath = find("isolation", n -> n.get("subject").asText().equals("clickhouse-export"));
        JsonNode newPathNiced = find("isolation", n -> n.get("subject").asText().equals("clickhouse-export-nice10"));
        JsonNode newPathSplit = find("isolation", n -> n.get("subject").asText().equals("clickhouse-export-split"));
        if (alone != null && newPath != null) {
            double share = newPath.get("tps").asDouble() / alone.get("tps").asDouble();
            md.append(String.format("%nWith the job running and reports on ClickHouse the CRM keeps %.0f%% of its throughput "
                    + "when everything shares the 2 cores at equal priority (target ≥ 95%%: %s)", share * 100,
                    verdict(share >= 0.95)));
            if (newPathNiced != null) {
                double niced = newPathNiced.get("tps").asDouble() / alone.get("tps").asDouble();
                md.append(String.format(", %.0f%% with the analytics side at nice 10 (%s)", niced * 100, verdict(niced >= 0.95)));
            }
            if (aloneSplit != null && newPathSplit != null) {
                double separate = newPathSplit.get("tps").asDouble() / aloneSplit.get("tps").asDouble();
                md.append(String.format(", and %.0f%% of the CRM alone on the same core when PostgreSQL and the CRM's "
                        + "clients have CPU 0 and the analytics side (Flink, Kafka, ClickHouse, ZooKeeper, the report "
                        + "client) CPU 1, the stand-in for separate hosts (%s)", separate * 100, verdict(separate >= 0.95)));
            }
            md.append(".");
            JsonNode decodingSplit = find("isolation", n -> n.get("subject").asText().equals("decoding-split"));
            if (aloneSplit != null && decodingSplit != null) {
                md.append(String.format(" With PostgreSQL's logical decoding alone on that core (pg_recvlogical, no job) "
                        + "the CRM kept %.0f%%; the rest is the walsender's share, which any logical-decoding CDC takes from a CRM "
                        + "that saturates its cores.",
                        decodingSplit.get("tps").asDouble() / aloneSplit.get("tps").asDouble() * 100));
            }
            md.append("\n\n");
        }
        svgBars("isolation.svg", "CRM transactions per second", isoBars);
        md.append("![isolation](isolation.svg)\n\n");

        Path notes = out.resolve("notes.md");
        if (Files.exists(notes)) {
            md.append(Files.readString(notes, StandardCharsets.UTF_8));
        }
        Files.writeString(out.resolve("results.md"), md.toString(), StandardCharsets.UTF_8);

        StringBuilder csv = new StringBuilder("benchmark,subject,metric,value\n");
        for (JsonNode n : results) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!List.of("benchmark", "subject").contains(e.getKey())) {
                    csv.append(n.get("benchmark").asText()).append(",\"").append(n.get("subject").asText().replace("\"", "'"))
                            .append("\",").append(e.getKey()).append(",\"").append(e.getValue().asText().replace("\"", "'"))
                            .append("\"\n");
                }
            }
        }
        Files.writeString(out.resolve("results.csv"), csv.toString(), StandardCharsets.UTF_8);
    }

    /** A horizontal bar chart, one bar per entry, values printed at the bars. */
    private void svgBars(String file, String title, Map<String, Double> bars) throws IOException {
        int rowHeight = 34;
        // Labels are right-aligned before the bars; ~7 px per character at 13 px sans-serif.
        int longest = bars.keySet().stream().mapToInt(String::length).max().orElse(0);
        int labelWidth = Math.max(430, 7 * longest + 16);
        int barWidth = 380;
        int height = 60 + rowHeight * bars.size();
        double max = bars.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"13\">%n", labelWidth + barWidth + 120, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format("<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", escape(title)));
        int y = 44;
        for (Map.Entry<String, Double> bar : bars.entrySet()) {
            int w = max <= 0 ? 0 : (int) Math.round(bar.getValue() / max * barWidth);
            svg.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", labelWidth - 8, y + 17,
                    escape(bar.getKey())));
            svg.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" fill=\"#3b7dd8\"/>%n", labelWidth, y + 2, w));
            svg.append(String.format("<text x=\"%d\" y=\"%d\">%s</text>%n", labelWidth + w + 6, y + 17, f(bar.getValue())));
            y += rowHeight;
        }
        svg.append("</svg>\n");
        Files.writeString(out.resolve(file), svg.toString(), StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
