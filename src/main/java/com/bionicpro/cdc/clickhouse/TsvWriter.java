package com.bionicpro.cdc.clickhouse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds ClickHouse TabSeparated rows into one growing byte array: the body of an INSERT, kept as
 * bytes between a checkpoint barrier and its commit. Not thread-safe.
 */
public final class TsvWriter {
    private byte[] buf;
    private int size;
    private boolean rowStarted;

    public TsvWriter(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    public int size() {
        return size;
    }

    public byte[] buffer() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    public void reset() {
        size = 0;
        rowStarted = false;
    }

    private void separator() {
        if (rowStarted) {
            put((byte) '\t');
        }
        rowStarted = true;
    }

    public TsvWriter nullValue() {
        separator();
        ensure(2);
        buf[size++] = '\\';
        buf[size++] = 'N';
        return this;
    }

    /** A value written as is: numbers, dates; must contain no tab, newline or backslash. */
    public TsvWriter raw(String value) {
        separator();
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    public TsvWriter number(long value) {
        return raw(Long.toString(value));
    }

    /**
     * A DateTime as ten-digit Unix seconds: read the same by every ClickHouse whatever its time
     * zone (18.16 needs the ten digits; current versions accept the leading zeros), clamped to
     * DateTime's range 1970-01-01 .. 2106-02-07.
     */
    public TsvWriter dateTime(long epochSeconds) {
        long clamped = Math.max(0, Math.min(epochSeconds, 4_294_967_295L));
        String digits = Long.toString(clamped);
        return raw("0000000000".substring(digits.length()) + digits);
    }

    /** A string with TabSeparated escaping. */
    public TsvWriter string(String value) {
        separator();
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        ensure(b.length * 2);
        for (byte c : b) {
            switch (c) {
                case '\\':
                    buf[size++] = '\\';
                    buf[size++] = '\\';
                    break;
                case '\t':
                    buf[size++] = '\\';
                    buf[size++] = 't';
                    break;
                case '\n':
                    buf[size++] = '\\';
                    buf[size++] = 'n';
                    break;
                case '\r':
                    buf[size++] = '\\';
                    buf[size++] = 'r';
                    break;
                case 0:
                    buf[size++] = '\\';
                    buf[size++] = '0';
                    break;
                case '\b':
                    buf[size++] = '\\';
                    buf[size++] = 'b';
                    break;
                case '\f':
                    buf[size++] = '\\';
                    buf[size++] = 'f';
                    break;
                default:
                    buf[size++] = c;
            }
        }
        return this;
    }

    public TsvWriter endRow() {
        ensure(1);
        buf[size++] = '\n';
        rowStarted = false;
        return this;
    }

    /** Appends rows written by another writer. */
    public void append(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, size, length);
        size += length;
    }

    private void put(byte b) {
        ensure(1);
        buf[size++] = b;
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) size + extra);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a ClickHouse batch exceeded 2 GiB; lower the checkpoint interval");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }

    /** Reverses TabSeparated escaping of one field; "\N" stays as it is (callers decide on NULL). */
    public static String unescape(String field) {
        if (field.indexOf('\\') < 0 || "\\N".equals(field)) {
            return field;
        }
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                char n = field.charAt(++i);
                switch (n) {
                    case 't':
                        sb.append('\t');
                        break;
                    case 'n':
                        sb.append('\n');
                        break;
                    case 'r':
                        sb.append('\r');
                        break;
                    case '0':
                        sb.append('\0');
                        break;
                    case 'b':
                        sb.append('\b');
                        break;
                    case 'f':
                        sb.append('\f');
                        break;
                    default:
                        sb.append(n);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
