package io.tapflow.protocols;

/** Whether a decoded message asks or answers. */
public enum MessageKind {
    REQUEST,
    RESPONSE
}
