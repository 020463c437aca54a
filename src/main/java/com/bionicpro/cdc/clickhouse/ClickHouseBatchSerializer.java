package com.bionicpro.cdc.clickhouse;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checkpoint format of {@link ClickHouseBatch}; a new layout needs a new version, and the old ones
 * stay readable. Version 1: table, columns, row count, payload (plain TabSeparated). Version 2 adds
 * the payload's encoding before its length.
 */
public final class ClickHouseBatchSerializer implements SimpleVersionedSerializer<ClickHouseBatch> {
    static final int VERSION = 2;
    private static final byte PLAIN = 0;
    private static final byte DEFLATED = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    /**
     * The header goes through a small stream; the payload (megabytes during a snapshot, and it
     * sits in every checkpoint) is copied once, into an array of the exact size, instead of into
     * a growing stream and then out of it again.
     */
    @Override
    public byte[] serialize(ClickHouseBatch batch) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(header)) {
            out.writeUTF(batch.table);
            out.writeInt(batch.columns.size());
            for (String c : batch.columns) {
                out.writeUTF(c);
            }
            out.writeInt(batch.rowCount);
            out.writeByte(batch.deflated ? DEFLATED : PLAIN);
            out.writeInt(batch.payload.length);
        }
        byte[] serialized = Arrays.copyOf(header.toByteArray(), header.size() + batch.payload.length);
        System.arraycopy(batch.payload, 0, serialized, header.size(), batch.payload.length);
        return serialized;
    }

    @Override
    public ClickHouseBatch deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 && version != VERSION) {
            throw new IOException("unknown ClickHouseBatch version " + version + "; this job reads versions 1 to " + VERSION);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            String table = in.readUTF();
            int n = in.readInt();
            List<String> columns = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                columns.add(in.readUTF());
            }
            int rows = in.readInt();
            boolean deflated = false;
            if (version >= 2) {
                byte encoding = in.readByte();
                if (encoding != PLAIN && encoding != DEFLATED) {
                    throw new IOException("unknown ClickHouseBatch payload encoding " + encoding);
                }
                deflated = encoding == DEFLATED;
            }
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            return new ClickHouseBatch(table, columns, rows, payload, deflated);
        }
    }
}
