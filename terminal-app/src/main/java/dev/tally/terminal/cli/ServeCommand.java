package dev.tally.terminal.cli;

import dev.tally.terminal.api.ApiToken;
import dev.tally.terminal.api.CashierApi;
import dev.tally.terminal.api.PaymentDesk;
import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.engine.LateAnswers;
import dev.tally.terminal.engine.PaymentEngine;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.engine.ReversalScheduler;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.host.KeepAlive;
import dev.tally.terminal.host.HostChannel;
import dev.tally.terminal.host.SharedHostLink;
import dev.tally.terminal.support.LoggedChannel;
import dev.tally.terminal.support.TerminalTraffic;
import dev.tally.terminal.journal.Journal;
import dev.tally.terminal.reconcile.Reconciler;
import dev.tally.terminal.settlement.Settlement;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "serve", mixinStandardHelpOptions = true, description = {
    "Run the terminal for a cashier system: the cashier API (HTTP JSON on 127.0.0.1, bearer token; docs/cashier-api.md),"
    + " one persistent host connection with echo keep-alive and reconnect, and the reversal loop in the background.",
    "Prints the URL it serves (http://127.0.0.1:PORT) on standard output when ready.",
    "SIGTERM / Ctrl-C: stops accepting, lets the payments in flight finish (or leaves them journaled), exits."})
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--api-port", paramLabel = "N", defaultValue = "8585", description = "API port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int apiPort;

    @Option(names = "--api-token-file", paramLabel = "FILE", description = "bearer token file; created (0600, random token) when missing (default: JOURNAL.api-token)")
    Path tokenFile;

    @Option(names = "--operator-token-file", paramLabel = "FILE", description = "the operator's bearer token file, the"
            + " only token that may close a failed reversal (POST /v1/payments/{orderId}/close); created (0600, random"
            + " token) when missing (default: JOURNAL.operator-token)")
    Path operatorTokenFile;

    @Option(names = "--from-host", paramLabel = "ADMIN_URL", description = "the acquirer's admin URL, for GET /v1/reconciliation (e.g. http://127.0.0.1:8584)")
    String statementUrl;

    @Option(names = "--keep-alive", paramLabel = "SECONDS", defaultValue = "30", description = "echo the host this often (default: ${DEFAULT-VALUE})")
    BigDecimal keepAliveSeconds;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (apiPort < 0 || apiPort > 65_535) {
            throw new IllegalArgumentException("--api-port must be 0..65535, got " + apiPort);
        }
        if (keepAliveSeconds.signum() <= 0 || keepAliveSeconds.compareTo(BigDecimal.valueOf(3600)) > 0) {
            throw new IllegalArgumentException("--keep-alive must be more than 0 and at most 3600 seconds");
        }
        Duration keepAlive = Duration.ofMillis(keepAliveSeconds.movePointRight(3).longValue());
        TerminalProfile profile = TerminalSetup.profile(g);
        ReversalPolicy policy = ReversalPolicy.of(g.reversalAttempts, g.reversalInterval());
        byte[] tmk = TerminalSetup.tmk(g);
        CardReader reader = TerminalSetup.cardReader(g);
        if (statementUrl != null) {
            new dev.tally.terminal.reconcile.AcquirerStatements(statementUrl); // checks the URL's form now
        }
        // the token file and the API port before the journal is opened (or made): bad input changes nothing
        Path tokenPath = tokenFile != null ? tokenFile
                : g.journal.toAbsolutePath().resolveSibling(g.journal.toAbsolutePath().getFileName() + ".api-token");
        ApiToken.check(tokenPath, tokenFile == null);
        Path operatorPath = operatorTokenFile != null ? operatorTokenFile
                : g.journal.toAbsolutePath().resolveSibling(g.journal.toAbsolutePath().getFileName() + ".operator-token");
        ApiToken.check(operatorPath, operatorTokenFile == null);
        if (operatorPath.toAbsolutePath().normalize().equals(tokenPath.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--operator-token-file and --api-token-file name the same file: the"
                    + " cashier system would hold the operator's token; give each its own file");
        }
        if (java.nio.file.Files.exists(tokenPath) && java.nio.file.Files.exists(operatorPath)
                && (java.nio.file.Files.isSameFile(tokenPath, operatorPath)
                || ApiToken.sameToken(operatorPath, tokenPath))) {
            // a new file gets a random token of its own: only two files given already can hold the same
            throw new IllegalArgumentException("the operator token file " + operatorPath + " holds the same token as"
                    + " the API token file " + tokenPath + ": the cashier system would hold the operator's token;"
                    + " give the operator a token of its own");
        }
        java.util.Map<Path, String> tokenFiles = new java.util.LinkedHashMap<>();
        tokenFiles.put(tokenPath, "the API token file" + (tokenFile == null ? " (beside the journal)" : " (--api-token-file)"));
        tokenFiles.put(operatorPath, "the operator token file"
                + (operatorTokenFile == null ? " (beside the journal)" : " (--operator-token-file)"));
        TerminalSetup.checkMessageLogOptions(g, tokenFiles);
        CashierApi.checkPortFree(apiPort);
        int hostPort = g.hostPort(null);
        Journal journal = Journal.open(g.journal, g.clock);
        try {
            // serve runs for months on this file: its pages are checked once (about 0.1 s per 100,000 attempts) before
            // it takes a payment or sends a reversal, so a damaged journal stops the start with its one line (the open
            // itself may have migrated or checkpointed it already)
            journal.quickCheck();
        } catch (RuntimeException damaged) {
            journal.close();
            throw damaged;
        }
        // --message-log: the shared connection has no tap of its own, so the session talks through a logging wrapper
        var log = TerminalSetup.messageLogOrNone(g);
        TerminalTraffic traffic = log == null ? null : new TerminalTraffic(log, journal);
        String peer = g.host + ":" + g.port;
        SharedHostLink link = new SharedHostLink(g.host, hostPort, profile.timeout(), traffic == null
                ? new LateAnswers(journal) : LoggedChannel.strays(traffic, peer, new LateAnswers(journal)));
        HostChannel channel = traffic == null ? link : new LoggedChannel(link, traffic);
        HostSession session = new HostSession(channel, profile.terminalId(), tmk,
                () -> journal.nextStan(profile.terminalId()), g.clock, profile.timeout());
        PaymentEngine engine = new PaymentEngine(journal, session, reader, profile, policy, g.clock);
        engine.recover();
        engine.reversalsRunInBackground();
        ReversalScheduler reversals = new ReversalScheduler(engine, link, Duration.ofSeconds(1));
        KeepAlive echo = new KeepAlive(session, link, keepAlive);
        CashierApi api;
        try {
            ApiToken token = ApiToken.inFile(tokenPath);
            ApiToken operator = ApiToken.inFile(operatorPath);
            PaymentDesk desk = new PaymentDesk(engine, new Settlement(journal, session, engine, profile, g.clock), reversals,
                    profile.timeout());
            api = new CashierApi(apiPort, token, desk, reader,
                    new Reconciler(journal, profile.terminalId(), profile.merchantId(), g.clock), statementUrl,
                    profile.currency(), g.clock).describe(link::isConnected, echo::hostDown, profile.terminalId())
                    .operatorToken(operator);
            try {
                session.ensureSignedOn();
            } catch (HostUnavailableException e) {
                g.stderr("tally serve: warning: " + e.getMessage() + "; serving anyway, payments get 503 until the host answers");
            }
            reversals.start();
            echo.start();
            api.start();
            g.stderr("tally serve: API token in " + token.file() + " (send it as 'Authorization: Bearer TOKEN')");
            g.stderr("tally serve: operator token in " + operator.file() + " (only it closes a failed reversal; keep it"
                    + " from the cashier system)");
        } catch (IOException | RuntimeException e) {
            reversals.close();
            echo.close();
            session.close();
            if (traffic != null) {
                traffic.close();
            }
            journal.close();
            throw e;
        }
        g.out.println(api.uri());
        g.out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        CashierApi serving = api;
        Duration grace = stopGrace(profile.timeout());
        Thread hook = new Thread(() -> {
            try {
                serving.stop(grace); // stops accepting; waits for the requests being handled
                echo.close();
                reversals.stopEndingTries(); // a try still waiting is recorded now, while the journal is open
            } finally {
                try {
                    session.close();
                } finally {
                    if (traffic != null) {
                        traffic.close();
                    }
                    journal.close();
                    stopped.countDown();
                }
            }
        }, "tally-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return ExitCodes.OK;
    }

    /**
     * How long a stop waits for the payments in flight: a sale the host leaves unanswered takes its timeout, then its
     * first reversal try (another timeout) before its POST answers REVERSAL_PENDING; 5 s for the rest. With only
     * timeout + 5 s the cashier got an empty reply instead, though the journal was safe.
     */
    static Duration stopGrace(Duration hostTimeout) {
        return hostTimeout.multipliedBy(2).plusSeconds(5);
    }
}
