package com.bionicpro.cdc.clickhouse;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * zlib compression of insert bodies at its fastest level (HTTP's {@code deflate}, which ClickHouse
 * 18.16 and current ClickHouse both accept), with the deflater and its output buffer kept between
 * batches. Not thread-safe: one per sink writer.
 */
final class PayloadDeflater implements AutoCloseable {
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private byte[] out = new byte[64 << 10];

    byte[] deflate(byte[] in, int length) {
        deflater.reset();
        deflater.setInput(in, 0, length);
        deflater.finish();
        if (out.length < length / 2) {
            // TabSeparated change rows compress to about a third; start there instead of doubling up to it.
            out = new byte[length / 2];
        }
        int n = 0;
        while (!deflater.finished()) {
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            n += deflater.deflate(out, n, out.length - n);
        }
        byte[] compressed = Arrays.copyOf(out, n);
        if (out.length > ClickHouseSinkWriter.RETAINED_BUFFER_BYTES) {
            out = new byte[64 << 10];
        }
        return compressed;
    }

    @Override
    public void close() {
        deflater.end();
    }
}
