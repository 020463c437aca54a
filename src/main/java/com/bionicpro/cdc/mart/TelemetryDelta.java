package com.bionicpro.cdc.mart;

/**
 * One telemetry row entering (+1) or leaving (-1) a prosthesis' day. An update is a leave of the
 * old row and an enter of the new one, so a row that moves to another day or prosthesis moves its
 * contribution with it. A Flink POJO.
 */
public class TelemetryDelta {
    public String prosthesisId;
    /** UTC day of the row's timestamp, as days since 1970-01-01. */
    public int day;
    public int sign;
    /** The row's timestamp, epoch microseconds (UTC). */
    public long timestampMicros;
    public boolean hasBattery;
    public double battery;
    public boolean command;
    /** From the snapshot (a read), not from the stream: its window may wait for the rest of the snapshot's rows. */
    public boolean snapshotRead;

    public TelemetryDelta() {}

    public TelemetryDelta(String prosthesisId, int day, int sign, long timestampMicros, Double battery, boolean command) {
        this.prosthesisId = prosthesisId;
        this.day = day;
        this.sign = sign;
        this.timestampMicros = timestampMicros;
        this.hasBattery = battery != null;
        this.battery = battery == null ? 0 : battery;
        this.command = command;
    }

    /** This delta, marked as a snapshot read. */
    public TelemetryDelta fromSnapshot() {
        snapshotRead = true;
        return this;
    }

    /** The key of the daily window: prosthesis and day. */
    public String windowKey() {
        return prosthesisId + "|" + day;
    }

    @Override
    public String toString() {
        return (sign > 0 ? "+" : "-") + prosthesisId + "@" + day + " ts=" + timestampMicros;
    }
}
