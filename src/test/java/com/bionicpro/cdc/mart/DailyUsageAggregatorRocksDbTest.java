package com.bionicpro.cdc.mart;

import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * The same tests on RocksDB, the backend of flink-conf/: there a state read returns a copy, so a
 * window changed on the heap and not written back would be lost, where the heap backend would
 * still see it.
 */
class DailyUsageAggregatorRocksDbTest extends DailyUsageAggregatorTest {
    @Override
    protected KeyedTwoInputStreamOperatorTestHarness<String, TelemetryDelta, Long, DailyUsage> newHarness(
            DailyUsageAggregator operator) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, TelemetryDelta, Long, DailyUsage> harness = super.newHarness(operator);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        return harness;
    }

    @Override
    protected String backend() {
        return "rocksdb";
    }
}
