package io.tapflow.demo.services;

/**
 * One demo service per process (the collector excludes only its own pid, and each service is its own process as in
 * a real deployment): {@code gateway <catalog port> <orders port>}, {@code catalog <redis port>},
 * {@code orders <postgres port>}, {@code llm}. Prints {@code listening <port>} when ready; runs until killed.
 */
public final class ServiceMain {

    private static final int WORKERS = 4;

    private ServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "gateway" -> new GatewayService(Integer.parseInt(args[1]), Integer.parseInt(args[2])).start(WORKERS);
            case "catalog" -> new CatalogService(Integer.parseInt(args[1])).start(WORKERS);
            case "orders" -> new OrdersService(Integer.parseInt(args[1])).start(WORKERS);
            case "llm" -> new LlmService().serve();
            default -> {
                System.err.println("usage: ServiceMain gateway CATALOG_PORT ORDERS_PORT | catalog REDIS_PORT"
                        + " | orders POSTGRES_PORT | llm");
                System.exit(2);
            }
        }
    }
}
