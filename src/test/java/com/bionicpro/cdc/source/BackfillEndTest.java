package com.bionicpro.cdc.source;

import io.debezium.connector.postgresql.connection.Lsn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a chunk's backfill may stop, against a scripted database (the real one is in
 * SnapshotRaceITCase): not before the high watermark, not while a transaction that was in progress
 * is still open, and only once the stream reached the WAL position read after it ended.
 */
class BackfillEndTest {
    private static final Lsn HIGH_WATERMARK = Lsn.valueOf(1_000L);

    /** PostgreSQL as the backfill sees it: open transactions and the WAL position, changed by the test. */
    private static final class ScriptedDatabase implements BackfillEnd.Database {
        final List<Long> open = new ArrayList<>();
        long walLsn = 1_000;
        int statusQueries;

        @Override
        public List<Long> inProgress() {
            return new ArrayList<>(open);
        }

        @Override
        public List<Long> stillInProgress(List<Long> txIds) {
            statusQueries++;
            List<Long> still = new ArrayList<>(txIds);
            still.retainAll(open);
            return still;
        }

        @Override
        public Lsn currentWalLsn() {
            return Lsn.valueOf(walLsn);
        }
    }

    /** Polls as the backfill's loop does, past the throttle between two checks of the database. */
    private static boolean reachedWithin(BackfillEnd end, long processed) throws Exception {
        long deadline = System.currentTimeMillis() + 1_000;
        while (System.currentTimeMillis() < deadline) {
            if (end.reached(Lsn.valueOf(processed))) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    @Test
    void withNothingInProgressItEndsAtTheHighWatermark() throws Exception {
        ScriptedDatabase db = new ScriptedDatabase();
        BackfillEnd end = BackfillEnd.start(HIGH_WATERMARK, db);

        assertThat(end.reached(Lsn.valueOf(999L))).isFalse();
        assertThat(reachedWithin(end, 1_000)).isTrue();
        assertThat(db.statusQueries).as("no transaction to ask about").isZero();
    }

    @Test
    void itWaitsForATransactionInProgressAndThenForTheWalAfterIt() throws Exception {
        ScriptedDatabase db = new ScriptedDatabase();
        db.open.add(42L);
        BackfillEnd end = BackfillEnd.start(HIGH_WATERMARK, db);

        // Past the high watermark (another transaction committed there), but 42 is still open.
        assertThat(reachedWithin(end, 1_500)).isFalse();
        assertThat(db.statusQueries).isPositive();

        // 42 commits; the WAL now ends at 2,000: the stream must get there first.
        db.open.clear();
        db.walLsn = 2_000;
        assertThat(reachedWithin(end, 1_900)).isFalse();
        assertThat(reachedWithin(end, 2_000)).isTrue();
    }

    @Test
    void aTransactionThatStartsLaterIsNotWaitedFor() throws Exception {
        ScriptedDatabase db = new ScriptedDatabase();
        BackfillEnd end = BackfillEnd.start(HIGH_WATERMARK, db);
        db.open.add(43L);

        assertThat(reachedWithin(end, 1_000)).isTrue();
    }
}
