package com.bionicpro.cdc.source;

import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinition.TableDefinition;

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

    private final String sourceId;
    private final List<String> tables;
    private transient ListState<String> captured;

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
    public ChangeEvent map(ChangeEvent change) {
        return change;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Union state: after a rescale every subtask sees the list subtask 0 wrote.
        captured = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("captured-tables", Types.STRING));
        if (!context.isRestored()) {
            return;
        }
        Set<String> before = new TreeSet<>();
        captured.get().forEach(before::add);
        Set<String> added = new TreeSet<>(tables);
        added.removeAll(before);
        // Empty before: a savepoint of a version without this guard, nothing to compare with.
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
            captured.addAll(tables);
        }
    }
}
