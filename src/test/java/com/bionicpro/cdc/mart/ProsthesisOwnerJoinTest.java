package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.source.RowKeySelector;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static com.bionicpro.cdc.mart.MartHarness.change;
import static com.bionicpro.cdc.mart.MartHarness.prosthesis;
import static com.bionicpro.cdc.mart.MartHarness.usage;
import static org.assertj.core.api.Assertions.assertThat;

/** A prosthesis' owner decides where its days go; an owner change moves them all. */
class ProsthesisOwnerJoinTest {
    private KeyedTwoInputStreamOperatorTestHarness<String, ChangeEvent, DailyUsage, OwnerMessage> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new ProsthesisOwnerJoin(MartHarness.SCHEMA)),
                new RowKeySelector(0), u -> u.prosthesisId, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private List<String> drain() {
        List<String> out = harness.extractOutputValues().stream()
                .map(m -> m.kind + " " + m.prosthesisId + "->" + m.userId + (m.usage == null ? "" : " day " + m.usage.day))
                .collect(Collectors.toList());
        harness.getOutput().clear();
        return out;
    }

    @Test
    void daysWaitForTheirProsthesisThenFollowItsOwner() throws Exception {
        harness.processElement2(new StreamRecord<>(usage("p1", 10, 3)));
        harness.processElement2(new StreamRecord<>(usage("p1", 11, 2)));
        assertThat(drain()).isEmpty();

        harness.processElement1(new StreamRecord<>(change("prostheses", "r", null, prosthesis("p1", "u1", "BionicPRO-2023"))));
        assertThat(drain()).containsExactly("ASSIGN p1->u1", "USAGE p1->u1 day 10", "USAGE p1->u1 day 11");

        harness.processElement1(new StreamRecord<>(change("prostheses", "u",
                prosthesis("p1", "u1", "BionicPRO-2023"), prosthesis("p1", "u2", "BionicPRO-2023"))));
        assertThat(drain()).containsExactly("UNASSIGN p1->u1", "ASSIGN p1->u2", "USAGE p1->u2 day 10", "USAGE p1->u2 day 11");

        harness.processElement1(new StreamRecord<>(change("prostheses", "u",
                prosthesis("p1", "u2", "BionicPRO-2023"), prosthesis("p1", "u2", "BionicPRO-2024"))));
        assertThat(drain()).as("a model change keeps the owner").containsExactly("ASSIGN p1->u2");
    }

    @Test
    void aDeletedProsthesisWithoutDaysLeavesNoState() throws Exception {
        harness.processElement1(new StreamRecord<>(change("prostheses", "c", null, prosthesis("p1", "u1", "M"))));
        harness.processElement2(new StreamRecord<>(usage("p1", 10, 3)));
        drain();
        harness.processElement1(new StreamRecord<>(change("prostheses", "d", prosthesis("p1", "u1", "M"), null)));
        assertThat(drain()).containsExactly("UNASSIGN p1->u1");
        assertThat(harness.numKeyedStateEntries()).as("the day stays until its rows go").isEqualTo(1);

        harness.processElement2(new StreamRecord<>(usage("p1", 10, 0).copyWith(DailyUsage.Status.REMOVED)));
        assertThat(drain()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
