package com.bionicpro.cdc.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** bin/flink and the REST API of the local stack's session cluster, as an operator uses them. */
public final class FlinkCli {
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("(?:Savepoint completed\\. Path:|Savepoint stored in) (\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack = LocalStack.get();
    private final HttpClient http = HttpClient.newHttpClient();

    /** Runs bin/flink with the arguments; the environment resolves the job definition's references. */
    public String run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(LocalStack.repoRoot().resolve("bin/flink").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(LocalStack.repoRoot().toFile());
        pb.environment().putAll(env);
        pb.environment().put("STACK_DIR", stack.stackDir());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("bin/flink " + String.join(" ", args) + " failed:\n" + output);
        }
        return output;
    }

    public static String jobId(String output) {
        Matcher m = JOB_ID.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no JobID in: " + output);
        }
        return m.group(1);
    }

    public static String savepointPath(String output) {
        Matcher m = SAVEPOINT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no savepoint path in: " + output);
        }
        return m.group(1);
    }

    public JsonNode rest(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.flinkRest() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    public String restText(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.flinkRest() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** True when the job and every one of its tasks run. */
    public boolean fullyRunning(String jobId) throws Exception {
        JsonNode job = rest("/jobs/" + jobId);
        if (!"RUNNING".equals(job.get("state").asText())) {
            return false;
        }
        for (JsonNode v : job.get("vertices")) {
            if (!"RUNNING".equals(v.get("status").asText())) {
                return false;
            }
        }
        return true;
    }

    public String state(String jobId) throws Exception {
        return rest("/jobs/" + jobId).get("state").asText();
    }

    /** Test clean-up: cancels the job unless it has already ended, and waits until it has. */
    public void cancelUnlessEnded(Map<String, String> env, String jobId) throws Exception {
        if (jobId == null || state(jobId).matches("CANCELED|FAILED|FINISHED")) {
            return;
        }
        run(env, "cancel", jobId);
        Poll.until(Duration.ofSeconds(60), "job " + jobId + " to be cancelled", () -> state(jobId).equals("CANCELED"));
    }
}
