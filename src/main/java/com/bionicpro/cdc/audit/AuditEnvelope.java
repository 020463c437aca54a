package com.bionicpro.cdc.audit;

import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.source.ChangeEvent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The audit log's JSON: the key is the primary key ({"id":"..."}), the value an envelope
 * <pre>
 * {"op":"u","before":{...},"after":{...},
 *  "source":{"database":"crm_db","schema":"public","table":"users","lsn":123,"txId":456,"ts_ms":1700000000000,"snapshot":false}}
 * </pre>
 * with values rendered by their PostgreSQL type: numbers and booleans as JSON, JSON columns as
 * embedded JSON, everything else (UUIDs, ISO-8601 timestamps and dates, exact decimals, text) as
 * strings.
 */
public final class AuditEnvelope {
    private static final JsonFactory JSON = new JsonFactory();

    private AuditEnvelope() {}

    public static byte[] key(TableSchema table, ChangeEvent change) {
        String[] row = change.row();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            for (int p : table.primaryKey) {
                g.writeFieldName(table.columns.get(p).name);
                writeValue(g, table.columns.get(p), row[p]);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] value(TableSchema table, ChangeEvent change) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("op", change.op);
            g.writeFieldName("before");
            writeRow(g, table, change.before);
            g.writeFieldName("after");
            writeRow(g, table, change.after);
            g.writeObjectFieldStart("source");
            g.writeStringField("database", table.database);
            g.writeStringField("schema", table.schema);
            g.writeStringField("table", table.table);
            g.writeNumberField("lsn", change.lsn);
            g.writeNumberField("txId", change.txId);
            g.writeNumberField("ts_ms", change.sourceTsMs);
            g.writeBooleanField("snapshot", ChangeEvent.READ.equals(change.op));
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeRow(JsonGenerator g, TableSchema table, String[] row) throws IOException {
        if (row == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (int i = 0; i < row.length; i++) {
            ColumnSchema column = table.columns.get(i);
            g.writeFieldName(column.name);
            writeValue(g, column, row[i]);
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, ColumnSchema column, String value) throws IOException {
        if (value == null) {
            g.writeNull();
            return;
        }
        switch (column.type.json) {
            case NUMBER:
                if (value.equals("NaN") || value.endsWith("Infinity")) {
                    g.writeString(value); // not representable as a JSON number
                } else {
                    g.writeNumber(value);
                }
                break;
            case BOOLEAN:
                g.writeBoolean(Boolean.parseBoolean(value));
                break;
            case RAW_JSON:
                g.writeRawValue(value);
                break;
            default:
                g.writeString(value);
        }
    }
}
