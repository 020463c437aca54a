package com.bionicpro.cdc.clickhouse;

import com.bionicpro.cdc.config.JobDefinition.ClickHouseDefinition;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ClickHouse over its HTTP interface, with TabSeparated bodies. This is the one protocol that
 * ClickHouse 18.16 (the local stack) and current ClickHouse (production) both serve unchanged: the
 * JDBC drivers measured here either fail on 18.16 (com.clickhouse 0.8+/0.9, V2), need a fragile
 * set of URL overrides (V1), or are abandoned (ru.yandex 0.3.2), and every one of them speaks this
 * same HTTP interface underneath. Thread-safe.
 */
public final class ClickHouseClient {
    private static final Pattern ERROR_CODE = Pattern.compile("Code: (\\d+)");

    private final String url;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    public ClickHouseClient(String url, String user, String password, Duration timeout) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public static ClickHouseClient of(ClickHouseDefinition d) {
        return new ClickHouseClient(d.url, d.username, d.password == null ? "" : d.password.reveal(), d.requestTimeout);
    }

    /** Runs a statement; returns the body (TabSeparated unless the statement says otherwise). */
    public String query(String sql) throws ClickHouseException {
        return send(URI.create(url + "/"), HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8), sql);
    }

    public void execute(String sql) throws ClickHouseException {
        query(sql);
    }

    /** Rows of a SELECT as unescaped fields (FORMAT TabSeparated is appended). */
    public List<String[]> rows(String select) throws ClickHouseException {
        String body = query(select + " FORMAT TabSeparated");
        List<String[]> rows = new ArrayList<>();
        int start = 0;
        while (start < body.length()) {
            int end = body.indexOf('\n', start);
            if (end < 0) {
                end = body.length();
            }
            String[] fields = body.substring(start, end).split("\t", -1);
            for (int i = 0; i < fields.length; i++) {
                fields[i] = TsvWriter.unescape(fields[i]);
            }
            rows.add(fields);
            start = end + 1;
        }
        return rows;
    }

    /**
     * One INSERT of TabSeparated rows, zlib-compressed when {@code deflated}; atomic per block on
     * the server side.
     */
    public void insert(String qualifiedTable, List<String> columns, byte[] body, int length, boolean deflated)
            throws ClickHouseException {
        String statement = "INSERT INTO " + qualifiedTable + " (" + String.join(", ", columns) + ") FORMAT TabSeparated";
        URI uri = URI.create(url + "/?query=" + URLEncoder.encode(statement, StandardCharsets.UTF_8));
        send(uri, HttpRequest.BodyPublishers.ofByteArray(body, 0, length), deflated, statement);
    }

    private String send(URI uri, HttpRequest.BodyPublisher body, String what) throws ClickHouseException {
        return send(uri, body, false, what);
    }

    private String send(URI uri, HttpRequest.BodyPublisher body, boolean deflated, String what) throws ClickHouseException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Authorization", authorization)
                .POST(body);
        if (deflated) {
            builder.header("Content-Encoding", "deflate");
        }
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new ClickHouseException("ClickHouse at " + url + " is unreachable (connection refused)", e);
        } catch (HttpTimeoutException e) {
            throw new ClickHouseException("ClickHouse at " + url + " did not answer within " + timeout, e);
        } catch (IOException e) {
            throw new ClickHouseException("ClickHouse at " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClickHouseException("interrupted while waiting for ClickHouse", e);
        }
        if (response.statusCode() != 200) {
            String text = response.body().strip();
            Matcher m = ERROR_CODE.matcher(text);
            int code = m.find() ? Integer.parseInt(m.group(1)) : response.statusCode() == 401 ? 516 : -1;
            throw new ClickHouseException(code, "ClickHouse rejected `" + abbreviate(what) + "`: " + abbreviate(text));
        }
        return response.body();
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }

    /** ClickHouse's quoting of a string literal. */
    public static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
