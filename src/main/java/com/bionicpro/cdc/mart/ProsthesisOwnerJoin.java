package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.source.ChangeEvent;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Map;

/**
 * Keyed by prosthesis: joins its CRM row (and so its current owner) with its daily telemetry
 * windows, and tells the owner's {@link UserMartJoin} about both. When the prosthesis moves to
 * another user, the old owner is told to drop it and the new owner receives it with every day
 * kept in state, so its reports move with it.
 *
 * <p>State: the prosthesis row (cleared when it is deleted) and its live days (a day leaves when
 * its rows are all deleted or it expires). Nothing remains for a deleted prosthesis without
 * telemetry.
 */
public class ProsthesisOwnerJoin extends KeyedCoProcessFunction<String, ChangeEvent, DailyUsage, OwnerMessage> {
    private static final long serialVersionUID = 1L;

    private final MartSchema schema;
    private transient ValueState<ProsthesisAttributes> prosthesis;
    private transient MapState<Integer, DailyUsage> days;

    public ProsthesisOwnerJoin(MartSchema schema) {
        this.schema = schema;
    }

    @Override
    public void open(Configuration parameters) {
        prosthesis = getRuntimeContext().getState(new ValueStateDescriptor<>("prosthesis", ProsthesisAttributes.class));
        days = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("days", Types.INT, TypeInformation.of(DailyUsage.class)));
    }

    @Override
    public void processElement1(ChangeEvent change, Context ctx, Collector<OwnerMessage> out) throws Exception {
        ProsthesisAttributes old = prosthesis.value();
        if (change.isDelete()) {
            if (old != null) {
                out.collect(OwnerMessage.unassign(old.userId, old.id));
                prosthesis.clear();
            }
            return;
        }
        ProsthesisAttributes now = ProsthesisAttributes.from(schema, change.after);
        if (now.equals(old)) {
            return;
        }
        boolean newOwner = old == null || !old.userId.equals(now.userId);
        if (old != null && newOwner) {
            out.collect(OwnerMessage.unassign(old.userId, old.id));
        }
        prosthesis.update(now);
        out.collect(OwnerMessage.assign(now));
        if (newOwner) {
            for (Map.Entry<Integer, DailyUsage> day : days.entries()) {
                out.collect(OwnerMessage.usage(now.userId, day.getValue()));
            }
        }
    }

    @Override
    public void processElement2(DailyUsage usage, Context ctx, Collector<OwnerMessage> out) throws Exception {
        if (usage.status == DailyUsage.Status.LIVE) {
            days.put(usage.day, usage);
        } else {
            days.remove(usage.day);
        }
        ProsthesisAttributes p = prosthesis.value();
        if (p != null) {
            out.collect(OwnerMessage.usage(p.userId, usage));
        }
    }
}
