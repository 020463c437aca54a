package com.bionicpro.cdc.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A small read path over ClickHouse for people and the reports service:
 * <pre>
 *   GET /users/{id}/reports?from=YYYY-MM-DD&amp;to=YYYY-MM-DD   the user's daily reports (JSON)
 *   GET /users/{id}/processed?from=...&amp;to=...               is the period processed (JSON)
 *   GET /health
 * </pre>
 * Binds 127.0.0.1 unless told otherwise. Defaults: the last 30 days.
 */
public final class ReportServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReportQueries queries;
    private final HttpServer server;

    public ReportServer(ReportQueries queries, String host, int port) throws IOException {
        this.queries = queries;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/users/", this::users);
        server.createContext("/health", ex -> send(ex, 200, JSON.createObjectNode().put("status", "ok")));
        server.setExecutor(Executors.newFixedThreadPool(4));
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(0);
    }

    private void users(HttpExchange ex) throws IOException {
        try {
            String[] parts = ex.getRequestURI().getPath().split("/");
            if (!"GET".equals(ex.getRequestMethod()) || parts.length != 4) {
                send(ex, 404, error("use GET /users/{id}/reports or /users/{id}/processed"));
                return;
            }
            Map<String, String> params = params(ex.getRequestURI().getRawQuery());
            LocalDate to = params.containsKey("to") ? LocalDate.parse(params.get("to")) : LocalDate.now(ZoneOffset.UTC);
            LocalDate from = params.containsKey("from") ? LocalDate.parse(params.get("from")) : to.minusDays(29);
            JsonNode result;
            if ("reports".equals(parts[3])) {
                result = queries.reportsForUser(parts[2], from, to);
            } else if ("processed".equals(parts[3])) {
                result = queries.periodProcessed(parts[2], from, to);
            } else {
                send(ex, 404, error("unknown resource " + parts[3]));
                return;
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("user_id", parts[2]).put("from", from.toString()).put("to", to.toString());
            body.set("rows", result.get("data"));
            send(ex, 200, body);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            send(ex, 400, error(e.getMessage()));
        } catch (IOException e) {
            send(ex, 502, error(e.getMessage()));
        }
    }

    private static Map<String, String> params(String query) {
        Map<String, String> out = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static JsonNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
