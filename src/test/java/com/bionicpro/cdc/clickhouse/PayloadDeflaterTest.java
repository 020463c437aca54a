package com.bionicpro.cdc.clickhouse;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.UUID;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/** The sink's batches are compressed by one deflater per writer, reused from batch to batch. */
class PayloadDeflaterTest {
    @Test
    void batchesOfEverySizeInflateToTheirRows() throws Exception {
        try (PayloadDeflater deflater = new PayloadDeflater()) {
            // Small, then large enough to outgrow the retained buffer, then small again on the reused deflater.
            for (int rows : new int[] {1, 2_000, 120_000, 3}) {
                byte[] tsv = rows(rows);
                byte[] compressed = deflater.deflate(withSlack(tsv), tsv.length);
                assertThat(inflate(compressed)).isEqualTo(tsv);
                if (rows > 1_000) {
                    assertThat(compressed.length).as("compressed size of %d rows", rows).isLessThan(tsv.length / 2);
                }
            }
        }
    }

    /** Incompressible input grows the output past its first guess; nothing is cut off. */
    @Test
    void incompressibleInputIsKeptWhole() throws Exception {
        byte[] noise = new byte[1 << 20];
        new Random(3).nextBytes(noise);
        try (PayloadDeflater deflater = new PayloadDeflater()) {
            assertThat(inflate(deflater.deflate(noise, noise.length))).isEqualTo(noise);
        }
    }

    @Test
    void anEmptyBatchStaysAValidStream() throws Exception {
        try (PayloadDeflater deflater = new PayloadDeflater()) {
            assertThat(inflate(deflater.deflate(new byte[16], 0))).isEmpty();
        }
    }

    /** Rows shaped like the telemetry replica's: random ids, repetitive JSON. */
    private static byte[] rows(int n) {
        Random random = new Random(n);
        TsvWriter tsv = new TsvWriter(64);
        for (int i = 0; i < n; i++) {
            tsv.string(new UUID(random.nextLong(), random.nextLong()).toString())
                    .string("{\"sensor1\": " + random.nextInt(100) + ", \"sensor3\": false}")
                    .number(1_796_000_000_000L + i).number(0).endRow();
        }
        return tsv.toByteArray();
    }

    /** The writer hands over its buffer, which is longer than the rows in it. */
    private static byte[] withSlack(byte[] tsv) {
        byte[] buffer = new byte[tsv.length + 100];
        System.arraycopy(tsv, 0, buffer, 0, tsv.length);
        buffer[tsv.length] = 'X';
        return buffer;
    }

    private static byte[] inflate(byte[] compressed) throws DataFormatException {
        Inflater inflater = new Inflater();
        inflater.setInput(compressed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 << 10];
        while (!inflater.finished()) {
            int n = inflater.inflate(chunk);
            if (n == 0 && !inflater.finished() && inflater.needsInput()) {
                throw new AssertionError("truncated stream after " + out.size() + " bytes");
            }
            out.write(chunk, 0, n);
        }
        inflater.end();
        return out.toByteArray();
    }
}
