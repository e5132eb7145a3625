package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.L7Message;
import java.io.Serializable;

/**
 * A request waiting for its response.
 *
 * @param message the decoded request
 * @param tid     thread that made the syscall completing the request
 * @param ordinal the request's ordinal among the flow's messages of its direction (part of its log id)
 * @param clockNs when the job saw it on the event-time clock: its start, or the watermark if it arrived later
 *                (late data must not time out the moment it arrives)
 */
record PendingRequest(L7Message message, int tid, long ordinal, long clockNs) implements Serializable {
}
