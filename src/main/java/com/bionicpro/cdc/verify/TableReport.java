package com.bionicpro.cdc.verify;

import java.util.ArrayList;
import java.util.List;

/** How one target (a replica, a mart, an audit topic) compares with PostgreSQL. */
public final class TableReport {
    private static final int SAMPLES = 3;

    public final String name;
    public long expected;
    public long actual;
    public long missing;
    public long extra;
    public long different;
    public long duplicated;
    public final List<String> samples = new ArrayList<>();

    TableReport(String name) {
        this.name = name;
    }

    public boolean clean() {
        return missing == 0 && extra == 0 && different == 0 && duplicated == 0;
    }

    void sample(String what) {
        if (samples.size() < SAMPLES) {
            samples.add(what);
        }
    }

    @Override
    public String toString() {
        return String.format("%-48s %9d %9d %8d %8d %9d %10d  %s", name, expected, actual, missing, extra, different,
                duplicated, clean() ? "OK" : "MISMATCH " + samples);
    }

    static String header() {
        return String.format("%-48s %9s %9s %8s %8s %9s %10s", "TARGET", "POSTGRES", "TARGET", "MISSING", "EXTRA",
                "DIFFERENT", "DUPLICATED");
    }
}
