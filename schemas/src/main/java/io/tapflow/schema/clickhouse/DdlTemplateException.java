package io.tapflow.schema.clickhouse;

/** A DDL file breaks the template conventions (name, one statement, known placeholders). */
public final class DdlTemplateException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public DdlTemplateException(String message) {
        super(message);
    }
}
