package com.bionicpro.cdc.mart;

import java.util.Objects;

/**
 * The aggregate of one prosthesis' telemetry on one UTC day, as the report definition needs it.
 * A Flink POJO: it is the state of {@link DailyUsageAggregator}'s windows and travels downstream.
 */
public class DailyUsage {
    /** What a downstream operator does with it. */
    public enum Status {
        /** The day has telemetry: show (or update) its report row. */
        LIVE,
        /** Every row of the day was deleted: delete its report row. */
        REMOVED,
        /** The day left the retention window: forget it, keep its report row as it is. */
        EXPIRED
    }

    public String prosthesisId;
    public int day;
    public Status status;
    public long usageCount;
    public double batterySum;
    public long batteryCount;
    public long commands;
    public long firstMicros;
    public long lastMicros;

    public DailyUsage() {}

    public DailyUsage(String prosthesisId, int day) {
        this.prosthesisId = prosthesisId;
        this.day = day;
        this.status = Status.LIVE;
        this.firstMicros = Long.MAX_VALUE;
        this.lastMicros = Long.MIN_VALUE;
    }

    public DailyUsage copyWith(Status newStatus) {
        DailyUsage d = new DailyUsage();
        d.prosthesisId = prosthesisId;
        d.day = day;
        d.status = newStatus;
        d.usageCount = usageCount;
        d.batterySum = batterySum;
        d.batteryCount = batteryCount;
        d.commands = commands;
        d.firstMicros = firstMicros;
        d.lastMicros = lastMicros;
        return d;
    }

    /** Mean battery level rounded to 2 decimals, as the report shows it; null without readings. */
    public Double averageBattery() {
        if (batteryCount == 0) {
            return null;
        }
        return Math.round(batterySum / batteryCount * 100.0) / 100.0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DailyUsage)) {
            return false;
        }
        DailyUsage d = (DailyUsage) o;
        return day == d.day && usageCount == d.usageCount && batteryCount == d.batteryCount && commands == d.commands
                && firstMicros == d.firstMicros && lastMicros == d.lastMicros
                && Double.compare(batterySum, d.batterySum) == 0
                && Objects.equals(prosthesisId, d.prosthesisId) && status == d.status;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prosthesisId, day, status, usageCount);
    }

    @Override
    public String toString() {
        return "DailyUsage{" + prosthesisId + "@" + day + " " + status + " n=" + usageCount + " battery=" + batterySum + "/"
                + batteryCount + " commands=" + commands + " [" + firstMicros + ".." + lastMicros + "]}";
    }
}
