package com.bionicpro.cdc.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * The whole machine's CPU time so far, from the first line of /proc/stat: busy (user, nice,
 * system, irq, softirq) and steal (taken by the hypervisor from this VM). The difference of two
 * readings is what every process together used meanwhile, the job's services and PostgreSQL
 * included; per row it compares subjects whose rates depend on what else the shared host runs.
 */
record MachineCpu(long busyTicks, long stealTicks) {
    /** USER_HZ, the unit of /proc/stat; 100 on Linux (bin/bench passes getconf CLK_TCK). */
    private static final double TICKS_PER_SECOND =
            Double.parseDouble(System.getenv().getOrDefault("BENCH_CLK_TCK", "100"));

    static MachineCpu now() {
        try {
            return parse(Files.readAllLines(Paths.get("/proc/stat")).get(0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }

    /** "cpu  user nice system idle iowait irq softirq steal ...". */
    static MachineCpu parse(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("not the cpu line of /proc/stat: " + cpuLine);
        }
        long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
        return new MachineCpu(busy, Long.parseLong(f[8]));
    }

    /** Adds the CPU seconds used since {@code start} to a result. */
    ObjectNode addSince(MachineCpu start, ObjectNode result) {
        return result.put("machineCpuSeconds", (busyTicks - start.busyTicks) / TICKS_PER_SECOND)
                .put("stealSeconds", (stealTicks - start.stealTicks) / TICKS_PER_SECOND);
    }
}
