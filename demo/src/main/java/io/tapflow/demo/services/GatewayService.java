package io.tapflow.demo.services;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edge of the demo chain: {@code GET /api/products/{id}} asks the catalog, {@code GET /api/orders/{id}} asks
 * orders, {@code POST /api/checkout?product={id}} asks both (the catalog first, then orders); anything else is 404.
 * A catalog failure becomes 502. The calls made for a request are listed in {@link #DOWNSTREAM_HEADER}.
 */
final class GatewayService extends HttpService {

    private static final Pattern PRODUCT = Pattern.compile("/api/products/(\\w+)");
    private static final Pattern ORDER = Pattern.compile("/api/orders/(\\w+)");
    private static final Pattern CHECKOUT_PRODUCT = Pattern.compile("product=(\\w+)");

    private final String catalog;
    private final String orders;

    GatewayService(int catalogPort, int ordersPort) {
        super("gateway");
        this.catalog = "http://127.0.0.1:" + catalogPort;
        this.orders = "http://127.0.0.1:" + ordersPort;
    }

    @Override
    protected Reply handle(String method, String path, String query, byte[] body) throws Exception {
        Matcher m;
        if (method.equals("GET") && (m = PRODUCT.matcher(path)).matches()) {
            Answer a = call("GET", catalog + "/products/" + m.group(1));
            return Reply.json(a.status() >= 500 ? 502 : a.status(), a.body()).withDownstream(via("catalog", a));
        }
        if (method.equals("GET") && (m = ORDER.matcher(path)).matches()) {
            Answer a = call("GET", orders + "/orders/" + m.group(1));
            return Reply.json(a.status(), a.body()).withDownstream(via("orders", a));
        }
        if (method.equals("POST") && path.equals("/api/checkout") && query != null
                && (m = CHECKOUT_PRODUCT.matcher(query)).find()) {
            Answer product = call("GET", catalog + "/products/" + m.group(1));
            if (product.status() != 200) {
                return Reply.json(product.status() >= 500 ? 502 : 409, "{\"error\":\"product unavailable\"}")
                        .withDownstream(via("catalog", product));
            }
            Answer order = call("POST", orders + "/orders?product=" + m.group(1));
            return Reply.json(order.status(), order.body())
                    .withDownstream(calls(via("catalog", product), via("orders", order)));
        }
        return Reply.json(404, "{\"error\":\"no route\"}");
    }

    private static String via(String service, Answer a) {
        return calls(called("gateway", service, a.status()), a.downstream());
    }
}
