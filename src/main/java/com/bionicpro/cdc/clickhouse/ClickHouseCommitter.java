package com.bionicpro.cdc.clickhouse;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;

/**
 * Inserts the batches of a completed checkpoint. While ClickHouse is unreachable or overloaded it
 * keeps retrying with backoff instead of failing: the task waits, back-pressure stops the sources
 * (PostgreSQL keeps the WAL), memory stays bounded, and the job neither drops data nor
 * crash-loops. An error retrying cannot fix (missing table, wrong column, wrong password) fails
 * the job with ClickHouse's message once it has persisted for {@link #PERMANENT_AFTER}; the batch
 * stays in the checkpoint and is inserted after the fix.
 *
 * <p>Never {@code request.signalFailedWithKnownReason}: Flink 1.20 then discards the committable
 * and carries on, i.e. loses the batch. A failure is thrown instead, so the job restarts from the
 * checkpoint that holds it.
 */
final class ClickHouseCommitter implements Committer<ClickHouseBatch> {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCommitter.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration WARN_EVERY = Duration.ofSeconds(30);
    /**
     * How long a "permanent" error must last before the job fails. A stopping ClickHouse (18.16
     * measured) shuts its tables down while it still answers on open keep-alive connections, so
     * for a moment every insert gets "Table ... doesn't exist" (code 60); the next attempt finds
     * the server gone (transient) or back (success).
     */
    private static final Duration PERMANENT_AFTER = Duration.ofSeconds(30);

    private final ClickHouseClient client;
    private final Counter batches;
    private final Counter rows;
    private final Counter bytes;
    private final Counter failures;
    private final Counter retries;
    private final Histogram insertMillis;
    private volatile long lastInsertMillis;

    ClickHouseCommitter(ClickHouseClient client, MetricGroup metrics) {
        this.client = client;
        MetricGroup group = metrics.addGroup("clickhouse");
        this.batches = group.counter("batches");
        this.rows = group.counter("rows");
        this.bytes = group.counter("bytes");
        this.failures = group.counter("insertFailures");
        this.retries = group.counter("insertRetries");
        this.insertMillis = group.histogram("insertLatencyMs", new DescriptiveStatisticsHistogram(500));
        group.gauge("lastInsertLatencyMs", () -> lastInsertMillis);
    }

    @Override
    public void commit(Collection<CommitRequest<ClickHouseBatch>> requests) throws IOException, InterruptedException {
        for (CommitRequest<ClickHouseBatch> request : requests) {
            insert(request.getCommittable());
        }
    }

    private void insert(ClickHouseBatch batch) throws IOException, InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        long firstFailure = 0;
        long permanentSince = 0;
        long lastWarning = 0;
        while (true) {
            long start = System.nanoTime();
            try {
                client.insert(batch.table, batch.columns, batch.payload, batch.payload.length, batch.deflated);
                lastInsertMillis = (System.nanoTime() - start) / 1_000_000;
                insertMillis.update(lastInsertMillis);
                batches.inc();
                rows.inc(batch.rowCount);
                bytes.inc(batch.payload.length);
                if (firstFailure != 0) {
                    LOG.info("ClickHouse accepted {} after {} s of retries", batch,
                            (System.currentTimeMillis() - firstFailure) / 1000);
                }
                return;
            } catch (ClickHouseException e) {
                failures.inc();
                long now = System.currentTimeMillis();
                if (firstFailure == 0) {
                    firstFailure = now;
                }
                if (!e.isPermanent()) {
                    permanentSince = 0;
                } else if (permanentSince == 0) {
                    permanentSince = now;
                } else if (now - permanentSince >= PERMANENT_AFTER.toMillis()) {
                    String message = "ClickHouse refused " + batch + " for " + (now - permanentSince) / 1000
                            + " s, failing the job; the batch stays in its checkpoint and is inserted once this is"
                            + " fixed: " + e.getMessage();
                    LOG.error(message);
                    throw new IOException(message, e);
                }
                if (now - lastWarning >= WARN_EVERY.toMillis()) {
                    LOG.warn("cannot insert {} for {} s, retrying (the job waits, nothing is dropped): {}", batch,
                            (now - firstFailure) / 1000, e.getMessage());
                    lastWarning = now;
                }
                retries.inc();
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    @Override
    public void close() {}
}
