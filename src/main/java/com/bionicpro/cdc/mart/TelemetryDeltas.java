package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.source.DebeziumValues;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Telemetry changes as contributions to daily windows: an insert (or snapshot read) enters its
 * day, a delete leaves it, an update leaves with the old row and enters with the new one.
 */
public class TelemetryDeltas implements FlatMapFunction<ChangeEvent, TelemetryDelta> {
    private static final long serialVersionUID = 1L;
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private final MartSchema schema;

    public TelemetryDeltas(MartSchema schema) {
        this.schema = schema;
    }

    @Override
    public void flatMap(ChangeEvent change, Collector<TelemetryDelta> out) {
        if (!schema.telemetryTable.equals(change.tableId)) {
            return;
        }
        if (change.before != null && (change.isDelete() || ChangeEvent.UPDATE.equals(change.op))) {
            out.collect(delta(change.before, -1));
        } else if (change.isDelete() || ChangeEvent.UPDATE.equals(change.op)) {
            throw new IllegalStateException("a telemetry " + change.op + " arrived without the old row; "
                    + "the table must have REPLICA IDENTITY FULL");
        }
        if (ChangeEvent.READ.equals(change.op)) {
            out.collect(delta(change.after, +1).fromSnapshot());
        } else if (!change.isDelete()) {
            out.collect(delta(change.after, +1));
        }
    }

    private TelemetryDelta delta(String[] row, int sign) {
        long micros = DebeziumValues.epochMicros(row[schema.telemetryTimestamp]);
        String battery = row[schema.telemetryBattery];
        return new TelemetryDelta(
                row[schema.telemetryProsthesisId],
                (int) Math.floorDiv(micros, MICROS_PER_DAY),
                sign,
                micros,
                battery == null ? null : Double.valueOf(battery),
                isCommand(row[schema.telemetryCommands]));
    }

    /** The report counts a row as a command when actuator_commands is neither NULL nor empty JSON. */
    static boolean isCommand(String json) {
        if (json == null) {
            return false;
        }
        String t = json.strip();
        return !(t.isEmpty() || t.equals("null") || t.equals("{}") || t.equals("[]"));
    }
}
