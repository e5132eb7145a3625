package io.tapflow.trace.link;

import io.tapflow.schema.LinkRule;
import io.tapflow.schema.RequestLog;
import java.io.Serializable;
import java.util.List;

/**
 * One way two request logs are known to belong to the same distributed trace, and which of them is the other's
 * parent (DESIGN §5).
 *
 * <p>A rule is used twice, in two places of the job. Upstream, before anything is known about traces, it names the
 * {@link #linkKeys link keys} a log offers: logs that offer an equal key meet in one keyed state and are tested
 * pairwise with {@link #links}; a match merges their traces. Downstream, when all logs of one trace are in one
 * place, {@link #parent} picks a log's parent among them. Both sides must agree: {@code parent} only returns a log
 * that {@code links} accepts.
 *
 * <p>Keys carry the rule's own prefix so keys of different rules never collide. Implementations are stateless and
 * pure: the same logs give the same answers on every replay.
 */
public interface SpanLinkRule extends Serializable {

    /** The rule recorded on spans it attached ({@code Span.link_rule}). */
    LinkRule rule();

    /** Keys under which {@code log} meets the logs it may link to; empty when the rule does not apply to it. */
    List<String> linkKeys(RequestLog log);

    /**
     * Whether two logs that offered an equal key belong to one trace under this rule. Symmetric; false for a log
     * and itself.
     */
    boolean links(RequestLog a, RequestLog b);

    /**
     * The parent of {@code child} among {@code trace} (all logs of its trace, child included) by this rule, or null
     * when the rule does not give it one. Deterministic: ties are broken by start time, then log id.
     */
    RequestLog parent(RequestLog child, List<RequestLog> trace);
}
