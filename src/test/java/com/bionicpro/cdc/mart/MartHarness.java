package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.config.JobDefinition.MartsDefinition;
import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.testing.Tables;

/** Rows and schema for the mart operators' harness tests. */
final class MartHarness {
    static final MartSchema SCHEMA = MartSchema.of(new MartsDefinition("crm.public.users", "crm.public.prostheses",
            "telemetry.public.telemetry_data", "crm_data_mart", "prosthesis_reports_mart", 400, 5000), Tables.CATALOG);

    private MartHarness() {}

    static String[] user(String id, String name) {
        return new String[] {id, id + "@example.com", name, "2024-01-01T00:00:00", null};
    }

    static String[] prosthesis(String id, String owner, String model) {
        return new String[] {id, owner, model, "2023-05-05", "2024-01-02T00:00:00", null};
    }

    static ChangeEvent change(String table, String op, String[] before, String[] after) {
        return new ChangeEvent("crm.public." + table, op, 1, 1, 1, before, after);
    }

    static DailyUsage usage(String prosthesis, int day, long count) {
        DailyUsage u = new DailyUsage(prosthesis, day);
        u.usageCount = count;
        u.batterySum = 50.0 * count;
        u.batteryCount = count;
        u.commands = 1;
        u.firstMicros = day * 86_400_000_000L;
        u.lastMicros = u.firstMicros + 60_000_000L;
        return u;
    }
}
