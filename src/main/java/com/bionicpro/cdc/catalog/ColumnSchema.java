package com.bionicpro.cdc.catalog;

import java.io.Serializable;

/** One captured column as PostgreSQL describes it at job start. */
public final class ColumnSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String name;
    public final PgType type;
    /** The declared type as PostgreSQL prints it, for messages. */
    public final String declaredType;
    public final boolean nullable;
    public final int numericPrecision;
    public final int numericScale;

    public ColumnSchema(
            String name, PgType type, String declaredType, boolean nullable, int numericPrecision, int numericScale) {
        this.name = name;
        this.type = type;
        this.declaredType = declaredType;
        this.nullable = nullable;
        this.numericPrecision = numericPrecision;
        this.numericScale = numericScale;
    }

    public String clickHouseType() {
        return type.clickHouseType(numericPrecision, numericScale, nullable);
    }

    @Override
    public String toString() {
        return name + " " + declaredType + (nullable ? "" : " NOT NULL");
    }
}
