package com.bionicpro.cdc.mart;

/**
 * Versions for mart rows: strictly increasing per key and above any version this job wrote
 * earlier for it, also after the key's state was dropped (a prosthesis that comes back to a
 * user). Microseconds of the wall clock, bumped past the key's last version and the last one this
 * instance issued. Rewrites that replay after a restore get newer versions than what ClickHouse
 * holds from before the failure, so the replay wins, as it must.
 */
final class MartVersions {
    private long lastIssued;

    long next(long previousForKey) {
        long v = Math.max(Math.max(previousForKey, lastIssued) + 1, System.currentTimeMillis() * 1000L);
        lastIssued = v;
        return v;
    }
}
