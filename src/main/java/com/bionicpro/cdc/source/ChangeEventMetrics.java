package com.bionicpro.cdc.source;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.HashMap;
import java.util.Map;

/**
 * Pass-through that measures the change stream for the dashboard: records per table and
 * operation ({@code cdc.<table>.<op>}), and change lag, from PostgreSQL's commit to this point
 * ({@code changeLagMs}: last value; {@code changeLagMsHistogram}). Snapshot reads have no commit
 * time and no lag.
 */
public class ChangeEventMetrics extends RichMapFunction<ChangeEvent, ChangeEvent> {
    private static final long serialVersionUID = 1L;

    private transient MetricGroup tables;
    private transient Map<String, Counter> counters;
    private transient Histogram lagHistogram;
    private transient volatile long lastLagMs;

    @Override
    public void open(OpenContext context) {
        MetricGroup cdc = getRuntimeContext().getMetricGroup().addGroup("cdc");
        tables = cdc;
        counters = new HashMap<>();
        lagHistogram = cdc.histogram("changeLagMsHistogram", new DescriptiveStatisticsHistogram(1000));
        cdc.gauge("changeLagMs", () -> lastLagMs);
    }

    @Override
    public ChangeEvent map(ChangeEvent change) {
        String key = change.tableId + "/" + change.op;
        Counter c = counters.get(key);
        if (c == null) {
            c = tables.addGroup("table", change.tableId).counter(opName(change.op));
            counters.put(key, c);
        }
        c.inc();
        if (!ChangeEvent.READ.equals(change.op) && change.sourceTsMs > 0) {
            lastLagMs = Math.max(0, System.currentTimeMillis() - change.sourceTsMs);
            lagHistogram.update(lastLagMs);
        }
        return change;
    }

    private static String opName(String op) {
        switch (op) {
            case ChangeEvent.READ:
                return "snapshotReads";
            case ChangeEvent.CREATE:
                return "inserts";
            case ChangeEvent.UPDATE:
                return "updates";
            case ChangeEvent.DELETE:
                return "deletes";
            default:
                return "other";
        }
    }
}
