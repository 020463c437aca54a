package com.bionicpro.cdc.mart;

import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The same tests on RocksDB, the backend of flink-conf/: there a state read returns a copy, so a
 * window changed on the heap and not written back would be lost, where the heap backend would
 * still see it.
 */
class DailyUsageAggregatorRocksDbTest extends DailyUsageAggregatorTest {
    @Override
    protected KeyedOneInputStreamOperatorTestHarness<String, TelemetryDelta, DailyUsage> newHarness(int windowsPerCheckpoint)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TelemetryDelta, DailyUsage> harness = super.newHarness(windowsPerCheckpoint);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        return harness;
    }
}
