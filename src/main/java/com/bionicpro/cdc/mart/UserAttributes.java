package com.bionicpro.cdc.mart;

import java.util.Objects;

/** The CRM user fields the marts show. A Flink POJO (state of {@link UserMartJoin}). */
public class UserAttributes {
    public String id;
    public String email;
    public String name;
    public String createdAt;
    public String updatedAt;

    public UserAttributes() {}

    static UserAttributes from(MartSchema s, String[] row) {
        UserAttributes u = new UserAttributes();
        u.id = row[s.userId];
        u.email = row[s.userEmail];
        u.name = row[s.userName];
        u.createdAt = row[s.userCreatedAt];
        u.updatedAt = row[s.userUpdatedAt];
        return u;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof UserAttributes)) {
            return false;
        }
        UserAttributes u = (UserAttributes) o;
        return Objects.equals(id, u.id) && Objects.equals(email, u.email) && Objects.equals(name, u.name)
                && Objects.equals(createdAt, u.createdAt) && Objects.equals(updatedAt, u.updatedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, email, name);
    }
}
