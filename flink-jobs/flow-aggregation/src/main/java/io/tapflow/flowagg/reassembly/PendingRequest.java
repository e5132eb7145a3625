package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.L7Message;
import java.io.Serializable;

/**
 * A request waiting for its response.
 *
 * @param message the decoded request
 * @param tid     thread that made the syscall completing the request
 * @param ordinal the request's ordinal among the flow's messages of its direction (part of its log id)
 */
record PendingRequest(L7Message message, int tid, long ordinal) implements Serializable {
}
