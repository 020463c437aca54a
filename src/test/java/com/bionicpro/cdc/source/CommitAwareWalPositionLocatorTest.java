package com.bionicpro.cdc.source;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationMessage;
import io.debezium.connector.postgresql.connection.ReplicationMessage.Operation;
import io.debezium.connector.postgresql.connection.TransactionMessage;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import io.debezium.connector.postgresql.connection.pgoutput.PgOutputReplicationMessage;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which changes a restored stream emits, replaying the protocol of Debezium's streaming source
 * (locate the position, then reconnect and filter every message) over a WAL as PostgreSQL resends
 * it from the stored position.
 */
class CommitAwareWalPositionLocatorTest {
    private static final Lsn Y = Lsn.valueOf(0x7852110L);

    /** One message as the replication stream delivers it: its LSN, and for a change its name. */
    private record Message(long lsn, ReplicationMessage message, String change) {}

    private static Message begin(long lsn, long txId) {
        return new Message(lsn, new TransactionMessage(Operation.BEGIN, txId, Instant.EPOCH), null);
    }

    private static Message insert(long lsn, long txId, String change) {
        return new Message(lsn, new PgOutputReplicationMessage(Operation.INSERT, "public.telemetry_data", Instant.EPOCH,
                txId, null, List.of()), change);
    }

    private static Message commit(long lsn, long txId) {
        return new Message(lsn, new TransactionMessage(Operation.COMMIT, txId, Instant.EPOCH), null);
    }

    /** The changes that pass: as PostgresStreamingChangeEventSource.searchWalPosition, then processMessages. */
    private static List<String> emitted(WalPositionLocator locator, List<Message> wal) {
        Optional<Lsn> resume = Optional.empty();
        for (Message m : wal) {
            resume = locator.resumeFromLsn(Lsn.valueOf(m.lsn), m.message);
            if (resume.isPresent()) {
                break;
            }
        }
        assertThat(resume).as("a resume position is found").isPresent();
        locator.enableFiltering();
        List<String> out = new ArrayList<>();
        for (Message m : wal) {
            // pgoutput asks for every message; only changes are actually dropped when skipped.
            boolean skipped = locator.skipMessage(Lsn.valueOf(m.lsn));
            if (m.change != null && !skipped) {
                out.add(m.change);
            }
        }
        return out;
    }

    @Test
    void aTransactionStartingAtTheStoredCommitPositionIsEmittedWhole() {
        // Stored after transaction 41 committed at Y; transaction 42's first record follows it directly.
        List<Message> wal = List.of(
                begin(Y.asLong(), 42), insert(Y.asLong(), 42, "row A"), commit(Y.asLong() + 0x100, 42),
                begin(Y.asLong() + 0x100, 43), insert(Y.asLong() + 0x100, 43, "row B"), commit(Y.asLong() + 0x200, 43));

        assertThat(emitted(new CommitAwareWalPositionLocator(Y, Y, 41L), wal)).containsExactly("row A", "row B");
        // Debezium 1.9.8 alone takes row A for the processed change at Y and loses it (FLINK-39265).
        assertThat(emitted(new WalPositionLocator(Y, Y), wal)).containsExactly("row B");
    }

    @Test
    void aTransactionThatBeganBeforeTheStoredCommitIsEmittedWhole() {
        // Transaction 42 wrote before 41 committed at Y and then wrote at Y: none of it was processed.
        List<Message> wal = List.of(
                begin(Y.asLong() - 0x80, 42), insert(Y.asLong() - 0x80, 42, "row A"), insert(Y.asLong(), 42, "row B"),
                commit(Y.asLong() + 0x100, 42));

        assertThat(emitted(new CommitAwareWalPositionLocator(Y, Y, 41L), wal)).containsExactly("row A", "row B");
        assertThat(emitted(new WalPositionLocator(Y, Y), wal)).isEmpty();
    }

    @Test
    void aProcessedChangeAtTheSameLsnIsNotEmittedAgain() {
        // Stored after transaction 42's change at Y (before its commit): lsn_proc = lsn_commit = Y as well.
        List<Message> wal = List.of(
                begin(Y.asLong(), 42), insert(Y.asLong(), 42, "row A"), insert(Y.asLong() + 0x80, 42, "row B"),
                commit(Y.asLong() + 0x100, 42));

        assertThat(emitted(new CommitAwareWalPositionLocator(Y, Y, 42L), wal)).containsExactly("row B");
    }

    @Test
    void aPositionInsideATransactionIsLocatedAsDebeziumDoes() {
        Lsn commit = Lsn.valueOf(Y.asLong() - 0x400);
        Lsn change = Lsn.valueOf(Y.asLong() + 0x80);
        List<Message> wal = List.of(
                begin(Y.asLong(), 42), insert(Y.asLong(), 42, "row A"), insert(change.asLong(), 42, "row B"),
                insert(Y.asLong() + 0x100, 42, "row C"), commit(Y.asLong() + 0x180, 42));

        assertThat(emitted(new CommitAwareWalPositionLocator(commit, change, 42L), wal)).containsExactly("row C");
        assertThat(emitted(new WalPositionLocator(commit, change), wal)).containsExactly("row C");
    }

    @Test
    void onlyEqualCommitAndChangePositionsCanBeACommit() {
        assertThat(CommitAwareWalPositionLocator.isCommitPosition(Y, Y)).isTrue();
        assertThat(CommitAwareWalPositionLocator.isCommitPosition(Y, Lsn.valueOf(Y.asLong() + 8))).isFalse();
        assertThat(CommitAwareWalPositionLocator.isCommitPosition(null, Y)).isFalse();
    }
}
