package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.source.DebeziumValues;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keyed by user: holds the user's CRM row, the prostheses they own and those prostheses' live
 * days, and writes both marts from them. Every change rewrites exactly the rows it affects, with
 * the current values of all sides, so a rename, a model change or an owner change reaches
 * crm_data_mart and prosthesis_reports_mart (the ClickHouse materialized views of the original
 * design never saw them). A row that stops existing is written once more as deleted.
 *
 * <p>State: user row, owned prostheses, their days; all cleared when the user is deleted; a
 * prosthesis and its days leave when it moves away or is deleted, a day when its rows are gone
 * or it expires.
 */
public class UserMartJoin extends KeyedCoProcessFunction<String, ChangeEvent, OwnerMessage, MartRow> {
    private static final long serialVersionUID = 1L;

    /** A row of crm_data_mart in state: the prosthesis and the version last written. */
    public static class ProsthesisEntry {
        public ProsthesisAttributes prosthesis;
        public long version;

        public ProsthesisEntry() {}

        ProsthesisEntry(ProsthesisAttributes prosthesis, long version) {
            this.prosthesis = prosthesis;
            this.version = version;
        }
    }

    /** A row of prosthesis_reports_mart in state: the day's usage and the version last written. */
    public static class ReportEntry {
        public DailyUsage usage;
        public long version;

        public ReportEntry() {}

        ReportEntry(DailyUsage usage, long version) {
            this.usage = usage;
            this.version = version;
        }
    }

    private final MartSchema schema;
    private transient ValueState<UserAttributes> user;
    private transient MapState<String, ProsthesisEntry> prostheses;
    private transient MapState<String, ReportEntry> reports;
    private transient MartVersions versions;

    public UserMartJoin(MartSchema schema) {
        this.schema = schema;
    }

    @Override
    public void open(Configuration parameters) {
        user = getRuntimeContext().getState(new ValueStateDescriptor<>("user", UserAttributes.class));
        prostheses = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("prostheses", Types.STRING, TypeInformation.of(ProsthesisEntry.class)));
        reports = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("reports", Types.STRING, TypeInformation.of(ReportEntry.class)));
        versions = new MartVersions();
    }

    static String reportKey(String prosthesisId, int day) {
        return prosthesisId + "|" + day;
    }

    @Override
    public void processElement1(ChangeEvent change, Context ctx, Collector<MartRow> out) throws Exception {
        UserAttributes old = user.value();
        if (change.isDelete()) {
            if (old != null) {
                for (Map.Entry<String, ProsthesisEntry> p : prostheses.entries()) {
                    out.collect(crmRow(old, p.getValue().prosthesis, versions.next(p.getValue().version), true));
                }
                for (Map.Entry<String, ReportEntry> r : reports.entries()) {
                    ProsthesisEntry p = prostheses.get(r.getValue().usage.prosthesisId);
                    if (p != null) {
                        out.collect(reportRow(old, p.prosthesis, r.getValue().usage, versions.next(r.getValue().version), true));
                    }
                }
            }
            user.clear();
            prostheses.clear();
            reports.clear();
            return;
        }
        UserAttributes now = UserAttributes.from(schema, change.after);
        if (now.equals(old)) {
            return;
        }
        user.update(now);
        List<Map.Entry<String, ProsthesisEntry>> owned = new ArrayList<>();
        prostheses.entries().forEach(owned::add);
        for (Map.Entry<String, ProsthesisEntry> p : owned) {
            rewriteCrmRow(now, p.getKey(), p.getValue(), out);
        }
        boolean reportFieldsChanged = old == null || !Objects.equals(old.email, now.email) || !Objects.equals(old.name, now.name);
        if (reportFieldsChanged) {
            rewriteReports(now, null, out);
        }
    }

    @Override
    public void processElement2(OwnerMessage m, Context ctx, Collector<MartRow> out) throws Exception {
        UserAttributes u = user.value();
        switch (m.kind) {
            case ASSIGN: {
                ProsthesisEntry entry = prostheses.get(m.prosthesisId);
                ProsthesisAttributes before = entry == null ? null : entry.prosthesis;
                entry = new ProsthesisEntry(m.prosthesis, entry == null ? 0 : entry.version);
                if (u != null) {
                    rewriteCrmRow(u, m.prosthesisId, entry, out);
                } else {
                    prostheses.put(m.prosthesisId, entry);
                }
                boolean reportFieldsChanged = before == null
                        || !Objects.equals(before.model, m.prosthesis.model)
                        || !Objects.equals(before.manufactureDate, m.prosthesis.manufactureDate);
                if (u != null && reportFieldsChanged) {
                    rewriteReports(u, m.prosthesisId, out);
                }
                break;
            }
            case UNASSIGN: {
                ProsthesisEntry entry = prostheses.get(m.prosthesisId);
                List<String> days = new ArrayList<>();
                for (Map.Entry<String, ReportEntry> r : reports.entries()) {
                    if (r.getValue().usage.prosthesisId.equals(m.prosthesisId)) {
                        days.add(r.getKey());
                        if (u != null && entry != null) {
                            out.collect(reportRow(u, entry.prosthesis, r.getValue().usage,
                                    versions.next(r.getValue().version), true));
                        }
                    }
                }
                for (String day : days) {
                    reports.remove(day);
                }
                if (entry != null) {
                    if (u != null) {
                        out.collect(crmRow(u, entry.prosthesis, versions.next(entry.version), true));
                    }
                    prostheses.remove(m.prosthesisId);
                }
                break;
            }
            case USAGE: {
                String key = reportKey(m.prosthesisId, m.usage.day);
                ReportEntry entry = reports.get(key);
                ProsthesisEntry p = prostheses.get(m.prosthesisId);
                boolean visible = u != null && p != null;
                if (m.usage.status == DailyUsage.Status.LIVE) {
                    entry = new ReportEntry(m.usage, entry == null ? 0 : entry.version);
                    if (visible) {
                        entry.version = versions.next(entry.version);
                        out.collect(reportRow(u, p.prosthesis, entry.usage, entry.version, false));
                    }
                    reports.put(key, entry);
                } else if (entry != null) {
                    if (visible && m.usage.status == DailyUsage.Status.REMOVED) {
                        out.collect(reportRow(u, p.prosthesis, entry.usage, versions.next(entry.version), true));
                    }
                    reports.remove(key);
                }
                break;
            }
            default:
                throw new IllegalStateException("unknown owner message " + m.kind);
        }
    }

    private void rewriteCrmRow(UserAttributes u, String prosthesisId, ProsthesisEntry entry, Collector<MartRow> out)
            throws Exception {
        entry.version = versions.next(entry.version);
        out.collect(crmRow(u, entry.prosthesis, entry.version, false));
        prostheses.put(prosthesisId, entry);
    }

    /** Rewrites the report rows of one prosthesis (or all, for null) with the current attributes. */
    private void rewriteReports(UserAttributes u, String onlyProsthesis, Collector<MartRow> out) throws Exception {
        List<Map.Entry<String, ReportEntry>> rows = new ArrayList<>();
        reports.entries().forEach(rows::add);
        for (Map.Entry<String, ReportEntry> r : rows) {
            ReportEntry entry = r.getValue();
            if (onlyProsthesis != null && !onlyProsthesis.equals(entry.usage.prosthesisId)) {
                continue;
            }
            ProsthesisEntry p = prostheses.get(entry.usage.prosthesisId);
            if (p == null) {
                continue;
            }
            entry.version = versions.next(entry.version);
            out.collect(reportRow(u, p.prosthesis, entry.usage, entry.version, false));
            reports.put(r.getKey(), entry);
        }
    }

    private MartRow crmRow(UserAttributes u, ProsthesisAttributes p, long version, boolean deleted) {
        return new MartRow(schema.crmDataMart, new String[] {
            u.id, u.email, u.name, p.id, p.model, p.manufactureDate, p.createdAt, p.updatedAt, u.createdAt, u.updatedAt
        }, version, deleted);
    }

    private MartRow reportRow(UserAttributes u, ProsthesisAttributes p, DailyUsage d, long version, boolean deleted) {
        Double avg = d.averageBattery();
        return new MartRow(schema.reportsMart, new String[] {
            u.id, u.email, u.name, p.id, p.model, p.manufactureDate,
            LocalDate.ofEpochDay(d.day).toString(),
            Long.toString(d.usageCount),
            Long.toString(d.usageCount * 5),
            avg == null ? null : avg.toString(),
            Long.toString(d.commands),
            DebeziumValues.formatMicros(d.lastMicros),
            DebeziumValues.formatMicros(d.firstMicros),
            DebeziumValues.formatMicros(d.lastMicros),
            Long.toString(d.batteryCount)
        }, version, deleted);
    }
}
