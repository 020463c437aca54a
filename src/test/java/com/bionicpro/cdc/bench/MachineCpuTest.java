package com.bionicpro.cdc.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The machine's CPU time from /proc/stat's cpu line, as the benchmarks record it. */
class MachineCpuTest {
    @Test
    void busyIsUserNiceSystemIrqSoftirqAndStealIsApart() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        MachineCpu start = MachineCpu.parse("cpu  1000 10 300 9000 50 5 20 400 0 0");
        MachineCpu end = MachineCpu.parse("cpu  1600 10 400 9100 90 5 40 450 0 0");
        assertThat(start).isEqualTo(new MachineCpu(1335, 400));
        ObjectNode result = end.addSince(start, BenchContext.JSON.createObjectNode());
        assertThat(result.get("machineCpuSeconds").asDouble()).isEqualTo(7.2); // 720 ticks at USER_HZ 100
        assertThat(result.get("stealSeconds").asDouble()).isEqualTo(0.5);
    }

    @Test
    void readsThisMachinesCounters() {
        MachineCpu first = MachineCpu.now();
        assertThat(first.busyTicks()).isPositive();
        assertThat(MachineCpu.now().busyTicks()).isGreaterThanOrEqualTo(first.busyTicks());
        assertThatThrownBy(() -> MachineCpu.parse("cpu0 1 2 3 4 5 6 7 8")).isInstanceOf(IllegalArgumentException.class);
    }
}
