package io.tapflow.trace.link;

import io.tapflow.schema.RequestLog;
import java.io.Serializable;

/**
 * A request log on its way to the keyed state of one of its link keys: the key, the index of the rule that offered
 * it (in {@link LinkRules}) and the log.
 */
public final class LinkProbe implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final int ruleIndex;
    private final RequestLog log;

    public LinkProbe(String key, int ruleIndex, RequestLog log) {
        this.key = key;
        this.ruleIndex = ruleIndex;
        this.log = log;
    }

    public String key() {
        return key;
    }

    public int ruleIndex() {
        return ruleIndex;
    }

    public RequestLog log() {
        return log;
    }
}
