package dev.tally.spec.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements kept open per SQL text, so a request does not pay SQLite's parse and plan again
 * (in the simulator's and the journal's profiles, preparing cost more than running). Used by the
 * simulator's ledger and the terminal's journal (SQLite through sqlite-jdbc, which caches nothing itself). {@link #connection()} is the connection
 * with {@code prepareStatement} answered from the cache; the statements it hands out are ordinary
 * {@link PreparedStatement}s whose {@code close()} only clears their parameters, so the code using them
 * stays plain JDBC with try-with-resources. A statement asked for again while still open (nested use of
 * the same SQL) gets a fresh, uncached one. Not thread-safe: one cache per connection, used under that
 * connection's lock.
 */
public final class StatementCache implements AutoCloseable {

    /** Distinct SQL texts kept; the ledger has a few dozen, the filters of the admin API a few more. */
    private static final int CAPACITY = 128;

    private final Connection target;
    private final Connection proxy;
    private final Map<Key, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
            if (size() > CAPACITY && !eldest.getValue().inUse) {
                closeQuietly(eldest.getValue().statement);
                return true;
            }
            return false;
        }
    };

    /** A cached statement and the one proxy that lends it out (made once: a proxy per use cost as much as a lookup). */
    private static final class Cached {
        final PreparedStatement statement;
        final PreparedStatement lent;
        boolean inUse;
        /**
         * Its execution failed, or cleaning it up on close did: sqlite-jdbc finalizes a statement whose step fails with
         * anything but busy, locked or a constraint (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR), and a finalized one
         * answers every later use "statement is not executing" while {@code isClosed()} still says false. Lent again,
         * one passing failure (a disk full for a moment) would break its SQL for the life of the connection: it is
         * closed and prepared anew instead. Any failed execution marks it, a constraint's or a busy database's too (the
         * driver keeps those): telling them apart buys one prepare after a failure, which is rare.
         */
        boolean broken;

        Cached(PreparedStatement statement) {
            this.statement = statement;
            this.lent = (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, this::statementCall);
        }

        private Object statementCall(Object self, Method m, Object[] args) throws Throwable {
            if (m.getName().equals("close") && (args == null || args.length == 0)) {
                if (inUse) {
                    inUse = false;
                    if (!broken) {
                        try {
                            // an open result set would hold its read snapshot (and block checkpoints) until reused
                            java.sql.ResultSet open = statement.getResultSet();
                            if (open != null) {
                                open.close();
                            }
                            statement.clearParameters();
                        } catch (SQLException finalized) {
                            broken = true; // a result set's step failed and the driver finalized it: never lent again
                            throw finalized;
                        }
                    }
                }
                return null;
            }
            if (m.getName().equals("isClosed") && (args == null || args.length == 0)) {
                return !inUse;
            }
            if (!inUse && m.getDeclaringClass() != Object.class) {
                throw new SQLException("statement already closed (returned to the cache): " + m.getName());
            }
            try {
                return invoke(statement, m, args);
            } catch (SQLException e) {
                if (m.getName().startsWith("execute")) {
                    broken = true;
                }
                throw e;
            }
        }
    }

    public StatementCache(Connection target) {
        this.target = target;
        this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                this::connectionCall);
    }

    /** The connection to run the ledger's statements on. */
    public Connection connection() {
        return proxy;
    }

    /** Statements currently cached (for tests). */
    public int size() {
        return cache.size();
    }

    private Object connectionCall(Object self, Method m, Object[] args) throws Throwable {
        if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql
                && (args.length == 1 || (args.length == 2 && args[1] instanceof Integer))) {
            int keys = args.length == 2 ? (Integer) args[1] : Statement.NO_GENERATED_KEYS;
            return prepare(sql, keys);
        }
        if (m.getName().equals("close") && (args == null || args.length == 0)) {
            close();
            return null;
        }
        return invoke(target, m, args);
    }

    /**
     * What a statement is cached by. Not the two joined in one string: that built and hashed a new string of a few
     * hundred characters per statement (several per sale); an SQL text in the code is a constant, its hash kept.
     */
    private record Key(String sql, int generatedKeys) {
    }

    private PreparedStatement prepare(String sql, int keys) throws SQLException {
        Key key = new Key(sql, keys);
        Cached e = cache.get(key);
        if (e != null && e.broken && !e.inUse) {
            cache.remove(key);
            closeQuietly(e.statement);
            e = null;
        }
        if (e == null) {
            e = new Cached(target.prepareStatement(sql, keys));
            cache.put(key, e);
        } else if (e.inUse) {
            return target.prepareStatement(sql, keys); // nested use of the same SQL: an ordinary statement
        }
        e.inUse = true;
        return e.lent;
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException ignored) {
            // closing a cached statement on the way out; the connection closes it anyway
        }
    }

    /** Closes every cached statement and the connection. */
    @Override
    public void close() throws SQLException {
        for (Cached e : cache.values()) {
            closeQuietly(e.statement);
        }
        cache.clear();
        target.close();
    }
}
