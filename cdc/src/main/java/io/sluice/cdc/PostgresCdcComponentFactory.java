package io.sluice.cdc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.sluice.ops.daemon.ConfigSection;
import io.sluice.ops.daemon.DaemonComponent;
import io.sluice.ops.daemon.DaemonComponentFactory;

/**
 * The daemon's {@code type: postgres_cdc} ingress: change data capture from PostgreSQL into source
 * topics. Registered in {@code META-INF/services/io.sluice.ops.daemon.DaemonComponentFactory}.
 *
 * <pre>{@code
 * ingress:
 *   - type: postgres_cdc
 *     host: 127.0.0.1              # default
 *     port: 5432                   # default
 *     database: bank
 *     user: sluice                 # LOGIN REPLICATION
 *     password_file: pg.pass       # chmod 600, password on the first line; or
 *     password_env: SLUICE_PG_PASSWORD
 *     slot: sluice_bank            # created with the initial snapshot when missing
 *     publication: sluice_bank     # created FOR TABLE ... when missing (create_publication: true)
 *     status_interval: 1s
 *     tables:
 *       - table: public.accounts
 *         topic: accounts
 *         columns:                 # optional: fields filled from a column of another name, numeric scale
 *           balance: {column: credit_balance, scale: 2}
 *         op_field: op             # defaults: op, deleted, commit_ts, lsn, before_
 * }</pre>
 * Every setting is checked while the configuration loads ({@code ingress[0].<key>: <reason>}); the
 * tables and their columns when the daemon starts the source, after recovery. The password is read when
 * connecting and never logged, printed or shown over JMX.
 */
public final class PostgresCdcComponentFactory implements DaemonComponentFactory
{
    /** The {@code type} of the configuration items this factory serves. */
    public static final String TYPE = "postgres_cdc";

    /**
     * Creates the factory; {@link java.util.ServiceLoader} calls this.
     */
    public PostgresCdcComponentFactory()
    {
    }

    @Override
    public String type()
    {
        return TYPE;
    }

    @Override
    public DaemonComponent create(final DaemonComponent.Role role, final ConfigSection settings)
    {
        final int before = settings.errorCount();
        if (role != DaemonComponent.Role.INGRESS)
        {
            settings.error("type", "postgres_cdc is an ingress (a source of topics), not an egress");
        }
        final CdcSourceContext context = new CdcSourceContext()
            .host(settings.string("host", "127.0.0.1"))
            .port(settings.integer("port", 5432, 1, 65535))
            .database(settings.string("database", null))
            .user(settings.string("user", null))
            .slot(settings.string("slot", null))
            .publication(settings.string("publication", null))
            .createPublication(settings.bool("create_publication", true))
            .statusIntervalMillis(settings.durationMillis("status_interval", 1_000));
        password(settings, context);
        for (final ConfigSection t : settings.sections("tables"))
        {
            final String table = t.string("table", null);
            final String topic = t.string("topic", null);
            if (table == null || topic == null)
            {
                t.error(table == null ? "table" : "topic", "required");
                continue;
            }
            final CdcTable capture = new CdcTable(table, topic)
                .opField(t.string("op_field", "op"))
                .deleteField(t.string("delete_field", "deleted"))
                .commitTimeField(t.string("commit_time_field", "commit_ts"))
                .lsnField(t.string("lsn_field", "lsn"))
                .beforePrefix(t.string("before_prefix", "before_"));
            for (final Map.Entry<String, ConfigSection> column : t.namedSections("columns").entrySet())
            {
                final ConfigSection c = column.getValue();
                final String name = optional(c, "column");
                if (name != null)
                {
                    capture.column(column.getKey(), name);
                }
                if (c.has("scale"))
                {
                    capture.scale(column.getKey(), c.integer("scale", 0, 0, 18));
                }
                c.checkUnknownKeys();
            }
            t.checkUnknownKeys();
            context.table(capture);
        }
        // The state directory is the daemon's data directory, known at start.
        context.stateDirectory(Path.of("."));
        settings.checkUnknownKeys();
        if (settings.errorCount() > before)
        {
            return null;
        }
        try
        {
            context.conclude();
        }
        catch (final CdcException ex)
        {
            settings.error("tables", ex.getMessage());
            return null;
        }
        return new PostgresCdcComponent(settings.path(), context);
    }

    private static String optional(final ConfigSection settings, final String key)
    {
        return settings.has(key) ? settings.string(key, "") : null;
    }

    private static void password(final ConfigSection settings, final CdcSourceContext context)
    {
        final Path file = settings.path("password_file", false);
        final String env = optional(settings, "password_env");
        if (file != null && env != null)
        {
            settings.error("password_env", "give password_file or password_env, not both");
            return;
        }
        if (file != null)
        {
            try
            {
                final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")))
                {
                    settings.error("password_file", file + " must be readable by its owner only (chmod 600 " + file + ")");
                    return;
                }
            }
            catch (final IOException ex)
            {
                settings.error("password_file", "cannot read " + file + ": " + ex.getMessage());
                return;
            }
            final Supplier<String> read = () ->
            {
                try
                {
                    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
                }
                catch (final IOException ex)
                {
                    throw new CdcException(CdcException.Category.CONFIGURATION, "cannot read the password file " + file + ": " + ex.getMessage(), ex);
                }
            };
            context.password(read, "file " + file);
        }
        else if (env != null)
        {
            if (System.getenv(env) == null)
            {
                settings.error("password_env", "environment variable " + env + " is not set");
                return;
            }
            context.password(() -> System.getenv(env), "environment variable " + env);
        }
    }
}
