package io.tapflow.flink.serde;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The boilerplate of a type information for one class with its own serializer (not a composite, not a key): two
 * instances are equal when they are of the same kind and describe the same class. Subclasses say which serializer.
 */
public abstract class SingleClassTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    protected SingleClassTypeInfo(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

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
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "<" + type.getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return canEqual(obj) && ((SingleClassTypeInfo<?>) obj).type.equals(type);
    }

    @Override
    public int hashCode() {
        return 31 * getClass().hashCode() + type.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }
}
