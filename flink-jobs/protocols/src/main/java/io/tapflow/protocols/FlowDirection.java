package io.tapflow.protocols;

/**
 * Which way bytes travel on a connection. Derived by the caller from the observing socket's role and the syscall
 * direction: a CLIENT's writes and a SERVER's reads are {@link #CLIENT_TO_SERVER}.
 */
public enum FlowDirection {
    CLIENT_TO_SERVER,
    SERVER_TO_CLIENT;

    public FlowDirection opposite() {
        return this == CLIENT_TO_SERVER ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
    }
}
