package io.sluice.cdc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Settings of a {@link CdcSource}: where PostgreSQL is, who to log in as, the replication slot and
 * publication, the captured tables. Fluent setters; {@link #conclude()} validates everything at once and
 * fails with one message listing every problem. The password is held as a supplier (a file or the
 * environment is read when connecting) and never appears in {@link #toString()}, logs or JMX.
 */
public final class CdcSourceContext
{
    private String host = "127.0.0.1";
    private int port = 5432;
    private String database;
    private String user;
    private Supplier<String> password = () -> null;
    private String passwordSource = "none";
    private String slot;
    private String publication;
    private boolean createPublication = true;
    private final List<CdcTable> tables = new ArrayList<>();
    private Path stateDirectory;
    private long statusIntervalMillis = 1_000;
    private long reconnectBackoffMillis = 200;
    private long maxReconnectBackoffMillis = 5_000;
    private long connectTimeoutMillis = 10_000;
    private boolean concluded;

    /**
     * Host of the PostgreSQL server (default 127.0.0.1).
     *
     * @param host name or address.
     * @return this.
     */
    public CdcSourceContext host(final String host)
    {
        this.host = host;
        return this;
    }

    /**
     * Port (default 5432).
     *
     * @param port of the server.
     * @return this.
     */
    public CdcSourceContext port(final int port)
    {
        this.port = port;
        return this;
    }

    /**
     * Database holding the captured tables.
     *
     * @param database name.
     * @return this.
     */
    public CdcSourceContext database(final String database)
    {
        this.database = database;
        return this;
    }

    /**
     * Role to log in as: needs {@code LOGIN REPLICATION}, SELECT on the tables, and ownership of them to
     * create the publication.
     *
     * @param user role name.
     * @return this.
     */
    public CdcSourceContext user(final String user)
    {
        this.user = user;
        return this;
    }

    /**
     * Where the password comes from, read at each connection attempt.
     *
     * @param password    supplier of the password (null result: no password).
     * @param description for messages, never the password itself (e.g. "file pg.pass", "environment PGPASS").
     * @return this.
     */
    public CdcSourceContext password(final Supplier<String> password, final String description)
    {
        this.password = password;
        this.passwordSource = description;
        return this;
    }

    /**
     * Logical replication slot (created with pgoutput when missing, with the initial snapshot).
     *
     * @param slot name.
     * @return this.
     */
    public CdcSourceContext slot(final String slot)
    {
        this.slot = slot;
        return this;
    }

    /**
     * Publication naming the captured tables.
     *
     * @param publication name.
     * @return this.
     */
    public CdcSourceContext publication(final String publication)
    {
        this.publication = publication;
        return this;
    }

    /**
     * Whether to create the publication ({@code FOR TABLE ... WITH (publish = 'insert, update, delete')})
     * when it does not exist (default true).
     *
     * @param create true to create.
     * @return this.
     */
    public CdcSourceContext createPublication(final boolean create)
    {
        this.createPublication = create;
        return this;
    }

    /**
     * Adds a captured table.
     *
     * @param table and its mapping.
     * @return this.
     */
    public CdcSourceContext table(final CdcTable table)
    {
        tables.add(table);
        return this;
    }

    /**
     * Directory of the source's own small state (the stream positions it confirmed to the slot), e.g.
     * the daemon's data directory; one file per slot.
     *
     * @param directory to keep it in.
     * @return this.
     */
    public CdcSourceContext stateDirectory(final Path directory)
    {
        this.stateDirectory = directory;
        return this;
    }

    /**
     * Interval of status updates to the server (default 1 s).
     *
     * @param millis interval.
     * @return this.
     */
    public CdcSourceContext statusIntervalMillis(final long millis)
    {
        this.statusIntervalMillis = millis;
        return this;
    }

    /**
     * First pause before reconnecting after a lost connection, doubling up to the maximum (default 200 ms, 5 s).
     *
     * @param first   pause.
     * @param maximum pause.
     * @return this.
     */
    public CdcSourceContext reconnectBackoffMillis(final long first, final long maximum)
    {
        this.reconnectBackoffMillis = first;
        this.maxReconnectBackoffMillis = maximum;
        return this;
    }

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws CdcException (CONFIGURATION) listing every problem.
     */
    public CdcSourceContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        final List<String> errors = new ArrayList<>();
        if (host == null || host.isBlank())
        {
            errors.add("host: required");
        }
        if (port < 1 || port > 65535)
        {
            errors.add("port: must be in [1, 65535], was " + port);
        }
        if (database == null || database.isBlank())
        {
            errors.add("database: required");
        }
        if (user == null || user.isBlank())
        {
            errors.add("user: required");
        }
        if (slot == null || !slot.matches("[a-z0-9_]{1,63}"))
        {
            errors.add("slot: required, lower-case letters, digits and '_' (at most 63), was " + slot);
        }
        if (publication == null || !publication.matches("[A-Za-z_][A-Za-z0-9_]{0,62}"))
        {
            errors.add("publication: required, a plain identifier, was " + publication);
        }
        if (tables.isEmpty())
        {
            errors.add("tables: at least one");
        }
        for (final CdcTable t : tables)
        {
            if (!t.table().matches("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*"))
            {
                errors.add("tables: '" + t.table() + "' is not a plain schema.table name");
            }
        }
        if (stateDirectory == null)
        {
            errors.add("state directory: required");
        }
        if (statusIntervalMillis < 10)
        {
            errors.add("status interval: at least 10 ms, was " + statusIntervalMillis);
        }
        if (!errors.isEmpty())
        {
            throw new CdcException(CdcException.Category.CONFIGURATION, "invalid CDC source settings: " + String.join("; ", errors));
        }
        concluded = true;
        return this;
    }

    String host()
    {
        return host;
    }

    int port()
    {
        return port;
    }

    String database()
    {
        return database;
    }

    String user()
    {
        return user;
    }

    String password()
    {
        return password.get();
    }

    String passwordSource()
    {
        return passwordSource;
    }

    /**
     * The slot name.
     *
     * @return the slot.
     */
    public String slot()
    {
        return slot;
    }

    /**
     * The publication name.
     *
     * @return the publication.
     */
    public String publication()
    {
        return publication;
    }

    boolean createPublication()
    {
        return createPublication;
    }

    /**
     * The captured tables.
     *
     * @return the tables.
     */
    public List<CdcTable> tables()
    {
        return List.copyOf(tables);
    }

    Path stateDirectory()
    {
        return stateDirectory;
    }

    long statusIntervalMillis()
    {
        return statusIntervalMillis;
    }

    long reconnectBackoffMillis()
    {
        return reconnectBackoffMillis;
    }

    long maxReconnectBackoffMillis()
    {
        return maxReconnectBackoffMillis;
    }

    long connectTimeoutMillis()
    {
        return connectTimeoutMillis;
    }

    @Override
    public String toString()
    {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database + " slot=" + slot + " publication=" + publication +
            " password from " + passwordSource + " tables=" + tables;
    }
}
