package com.bionicpro.cdc.tools;

import com.bionicpro.cdc.clickhouse.ClickHouseClient;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinitionException;
import com.bionicpro.cdc.config.JobDefinitionParser;
import com.bionicpro.cdc.reports.ReportQueries;
import com.bionicpro.cdc.reports.ReportServer;
import com.bionicpro.cdc.verify.TableReport;
import com.bionicpro.cdc.verify.Verifier;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The operator's commands around the job (bin/verify, bin/report, bin/slots, bin/load, bin/live).
 * Every command reads the same job definition as the job (--definition, default
 * jobs/bionicpro.yaml) with secrets from the environment.
 */
public final class Cli {
    private Cli() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String definitionPath = option(rest, "--definition", "jobs/bionicpro.yaml");
        if (rest.isEmpty()) {
            usage();
        }
        String command = rest.remove(0);
        JobDefinition definition;
        try {
            definition = JobDefinitionParser.parse(Paths.get(definitionPath), System.getenv());
        } catch (JobDefinitionException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        int status;
        switch (command) {
            case "verify":
                status = verify(definition, rest);
                break;
            case "report":
                status = report(definition, rest);
                break;
            case "slots":
                status = new SlotsCommand(definition).run(rest);
                break;
            case "load":
                status = LoadGenerator.run(definition, rest);
                break;
            case "live":
                status = new LiveView(definition, rest).run();
                break;
            default:
                usage();
                return;
        }
        System.exit(status);
    }

    private static void usage() {
        System.err.println("usage: <verify | report user|processed ID [FROM [TO]] | report serve [--port P] | "
                + "slots list|drop [--publications] | load [options] | live> [--definition FILE]");
        System.exit(2);
    }

    static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String v = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return v;
    }

    /**
     * One comparison, or with --wait SECONDS repeated until everything matches or the time is up:
     * under live load a change committed a moment ago is still on its way to ClickHouse.
     */
    private static int verify(JobDefinition definition, List<String> args) throws Exception {
        long wait = Long.parseLong(option(args, "--wait", "0"));
        Verifier verifier = new Verifier(definition, Verifier.readCatalog(definition), Duration.ofMinutes(2));
        long deadline = System.currentTimeMillis() + wait * 1000;
        List<TableReport> reports = verifier.verifyAll();
        while (!reports.stream().allMatch(TableReport::clean) && System.currentTimeMillis() < deadline) {
            Thread.sleep(2000); // the interval between comparisons
            reports = verifier.verifyAll();
        }
        return Verifier.print(reports, System.out) ? 0 : 1;
    }

    private static int report(JobDefinition definition, List<String> args) throws Exception {
        ReportQueries queries = new ReportQueries(ClickHouseClient.of(definition.clickhouse), definition.clickhouse.database);
        if (!args.isEmpty() && args.get(0).equals("serve")) {
            int port = Integer.parseInt(option(args, "--port", "18088"));
            String host = option(args, "--host", "127.0.0.1");
            ReportServer server = new ReportServer(queries, host, port);
            server.start();
            System.out.println("serving reports on http://" + host + ":" + server.port()
                    + "/users/{id}/reports?from=YYYY-MM-DD&to=YYYY-MM-DD (Ctrl-C stops)");
            Thread.currentThread().join();
            return 0;
        }
        if (args.size() < 2) {
            usage();
        }
        LocalDate to = args.size() > 3 ? LocalDate.parse(args.get(3)) : LocalDate.now(ZoneOffset.UTC);
        LocalDate from = args.size() > 2 ? LocalDate.parse(args.get(2)) : to.minusDays(29);
        ObjectMapper json = new ObjectMapper();
        Object result = "processed".equals(args.get(0))
                ? queries.periodProcessed(args.get(1), from, to).get("data")
                : queries.reportsForUser(args.get(1), from, to).get("data");
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        return 0;
    }
}
