package com.bionicpro.cdc.source;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.PostgresConnection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * When the backfill of a snapshot chunk may stop reading the WAL.
 *
 * <p>Flink CDC's chunk algorithm: read the chunk's rows between a low and a high watermark (WAL
 * positions), then read the WAL from the low watermark and merge into the rows every change up to
 * the high watermark; the stream later emits, for the chunk's keys, only changes after it. Flink
 * CDC 3.5.0 stops that backfill at the first message past the high watermark. But PostgreSQL
 * streams whole transactions in commit order, and a change's LSN is where it was written, not
 * where it committed: a transaction that wrote a change before the high watermark and commits
 * after another one that committed past it comes later. Its change is then neither merged (the
 * backfill has stopped) nor emitted (it is before the high watermark): it is lost, silently.
 *
 * <p>So the backfill goes on until every transaction that could hold such a change has been
 * streamed: those running when the backfill starts (PostgreSQL's snapshot of in-progress
 * transactions) must have ended, and the stream must have reached the WAL position read after
 * they did. Changes past the high watermark are still not merged (the stream emits them), so the
 * chunk ends exactly as the algorithm means it to. The cost is a query per chunk and, while a
 * transaction that wrote something stays open, a chunk that waits for it (logged).
 */
public final class BackfillEnd {
    private static final Logger LOG = LoggerFactory.getLogger(BackfillEnd.class);
    private static final long CHECK_EVERY_MS = 50;
    private static final long LOG_EVERY_MS = 30_000;

    /** The two questions the backfill asks PostgreSQL. */
    public interface Database {
        /** Transactions in progress now that hold a transaction id (have written), as 64-bit txids. */
        List<Long> inProgress() throws SQLException;

        /** Which of these are still in progress. */
        List<Long> stillInProgress(List<Long> txIds) throws SQLException;

        /** The current WAL write position. */
        Lsn currentWalLsn() throws SQLException;
    }

    private final Lsn highWatermark;
    private final Database database;
    private List<Long> awaited;
    private Lsn end;
    private long lastCheckMs;
    private long lastLogMs;

    private BackfillEnd(Lsn highWatermark, Database database, List<Long> awaited) {
        this.highWatermark = highWatermark;
        this.database = database;
        this.awaited = awaited;
        this.lastLogMs = System.currentTimeMillis();
    }

    /** At the start of a chunk's backfill, which stops at the chunk's high watermark at the earliest. */
    public static BackfillEnd start(Lsn highWatermark, Database database) throws SQLException {
        return new BackfillEnd(highWatermark, database, new ArrayList<>(database.inProgress()));
    }

    /** Whether the backfill, having processed the WAL up to {@code processed}, has read everything it must. */
    public boolean reached(Lsn processed) throws SQLException {
        if (processed == null || processed.compareTo(highWatermark) < 0) {
            return false;
        }
        if (end == null) {
            long now = System.currentTimeMillis();
            if (now - lastCheckMs < CHECK_EVERY_MS) {
                return false;
            }
            lastCheckMs = now;
            if (!awaited.isEmpty()) {
                awaited = database.stillInProgress(awaited);
            }
            if (!awaited.isEmpty()) {
                if (now - lastLogMs >= LOG_EVERY_MS) {
                    lastLogMs = now;
                    LOG.info("Snapshot chunk backfill waits for transactions {}, in progress since its high watermark {}",
                            awaited, highWatermark);
                }
                return false;
            }
            Lsn current = database.currentWalLsn();
            end = current.compareTo(highWatermark) > 0 ? current : highWatermark;
        }
        return processed.compareTo(end) >= 0;
    }

    /**
     * {@link Database} over the chunk's JDBC connection. It first ends the transaction the chunk
     * was read in: that one holds a lock on the table, and a transaction waited for that wants an
     * exclusive lock (ALTER TABLE) would otherwise wait for the backfill in turn.
     */
    public static Database over(PostgresConnection connection) {
        return new Database() {
            @Override
            public List<Long> inProgress() throws SQLException {
                connection.commit();
                return connection.queryAndMap("SELECT txid_snapshot_xip(txid_current_snapshot())", rs -> {
                    List<Long> ids = new ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                    return ids;
                });
            }

            @Override
            public List<Long> stillInProgress(List<Long> txIds) throws SQLException {
                String list = txIds.stream().map(String::valueOf).collect(Collectors.joining(","));
                return connection.prepareQueryAndMap(
                        "SELECT x FROM unnest(string_to_array(?, ',')::bigint[]) AS x WHERE txid_status(x) = 'in progress'",
                        ps -> ps.setString(1, list),
                        rs -> {
                            List<Long> ids = new ArrayList<>();
                            while (rs.next()) {
                                ids.add(rs.getLong(1));
                            }
                            return ids;
                        });
            }

            @Override
            public Lsn currentWalLsn() throws SQLException {
                return Lsn.valueOf(connection.currentXLogLocation());
            }
        };
    }
}
