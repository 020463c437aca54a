package com.bionicpro.cdc.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** bin/stack on the test's stack: break and repair single components, read their memory and class loaders. */
public final class StackControl {
    private final LocalStack stack = LocalStack.get();

    public void run(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(concat(LocalStack.repoRoot().resolve("bin/stack").toString(), args))
                .redirectErrorStream(true);
        pb.environment().put("STACK_DIR", stack.stackDir());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("bin/stack " + String.join(" ", args) + " failed:\n" + out);
        }
    }

    /** Resident memory of a component's process in MB (0 when it does not run). */
    public long rssMb(String component) throws Exception {
        String pid = pid(component);
        for (String line : Files.readAllLines(Paths.get("/proc", pid, "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return 0;
    }

    /**
     * The user-code class loaders a Flink process still holds after a full collection, one per job
     * whose classes it has not unloaded (running jobs included).
     */
    public long jobClassLoaders(String component) throws Exception {
        String pid = pid(component);
        jcmd(pid, "GC.run");
        return jcmd(pid, "VM.classloader_stats").lines().filter(l -> l.contains("ChildFirstClassLoader")).count();
    }

    /** The Java heap a component's process uses after a full collection, in MB: what it retains. */
    public long heapRetainedMb(String component) throws Exception {
        String pid = pid(component);
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no heap usage in jcmd " + pid + " GC.heap_info:\n" + info);
        }
        return Long.parseLong(used.group(1)) / 1024;
    }

    private static String jcmd(String pid, String command) throws Exception {
        // The tests and bin/stack's Flink both run on the java on PATH: jcmd attaches within a release.
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        // Output to a file, so that the deadline holds even if jcmd hangs with its pipe open.
        Path output = Files.createTempFile("jcmd", ".out");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), pid, command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            boolean ended = p.waitFor(1, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (!ended || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + pid + " " + command + (ended ? " failed" : " did not end in 1 minute") + ":\n" + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private String pid(String component) throws Exception {
        Path pidFile = Paths.get(stack.stackDir(), "run", "flink-" + component + ".pid");
        if (!Files.exists(pidFile)) {
            pidFile = Paths.get(stack.stackDir(), "run", component + ".pid");
        }
        return Files.readString(pidFile).strip();
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
