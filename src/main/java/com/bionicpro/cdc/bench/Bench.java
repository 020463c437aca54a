package com.bionicpro.cdc.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark steps bin/bench runs, one per invocation; each appends its measurements to the
 * results file ($BENCH_RESULTS). `report` turns them into docs/bench/.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        BenchContext ctx = BenchContext.fromEnvironment();
        Path init = Paths.get("db-init/bench");
        switch (args[0]) {
            case "copy-ceiling":
                CopyCeiling.run(ctx);
                break;
            case "job-snapshot":
                JobBenchmarks.snapshot(ctx, Long.parseLong(args[1]), MachineCpu.parse(args[2]));
                break;
            case "stream": {
                List<Double> rates = new ArrayList<>();
                for (String r : args[1].split(",")) {
                    rates.add(Double.parseDouble(r));
                }
                JobBenchmarks.stream(ctx, rates, Long.parseLong(args[2]) * 1000);
                break;
            }
            case "insert-backlog":
                StreamWriters.insertBacklog(ctx, Long.parseLong(args[1]));
                break;
            case "job-backlog":
                JobBenchmarks.backlog(ctx, Long.parseLong(args[1]), args[2], List.of(args).subList(3, args.length));
                break;
            case "recvlogical":
                JobBenchmarks.recvlogical(ctx, Long.parseLong(args[1]));
                break;
            case "freshness":
                for (String r : args[1].split(",")) {
                    Freshness.run(ctx, Double.parseDouble(r), Long.parseLong(args[2]) * 1000);
                }
                break;
            case "isolation":
                Isolation.run(ctx, args[1], Integer.parseInt(args[2]), init.resolve("crm_pgbench.sql"),
                        init.resolve("export_postgres.sql"), init.resolve("export_clickhouse.sql"));
                break;
            case "delete-topics":
                deleteTopics(ctx, args[1]);
                break;
            case "report":
                new BenchReport(ctx.results, Paths.get(args[1])).write();
                break;
            default:
                throw new IllegalArgumentException("unknown benchmark step " + args[0]);
        }
        System.exit(0);
    }

    /** Removes the audit topics of an earlier benchmark run. */
    private static void deleteTopics(BenchContext ctx, String prefix) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(com.bionicpro.cdc.audit.KafkaPreflight.clientProperties(ctx.definition.kafka))) {
            java.util.Set<String> topics = new java.util.HashSet<>();
            for (String t : admin.listTopics().names().get()) {
                if (t.startsWith(prefix)) {
                    topics.add(t);
                }
            }
            admin.deleteTopics(topics).all().get();
        }
    }
}
