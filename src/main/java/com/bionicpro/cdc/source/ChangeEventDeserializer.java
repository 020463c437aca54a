package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.TableSchema;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debezium's change records of one PostgreSQL source to {@link ChangeEvent}s. Tables that are not
 * in the catalog (the heartbeat table) are skipped; a record whose columns no longer match the
 * catalog (a column added, dropped or retyped while the job runs) fails the job with a message
 * that names the table and column, and nothing is lost: the slot keeps the change.
 */
public class ChangeEventDeserializer implements DebeziumDeserializationSchema<ChangeEvent> {
    private static final long serialVersionUID = 1L;

    /** Debezium's stand-in for an unchanged TOASTed value it did not receive. */
    static final String UNAVAILABLE_VALUE = "__debezium_unavailable_value";

    private final String sourceId;
    private final CaptureCatalog catalog;

    /** Per Connect schema of a row: how to read it into catalog order. Rebuilt after restarts. */
    private transient Map<Schema, RowReader> readers;

    public ChangeEventDeserializer(String sourceId, CaptureCatalog catalog) {
        this.sourceId = sourceId;
        this.catalog = catalog;
    }

    @Override
    public void deserialize(SourceRecord record, Collector<ChangeEvent> out) {
        if (!(record.value() instanceof Struct)) {
            return; // a tombstone: deletes already arrive as op=d
        }
        Struct value = (Struct) record.value();
        if (value.schema().field("op") == null) {
            return; // not a data change
        }
        Struct source = value.getStruct("source");
        TableSchema table = catalog.get(sourceId, source.getString("schema"), source.getString("table"));
        if (table == null) {
            return; // e.g. public.cdc_heartbeat: in the publication only to move the slot
        }
        String op = value.getString("op");
        Struct beforeStruct = value.getStruct("before");
        Struct afterStruct = value.getStruct("after");
        String[] before = beforeStruct == null ? null : read(table, beforeStruct);
        String[] after = afterStruct == null ? null : read(table, afterStruct);
        if (after != null) {
            restoreUnchangedToast(table, before, after);
        }
        Long lsn = source.getInt64("lsn");
        // A read with a position is a change merged into its snapshot chunk (it keeps the change's source).
        boolean mergedChange = ChangeEvent.READ.equals(op) && lsn != null && lsn != 0;
        if ((lsn == null || lsn == 0) && ChangeEvent.READ.equals(op)) {
            // Flink CDC stamps no position on snapshot reads. The WAL position when the job was
            // built is below every change the stream will deliver for the row and above every
            // change an earlier run could have written: the replica's version order holds.
            lsn = catalog.snapshotLsn(sourceId);
        }
        Long txId = source.getInt64("txId");
        Long tsMs = source.getInt64("ts_ms");
        ChangeEvent change = new ChangeEvent(
                table.id(),
                op,
                lsn == null ? 0L : lsn,
                txId == null ? 0L : txId,
                tsMs == null ? 0L : tsMs,
                before,
                after);
        change.mergedChange = mergedChange;
        out.collect(change);
    }

    private String[] read(TableSchema table, Struct row) {
        if (readers == null) {
            readers = new IdentityHashMap<>();
        }
        RowReader reader = readers.get(row.schema());
        if (reader == null) {
            reader = new RowReader(table, row.schema());
            readers.put(row.schema(), reader);
        }
        return reader.read(row);
    }

    /**
     * pgoutput does not resend a TOASTed value that an UPDATE left unchanged; Debezium puts a
     * placeholder there. With REPLICA IDENTITY FULL (required by the preflight) the old row has it.
     */
    private static void restoreUnchangedToast(TableSchema table, String[] before, String[] after) {
        for (int i = 0; i < after.length; i++) {
            if (UNAVAILABLE_VALUE.equals(after[i])) {
                if (before == null || UNAVAILABLE_VALUE.equals(before[i])) {
                    throw new IllegalStateException(
                            "unchanged TOAST value of " + table.schema + "." + table.table + "." + table.columns.get(i).name
                                    + " arrived without its old value; is REPLICA IDENTITY still FULL?");
                }
                after[i] = before[i];
            }
        }
    }

    @Override
    public TypeInformation<ChangeEvent> getProducedType() {
        return TypeInformation.of(ChangeEvent.class);
    }

    /** Reads a row struct of one Connect schema into catalog column order. */
    private static final class RowReader {
        private final Field[] fields;
        private final DebeziumValues.Renderer[] renderers;

        RowReader(TableSchema table, Schema rowSchema) {
            String qualified = table.database + "." + table.schema + "." + table.table;
            List<String> added = new ArrayList<>();
            for (Field f : rowSchema.fields()) {
                if (table.position(f.name()) < 0) {
                    added.add(f.name());
                }
            }
            List<String> missing = new ArrayList<>();
            fields = new Field[table.columns.size()];
            renderers = new DebeziumValues.Renderer[fields.length];
            for (int i = 0; i < fields.length; i++) {
                ColumnSchema column = table.columns.get(i);
                fields[i] = rowSchema.field(column.name);
                if (fields[i] == null) {
                    missing.add(column.name);
                } else {
                    renderers[i] = DebeziumValues.rendererFor(column, fields[i].schema(), qualified);
                }
            }
            if (!added.isEmpty() || !missing.isEmpty()) {
                throw new IllegalStateException(
                        String.format(
                                "schema drift in %s: columns added %s, dropped %s since the job started. "
                                        + "Apply the change to the ClickHouse tables and resubmit the job from its "
                                        + "last savepoint; the replication slot keeps every change meanwhile.",
                                qualified, added, missing));
            }
        }

        String[] read(Struct row) {
            String[] values = new String[fields.length];
            for (int i = 0; i < fields.length; i++) {
                // Not row.get(): Connect substitutes a column's default (epoch 0 for CURRENT_TIMESTAMP) for NULL.
                Object v = row.getWithoutDefault(fields[i].name());
                values[i] = v == null ? null : renderers[i].render(v);
            }
            return values;
        }
    }
}
