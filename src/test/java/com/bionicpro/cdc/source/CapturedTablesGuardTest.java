package com.bionicpro.cdc.source;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The guard against adding a table to a source through a savepoint, with Flink's state restore. */
class CapturedTablesGuardTest {
    private static final List<String> V1 = List.of("public.users", "public.prostheses");

    @Test
    void passesChangesThroughAndResumesWithTheSameTables() throws Exception {
        OperatorSubtaskState savepoint;
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v1 = harness(V1, 1, 0)) {
            v1.initializeEmptyState();
            v1.open();
            ChangeEvent change = new ChangeEvent("crm.public.users", ChangeEvent.CREATE, 7, 1, 1, null, new String[] {"u"});
            v1.processElement(new StreamRecord<>(change));
            assertThat(v1.extractOutputValues()).containsExactly(change);
            savepoint = v1.snapshot(1, 1);
        }
        // Same tables in another order, at another parallelism: resumes.
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v2 =
                harness(List.of("public.prostheses", "public.users"), 2, 1)) {
            v2.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(savepoint, 128, 1, 2, 1));
            v2.open();
        }
    }

    @Test
    void allowsATableToBeRemoved() throws Exception {
        OperatorSubtaskState savepoint = savepointOf(V1);
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v2 = harness(List.of("public.users"), 1, 0)) {
            v2.initializeState(savepoint);
            v2.open();
            // The next savepoint records what the source captures now.
            OperatorSubtaskState next = v2.snapshot(2, 2);
            try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v3 = harness(V1, 1, 0)) {
                assertThatThrownBy(() -> v3.initializeState(next))
                        .isInstanceOf(SuppressRestartsException.class)
                        .rootCause().hasMessageContaining("adds [public.prostheses]");
            }
        }
    }

    @Test
    void refusesATableAddedToTheSourceWithoutRestarts() throws Exception {
        OperatorSubtaskState savepoint = savepointOf(V1);
        // Rescaled to 2: the subtask that gets the list refuses, which fails the whole job.
        int refused = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v2 =
                    harness(List.of("public.users", "public.prostheses", "public.calibrations"), 2, subtask)) {
                OperatorSubtaskState share = AbstractStreamOperatorTestHarness.repartitionOperatorState(savepoint, 128, 1, 2, subtask);
                try {
                    v2.initializeState(share);
                } catch (SuppressRestartsException e) {
                    refused++;
                    assertThat(e).rootCause()
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("source 'crm'")
                            .hasMessageContaining("captured [public.prostheses, public.users]")
                            .hasMessageContaining("adds [public.calibrations]")
                            .hasMessageContaining("new source with its own slot");
                }
            }
        }
        assertThat(refused).isEqualTo(1);
    }

    @Test
    void keepsNoUnionStateSoStopWithSavepointCannotTripOnIt() throws Exception {
        // Flink fails stop-with-savepoint of a vertex with union state whose subtasks finish unevenly.
        assertThat(distributionModes(savepointOf(V1))).containsOnly(OperatorStateHandle.Mode.SPLIT_DISTRIBUTE);
    }

    @Test
    void checksASavepointOfTheUnionLayout() throws Exception {
        OperatorSubtaskState legacy;
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v1 =
                new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new UnionLayoutGuard(V1)), 128, 1, 0)) {
            v1.initializeEmptyState();
            v1.open();
            legacy = v1.snapshot(1, 1);
        }
        assertThat(distributionModes(legacy)).containsOnly(OperatorStateHandle.Mode.UNION);
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v2 =
                harness(List.of("public.users", "public.prostheses", "public.calibrations"), 1, 0)) {
            assertThatThrownBy(() -> v2.initializeState(legacy))
                    .isInstanceOf(SuppressRestartsException.class)
                    .rootCause().hasMessageContaining("adds [public.calibrations]");
        }
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v2 = harness(V1, 1, 0)) {
            v2.initializeState(legacy);
            v2.open();
            // The list moves to the new layout; the next snapshot checks as before.
            OperatorSubtaskState next = v2.snapshot(2, 2);
            try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v3 =
                    harness(List.of("public.users", "public.prostheses", "public.calibrations"), 1, 0)) {
                assertThatThrownBy(() -> v3.initializeState(next)).isInstanceOf(SuppressRestartsException.class);
            }
        }
    }

    @Test
    void resumesFromAStateWithoutTheList() throws Exception {
        // A savepoint of the operator before it wrote the list (no entries): nothing to compare with.
        OperatorSubtaskState empty;
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> none = harness(V1, 2, 1)) {
            none.initializeEmptyState();
            none.open();
            empty = none.snapshot(1, 1); // subtask 1 writes no entries
        }
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> v2 =
                harness(List.of("public.users", "public.prostheses", "public.calibrations"), 1, 0)) {
            v2.initializeState(empty);
            v2.open();
        }
    }

    private static OperatorSubtaskState savepointOf(List<String> tables) throws Exception {
        try (OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> h = harness(tables, 1, 0)) {
            h.initializeEmptyState();
            h.open();
            return h.snapshot(1, 1);
        }
    }

    private static OneInputStreamOperatorTestHarness<ChangeEvent, ChangeEvent> harness(
            List<String> tables, int parallelism, int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new StreamMap<>(new CapturedTablesGuard("crm", tables)), 128, parallelism, subtask);
    }

    private static Set<OperatorStateHandle.Mode> distributionModes(OperatorSubtaskState state) {
        return state.getManagedOperatorState().stream()
                .flatMap(handle -> handle.getStateNameToPartitionOffsets().values().stream())
                .map(OperatorStateHandle.StateMetaInfo::getDistributionMode)
                .collect(Collectors.toSet());
    }

    /** The guard's state as versions before 2026-12 wrote it: union list state, one entry per table. */
    private static final class UnionLayoutGuard extends RichMapFunction<ChangeEvent, ChangeEvent> implements CheckpointedFunction {
        private final List<String> tables;
        private transient ListState<String> captured;

        UnionLayoutGuard(List<String> tables) {
            this.tables = tables;
        }

        @Override
        public ChangeEvent map(ChangeEvent change) {
            return change;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            captured = context.getOperatorStateStore().getUnionListState(
                    new ListStateDescriptor<>(CapturedTablesGuard.LEGACY_UNION_STATE, Types.STRING));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            captured.update(tables);
        }
    }
}
