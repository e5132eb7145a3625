package io.tapflow.trace.link;

import io.tapflow.schema.RequestLog;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Fans a request log out to one {@link LinkProbe} per link key it offers. The probe carries a trimmed copy of the
 * log (no attributes, no error text): {@link LinkMatcher} keeps probes in keyed state for the link window and only
 * the rules' fields matter there.
 */
public final class LinkKeyRouter implements FlatMapFunction<RequestLog, LinkProbe> {

    private static final long serialVersionUID = 1L;

    private final LinkRules rules;

    public LinkKeyRouter(LinkRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    @Override
    public void flatMap(RequestLog log, Collector<LinkProbe> out) {
        RequestLog trimmed = null;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            for (String key : rules.get(i).linkKeys(log)) {
                if (seen.add(key)) {
                    if (trimmed == null) {
                        trimmed = RequestLog.newBuilder(log).setAttributes(new HashMap<>())
                                .setResponseException(null).build();
                    }
                    out.collect(new LinkProbe(key, i, trimmed));
                }
            }
        }
    }
}
