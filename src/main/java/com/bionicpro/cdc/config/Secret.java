package com.bionicpro.cdc.config;

import java.io.Serializable;

/**
 * A credential resolved from the environment or a file. Its text never appears in toString(),
 * logs or job arguments: the job definition only names where it comes from.
 */
public final class Secret implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String reference;
    private final String value;

    public Secret(String reference, String value) {
        this.reference = reference;
        this.value = value;
    }

    /** The secret itself; pass it to a client, never to a log. */
    public String reveal() {
        return value;
    }

    /** Where it came from, e.g. ${env:CDC_PG_PASSWORD}. */
    public String reference() {
        return reference;
    }

    @Override
    public String toString() {
        return reference + " (hidden)";
    }
}
