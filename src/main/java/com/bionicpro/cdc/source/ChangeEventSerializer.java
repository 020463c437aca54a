package com.bionicpro.cdc.source;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * How a {@link ChangeEvent} travels between tasks (every change crosses the network once, keyed by
 * its row, into the snapshot-boundary dedup; CRM rows once more into the mart joins).
 *
 * <p>Why not Flink's POJO serializer: it writes each value with {@link StringValue}'s
 * per-character encoding, and reading that back is one virtual call per byte
 * ({@code NonSpanningWrapper.readUnsignedByte}); draining a streaming backlog, that decoding was
 * 22% of the TaskManager's CPU. Here a string whose characters are all Latin-1 (every UUID,
 * number, timestamp and JSON document of ASCII text) is its length and its bytes, copied in one
 * call each way; any other string falls back to {@link StringValue}, so every string round-trips
 * exactly.
 *
 * <p>Not in any state: change events only cross the network, and savepoints hold no in-flight
 * records (they are always aligned), so this format may change between versions of the job.
 */
public final class ChangeEventSerializer extends TypeSerializerSingleton<ChangeEvent> {
    private static final long serialVersionUID = 1L;
    public static final ChangeEventSerializer INSTANCE = new ChangeEventSerializer();

    /** String header: 0 is null, 2 a {@link StringValue} follows, (length << 1) | 1 Latin-1 bytes follow. */
    private static final int NULL = 0;
    private static final int STRING_VALUE = 2;
    /** Longer Latin-1 strings take the fallback, so that (length << 1) | 1 stays a positive int. */
    private static final int MAX_LATIN1_LENGTH = Integer.MAX_VALUE >> 1;

    private ChangeEventSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ChangeEvent createInstance() {
        return new ChangeEvent();
    }

    @Override
    public ChangeEvent copy(ChangeEvent from) {
        return copy(from, new ChangeEvent());
    }

    /** Strings are immutable, so a copy shares them; the arrays are its own. */
    @Override
    public ChangeEvent copy(ChangeEvent from, ChangeEvent reuse) {
        reuse.tableId = from.tableId;
        reuse.op = from.op;
        reuse.lsn = from.lsn;
        reuse.txId = from.txId;
        reuse.sourceTsMs = from.sourceTsMs;
        reuse.before = from.before == null ? null : from.before.clone();
        reuse.after = from.after == null ? null : from.after.clone();
        reuse.mergedChange = from.mergedChange;
        return reuse;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ChangeEvent e, DataOutputView out) throws IOException {
        writeString(e.tableId, out);
        writeString(e.op, out);
        out.writeLong(e.lsn);
        out.writeLong(e.txId);
        out.writeLong(e.sourceTsMs);
        out.writeBoolean(e.mergedChange);
        writeStrings(e.before, out);
        writeStrings(e.after, out);
    }

    @Override
    public ChangeEvent deserialize(DataInputView in) throws IOException {
        return deserialize(new ChangeEvent(), in);
    }

    @Override
    public ChangeEvent deserialize(ChangeEvent reuse, DataInputView in) throws IOException {
        reuse.tableId = readString(in);
        reuse.op = readString(in);
        reuse.lsn = in.readLong();
        reuse.txId = in.readLong();
        reuse.sourceTsMs = in.readLong();
        reuse.mergedChange = in.readBoolean();
        reuse.before = readStrings(in);
        reuse.after = readStrings(in);
        return reuse;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<ChangeEvent> snapshotConfiguration() {
        return new ChangeEventSerializerSnapshot();
    }

    private static void writeStrings(String[] values, DataOutputView out) throws IOException {
        if (values == null) {
            writeVarInt(0, out);
            return;
        }
        writeVarInt(values.length + 1, out);
        for (String v : values) {
            writeString(v, out);
        }
    }

    private static String[] readStrings(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) {
            return null;
        }
        String[] values = new String[n - 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = readString(in);
        }
        return values;
    }

    static void writeString(String s, DataOutputView out) throws IOException {
        if (s == null) {
            writeVarInt(NULL, out);
        } else if (s.length() <= MAX_LATIN1_LENGTH && isLatin1(s)) {
            writeVarInt((s.length() << 1) | 1, out);
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        } else {
            writeVarInt(STRING_VALUE, out);
            StringValue.writeString(s, out);
        }
    }

    static String readString(DataInputView in) throws IOException {
        int header = readVarInt(in);
        if (header == NULL) {
            return null;
        }
        if (header == STRING_VALUE) {
            return StringValue.readString(in);
        }
        if ((header & 1) == 0) {
            throw new IOException("corrupt change event: string header " + header);
        }
        byte[] bytes = new byte[header >>> 1];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static boolean isLatin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static void writeVarInt(int v, DataOutputView out) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int readVarInt(DataInputView in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt change event: variable-length int longer than 5 bytes");
    }

    /** Restores the serializer of the same format; there is one so far. */
    public static final class ChangeEventSerializerSnapshot extends SimpleTypeSerializerSnapshot<ChangeEvent> {
        public ChangeEventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
