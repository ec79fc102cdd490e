package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code tally serve} as a child process against a lab, with a small HTTP client for its API. */
final class ServeProcess implements AutoCloseable {

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return Lab.JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    final Process process;
    final URI uri;
    final Path tokenFile;
    final String token;
    final Path stderr;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ServeProcess(Lab lab, Path tokenFile, String... extraGlobal) throws Exception {
        this(lab, lab.sim.adminUri().toString(), tokenFile, extraGlobal);
    }

    /** Serve whose --from-host (where the acquirer's statement is fetched) is {@code fromHost}. */
    ServeProcess(Lab lab, String fromHost, Path tokenFile, String... extraGlobal) throws Exception {
        this.tokenFile = tokenFile;
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.tally.terminal.cli.TallyCli", "--host", "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()),
                "--journal", lab.journal.toString()));
        if (!List.of(extraGlobal).contains("--reversal-interval")) {
            cmd.addAll(List.of("--reversal-interval", "0"));
        }
        cmd.addAll(List.of(extraGlobal));
        cmd.addAll(List.of("serve", "--api-port", "0", "--api-token-file", tokenFile.toString(),
                "--from-host", fromHost));
        stderr = lab.dir.resolve("serve-" + System.nanoTime() + ".err");
        process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                lines.add("<stdout closed: " + e + ">");
            }
        });
        String first = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (first == null && System.nanoTime() < deadline && process.isAlive()) {
            first = lines.poll(200, TimeUnit.MILLISECONDS);
        }
        if (first == null || !first.startsWith("http://127.0.0.1:")) {
            process.destroyForcibly();
            fail("serve did not print its URL: " + first + "\n" + Files.readString(stderr));
        }
        uri = URI.create(first.strip());
        token = Files.readString(tokenFile).strip();
        assertFalse(Files.readString(stderr).contains(token), "the token is never printed");
    }

    Reply get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri.resolve(path)).header("Authorization", "Bearer " + token).GET().build());
    }

    Reply post(String path, String body) throws Exception {
        return post(path, body, "Bearer " + token);
    }

    Reply post(String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    Reply send(HttpRequest r) throws Exception {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        assertFalse(resp.body().contains(Lab.PAN), "full PAN in an API response: " + resp.body());
        return new Reply(resp.statusCode(), resp.body(), resp);
    }

    /** SIGTERM, then wait for the exit; its log never shows a full PAN or the token. */
    int terminate() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("serve did not exit after SIGTERM");
        }
        String log = Files.readString(stderr);
        assertFalse(log.contains(Lab.PAN) || log.contains(token), "full PAN or token in the serve log");
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            terminate();
        }
    }
}
