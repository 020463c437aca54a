package com.bionicpro.cdc.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting without sleeps as synchronisation: poll a condition until it holds or a deadline passes. */
public final class Poll {
    private Poll() {}

    public static void until(Duration deadline, String what, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + deadline.toSeconds() + " s waiting for " + what, last);
    }
}
