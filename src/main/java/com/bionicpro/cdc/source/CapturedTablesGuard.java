package com.bionicpro.cdc.source;

import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinition.TableDefinition;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Pass-through that remembers, in checkpoints and savepoints, which tables its source captures,
 * and refuses to resume when the definition adds one to the same source. The slot only holds
 * changes from the savepoint on, so the added table's existing rows would be missing for good;
 * the job fails once, without restarts, naming the table and the way out (a new source with its
 * own slot snapshots the table). Removing a table is allowed: its changes are no longer emitted.
 */
public class CapturedTablesGuard extends RichMapFunction<ChangeEvent, ChangeEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Before 2026-12: union list state, one entry per table (see initializeState). */
    static final String LEGACY_UNION_STATE = "captured-tables";

    private final String sourceId;
    private final List<String> tables;
    private transient ListState<List<String>> captured;

    /** @param tables the source's tables as schema.table */
    public CapturedTablesGuard(String sourceId, List<String> tables) {
        this.sourceId = sourceId;
        this.tables = new ArrayList<>(tables);
    }

    public static CapturedTablesGuard of(SourceDefinition source) {
        return new CapturedTablesGuard(source.id,
                source.tables.stream().map(TableDefinition::qualifiedName).collect(Collectors.toList()));
    }

    @Override
    public void open(OpenContext openContext) {
        // The first user function of every source's chain, so it runs on each TaskManager that reads.
        JdbcClassLoaderRelease.registerOn(getRuntimeContext());
    }

    @Override
    public ChangeEvent map(ChangeEvent change) {
        return change;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Split-distributed list state holding one element, the whole table list, written by
        // subtask 0: after a rescale exactly one subtask gets it and checks, which is enough to
        // stop the job. Not union state: Flink refuses a savepoint of a vertex with union state
        // when some of its subtasks report finished operators and others do not
        // (PartialFinishingNotSupportedByStateException, FLIP-147), which a stop-with-savepoint of
        // this source-chained operator ran into at parallelism 2; the job then fails over.
        captured = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("captured-table-list", Types.LIST(Types.STRING)));
        if (!context.isRestored()) {
            return;
        }
        Set<String> before = new TreeSet<>();
        captured.get().forEach(before::addAll);
        // A savepoint of the union layout: Flink keeps restored operator state whether or not it
        // is asked for, so reading it adds nothing the next snapshot would not carry anyway.
        if (context.getOperatorStateStore().getRegisteredStateNames().contains(LEGACY_UNION_STATE)) {
            ListState<String> legacy = context.getOperatorStateStore()
                    .getUnionListState(new ListStateDescriptor<>(LEGACY_UNION_STATE, Types.STRING));
            legacy.get().forEach(before::add);
            legacy.clear();
        }
        Set<String> added = new TreeSet<>(tables);
        added.removeAll(before);
        // Empty before: another subtask holds the list, or a savepoint without one.
        if (!before.isEmpty() && !added.isEmpty()) {
            throw new SuppressRestartsException(new IllegalStateException(addedTablesMessage(before, added)));
        }
    }

    String addedTablesMessage(Set<String> before, Set<String> added) {
        return "source '" + sourceId + "' resumes from a checkpoint or savepoint taken while it captured " + before
                + ", and the job definition adds " + added + " to it. Their existing rows would never be read "
                + "(the slot only holds changes from the savepoint on). Capture them in a new source with its own "
                + "slot and publication instead: it snapshots them when the job resumes. See README, Upgrades through savepoints.";
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        captured.clear();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            captured.add(List.copyOf(tables));
        }
    }
}
