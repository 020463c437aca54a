package com.bionicpro.cdc.mart;

/**
 * What {@link ProsthesisOwnerJoin} tells the owner's {@link UserMartJoin}: a prosthesis is now
 * (or no longer) theirs, or one of its days changed. A Flink POJO.
 */
public class OwnerMessage {
    public enum Kind {
        ASSIGN,
        UNASSIGN,
        USAGE
    }

    public Kind kind;
    public String userId;
    public String prosthesisId;
    /** For ASSIGN. */
    public ProsthesisAttributes prosthesis;
    /** For USAGE. */
    public DailyUsage usage;

    public OwnerMessage() {}

    static OwnerMessage assign(ProsthesisAttributes p) {
        OwnerMessage m = new OwnerMessage();
        m.kind = Kind.ASSIGN;
        m.userId = p.userId;
        m.prosthesisId = p.id;
        m.prosthesis = p;
        return m;
    }

    static OwnerMessage unassign(String userId, String prosthesisId) {
        OwnerMessage m = new OwnerMessage();
        m.kind = Kind.UNASSIGN;
        m.userId = userId;
        m.prosthesisId = prosthesisId;
        return m;
    }

    static OwnerMessage usage(String userId, DailyUsage usage) {
        OwnerMessage m = new OwnerMessage();
        m.kind = Kind.USAGE;
        m.userId = userId;
        m.prosthesisId = usage.prosthesisId;
        m.usage = usage;
        return m;
    }

    @Override
    public String toString() {
        return kind + " " + prosthesisId + " -> " + userId + (usage == null ? "" : " " + usage);
    }
}
