package com.bionicpro.cdc.source;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Flink's type of {@link ChangeEvent}, found through its {@code @TypeInfo} annotation wherever the
 * job names the class (TypeInformation.of, the source's produced type, type extraction of the
 * operators), so every edge carries it with {@link ChangeEventSerializer}.
 */
public final class ChangeEventTypeInfo extends TypeInformation<ChangeEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
    }

    /** The job keys change events by key selectors (table and primary key), never by the whole event. */
    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ChangeEvent> createSerializer(SerializerConfig config) {
        return ChangeEventSerializer.INSTANCE;
    }

    @Override
    @Deprecated
    public TypeSerializer<ChangeEvent> createSerializer(ExecutionConfig config) {
        return ChangeEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "ChangeEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return ChangeEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof ChangeEventTypeInfo;
    }

    /** The factory the annotation names. */
    public static final class Factory extends TypeInfoFactory<ChangeEvent> {
        @Override
        public TypeInformation<ChangeEvent> createTypeInfo(Type type, Map<String, TypeInformation<?>> genericParameters) {
            return new ChangeEventTypeInfo();
        }
    }
}
