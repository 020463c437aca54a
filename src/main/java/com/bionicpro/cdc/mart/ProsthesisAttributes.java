package com.bionicpro.cdc.mart;

import java.util.Objects;

/** The CRM prosthesis fields the marts show, with its owner. A Flink POJO (operator state). */
public class ProsthesisAttributes {
    public String id;
    public String userId;
    public String model;
    public String manufactureDate;
    public String createdAt;
    public String updatedAt;

    public ProsthesisAttributes() {}

    static ProsthesisAttributes from(MartSchema s, String[] row) {
        ProsthesisAttributes p = new ProsthesisAttributes();
        p.id = row[s.prosthesisId];
        p.userId = row[s.prosthesisUserId];
        p.model = row[s.prosthesisModel];
        p.manufactureDate = row[s.prosthesisManufactureDate];
        p.createdAt = row[s.prosthesisCreatedAt];
        p.updatedAt = row[s.prosthesisUpdatedAt];
        return p;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProsthesisAttributes)) {
            return false;
        }
        ProsthesisAttributes p = (ProsthesisAttributes) o;
        return Objects.equals(id, p.id) && Objects.equals(userId, p.userId) && Objects.equals(model, p.model)
                && Objects.equals(manufactureDate, p.manufactureDate) && Objects.equals(createdAt, p.createdAt)
                && Objects.equals(updatedAt, p.updatedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, userId, model);
    }
}
