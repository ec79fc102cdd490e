package dev.tally.spec.jdbc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM that configures itself as a command line does, opens a SQLite database and then halts as after
 * kill -9 (no shutdown hooks, no delete-on-exit), and what it left behind: the copies of sqlite-jdbc's native
 * library in its temp folder and the shared copy in its cache folder.
 */
public final class NativeLibraryChild {

    /** What one child left. */
    public record Left(int exit, List<String> tempCopies, Optional<Path> sharedCopy, String stderr) {
    }

    private NativeLibraryChild() {
    }

    /**
     * Runs {@code mainClass} (whose main configures the process, then calls {@link #openAndHalt} with its first
     * argument) with its own temp and cache folders under {@code dir}; {@code more} follow the database's path.
     */
    public static Left run(Path dir, String mainClass, String... more) throws IOException, InterruptedException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path err = dir.resolve("child.err");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                mainClass, dir.resolve("child.db").toString()));
        cmd.addAll(List.of(more));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("child.out").toFile()).redirectError(err.toFile());
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child did not end within 60 s");
        }
        List<String> copies = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("sqlite-")).sorted().forEach(copies::add);
        }
        Optional<Path> shared;
        try (Stream<Path> s = Files.walk(cache)) {
            shared = s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().contains("sqlitejdbc")).findFirst();
        }
        return new Left(p.exitValue(), copies, shared, Files.readString(err));
    }

    /** Opens (creates) the database, writes to it, and halts with exit code 0; exit 3 when the open fails. */
    public static void openAndHalt(String db) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS t(x)");
            st.execute("INSERT INTO t VALUES (1)");
        } catch (SQLException e) {
            System.err.println("open failed: " + e.getMessage());
            Runtime.getRuntime().halt(3);
        }
        Runtime.getRuntime().halt(0);
    }

    /**
     * Runs a command line's configured child ({@code mainClass}, which logs a WARN "configured" after configuring and
     * then calls {@link #openAndHalt}) and checks what it left: no copy of the library in its temp folder, the shared
     * copy in its cache folder, and its WARN line in the log format the command line set (its time first; sqlite-jdbc's
     * loader makes a logger of its own, which must not come first).
     */
    public static void assertHaltedCommandLineLeftNothing(Path dir, String mainClass, String who) throws Exception {
        Left left = run(dir, mainClass);
        org.junit.jupiter.api.Assertions.assertEquals(0, left.exit(), left.stderr());
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), left.tempCopies(),
                "copies a halted " + who + " left in its temp folder");
        org.junit.jupiter.api.Assertions.assertTrue(left.sharedCopy().isPresent(), "the library was loaded from the cache folder");
        org.junit.jupiter.api.Assertions.assertTrue(left.stderr().lines().anyMatch(
                l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* .*WARN .*configured")), left.stderr());
    }
}
