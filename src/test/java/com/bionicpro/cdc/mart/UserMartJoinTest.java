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

import static com.bionicpro.cdc.mart.MartHarness.change;
import static com.bionicpro.cdc.mart.MartHarness.prosthesis;
import static com.bionicpro.cdc.mart.MartHarness.usage;
import static com.bionicpro.cdc.mart.MartHarness.user;
import static org.assertj.core.api.Assertions.assertThat;

/** Both marts from one user's state: every change rewrites exactly the rows it affects. */
class UserMartJoinTest {
    private KeyedTwoInputStreamOperatorTestHarness<String, ChangeEvent, OwnerMessage, MartRow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new UserMartJoin(MartHarness.SCHEMA)),
                new RowKeySelector(0), m -> m.userId, Types.STRING);
        harness.open();
        harness.processElement2(new StreamRecord<>(OwnerMessage.assign(attributes("p1", "u1", "BionicPRO-2023"))));
        harness.processElement2(new StreamRecord<>(OwnerMessage.usage("u1", usage("p1", 19_800, 4))));
        harness.processElement2(new StreamRecord<>(OwnerMessage.usage("u1", usage("p1", 19_801, 2))));
        assertThat(drain()).as("nothing to show before the user exists").isEmpty();
        harness.processElement1(new StreamRecord<>(change("users", "r", null, user("u1", "Anna"))));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static ProsthesisAttributes attributes(String id, String owner, String model) {
        return ProsthesisAttributes.from(MartHarness.SCHEMA, prosthesis(id, owner, model));
    }

    private List<MartRow> drain() {
        List<MartRow> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    @Test
    void theUserArrivingShowsTheCrmRowAndEveryDay() {
        List<MartRow> rows = drain();
        assertThat(rows).extracting(r -> r.table).containsExactly("crm_data_mart", "prosthesis_reports_mart", "prosthesis_reports_mart");
        MartRow report = rows.stream().filter(r -> r.values[6].equals("2024-03-18")).findFirst().orElseThrow();
        assertThat(report.values).containsExactly("u1", "u1@example.com", "Anna", "p1", "BionicPRO-2023", "2023-05-05",
                "2024-03-18", "4", "20", "50.0", "1", "2024-03-18T00:01:00", "2024-03-18T00:00:00", "2024-03-18T00:01:00", "4");
        assertThat(rows).noneMatch(r -> r.deleted);
    }

    @Test
    void aRenameRewritesEveryRowOfTheUserWithNewerVersions() throws Exception {
        List<MartRow> first = drain();
        harness.processElement1(new StreamRecord<>(change("users", "u", user("u1", "Anna"), user("u1", "Anna Novak"))));
        List<MartRow> renamed = drain();
        assertThat(renamed).hasSize(3).allSatisfy(r -> assertThat(r.values[2]).isEqualTo("Anna Novak"));
        for (MartRow r : renamed) {
            MartRow before = first.stream().filter(f -> f.table.equals(r.table) && f.values[6 % f.values.length].equals(r.values[6 % r.values.length]))
                    .findFirst().orElseThrow();
            assertThat(r.version).isGreaterThan(before.version);
        }
    }

    @Test
    void aProsthesisMovingAwayDeletesItsRowsAndState() throws Exception {
        drain();
        assertThat(harness.numKeyedStateEntries()).as("user, prostheses, days").isEqualTo(3);
        harness.processElement2(new StreamRecord<>(OwnerMessage.unassign("u1", "p1")));
        List<MartRow> rows = drain();
        assertThat(rows).hasSize(3).allMatch(r -> r.deleted);
        assertThat(harness.numKeyedStateEntries()).as("the user row only").isEqualTo(1);
    }

    @Test
    void aDeletedUserDeletesEverythingAndLeavesNoState() throws Exception {
        drain();
        harness.processElement1(new StreamRecord<>(change("users", "d", user("u1", "Anna"), null)));
        assertThat(drain()).hasSize(3).allMatch(r -> r.deleted);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aRemovedDayIsDeletedOnce() throws Exception {
        drain();
        harness.processElement2(new StreamRecord<>(OwnerMessage.usage("u1",
                usage("p1", 19_801, 0).copyWith(DailyUsage.Status.REMOVED))));
        assertThat(drain()).singleElement().satisfies(r -> {
            assertThat(r.deleted).isTrue();
            assertThat(r.values[6]).isEqualTo("2024-03-19");
        });
        harness.processElement2(new StreamRecord<>(OwnerMessage.usage("u1",
                usage("p1", 19_801, 0).copyWith(DailyUsage.Status.REMOVED))));
        assertThat(drain()).isEmpty();
    }
}
