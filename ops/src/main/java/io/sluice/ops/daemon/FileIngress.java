package io.sluice.ops.daemon;

import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sluice.engine.io.EventFileSource;
import io.sluice.engine.io.FileFormat;
import io.sluice.engine.io.MalformedInputException;
import io.sluice.engine.io.MalformedInputPolicy;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.PartitionFailedException;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * The built-in {@code file} ingress: once the daemon runs, publishes every event of a CSV or JSONL
 * file into a source topic (with back-pressure), on its own thread, then optionally ends the topic's
 * input. For loading data and for tests; it keeps no position, so a restart publishes the file again
 * (remove the item after a load).
 *
 * <pre>{@code
 * ingress:
 *   - type: file
 *     topic: trades
 *     path: trades.csv
 *     malformed: skip        # skip (count) or stop
 *     end_of_input: false    # true: emit every open window when the file ends
 * }</pre>
 *
 * <p>Bad input is never silent: when the file ends (or the read stops), one lifecycle line says what
 * was published, and malformed lines (skipped under {@code malformed: skip}, the first one ending the
 * read under {@code stop}) are logged as warnings with their file, line, field and reason (the first
 * {@value #LOGGED_ERRORS}) and recorded once in the daemon's distinct error log with their count, so
 * that {@code sluice ctl errors}, {@code sluice stat --errors} and the error-log counters show them.
 *
 * <p>Threading: created and closed on the control thread; publishes on {@code sluice-file-ingress}.
 */
final class FileIngress implements DaemonComponent
{
    static final String TYPE = "file";

    /** Malformed lines logged one by one at the end of a file; the rest are counted. */
    static final int LOGGED_ERRORS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.LOGGER_NAME);

    private final String topic;
    private final Path file;
    private final MalformedInputPolicy malformed;
    private final boolean endOfInput;
    private final Schema schema;
    private volatile boolean running;
    private Thread thread;

    private FileIngress(final String topic, final Path file, final MalformedInputPolicy malformed, final boolean endOfInput,
        final Schema schema)
    {
        this.topic = topic;
        this.file = file;
        this.malformed = malformed;
        this.endOfInput = endOfInput;
        this.schema = schema;
    }

    @Override
    public String name()
    {
        return "file-ingress " + file + " -> " + topic;
    }

    @Override
    public void start(final DaemonComponentContext context)
    {
        final EventPublisher publisher = context.engine().publisher(topic);
        final EventFileSource source = EventFileSource.open(file, FileFormat.of(file), schema, malformed);
        running = true;
        thread = new Thread(() -> publish(context, publisher, source), "sluice-file-ingress");
        thread.setDaemon(true);
        thread.start();
    }

    private void publish(final DaemonComponentContext context, final EventPublisher publisher, final EventFileSource source)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[schema.length()]);
        final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(buffer, 0);
        long published = 0;
        try (source)
        {
            while (running && source.next(event))
            {
                publishOrWait(context, publisher, buffer);
                published++;
            }
            if (!running)
            {
                LOG.info("{}: stopped by shutdown after {}", name(), events(published));
                return;
            }
            if (endOfInput)
            {
                context.engine().endOfInput(topic);
            }
            reportMalformed(context, source, null);
            LOG.info("{}: published {} of {} lines{}, file ended{}", name(), events(published), source.lines(),
                source.malformed() == 0 ? "" : ", " + source.malformed() + " malformed lines skipped",
                endOfInput ? "; input of " + topic + " ended (every open window fired)" : "");
        }
        catch (final RuntimeException ex)
        {
            if (running)
            {
                reportMalformed(context, source, ex);
                context.errorLog().record(ex);
                LOG.error("{}: stopped after {}: {}", name(), events(published), ex.getMessage());
            }
        }
    }

    private static String events(final long count)
    {
        return count + (count == 1 ? " event" : " events");
    }

    /**
     * Logs the first malformed lines and records the count in the error log, once per file: before the file's last
     * line ("file ended" or "stopped after"), so whoever sees that line in the log finds the details and the error log
     * already written.
     *
     * @param stop the exception that stopped the read (recorded by the caller), or null.
     */
    private void reportMalformed(final DaemonComponentContext context, final EventFileSource source, final RuntimeException stop)
    {
        final long skipped = source.malformed() - (stop instanceof MalformedInputException ? 1 : 0);
        if (skipped <= 0)
        {
            return;
        }
        final java.util.List<String> errors = source.errors();
        for (int i = 0; i < Math.min(LOGGED_ERRORS, errors.size()); i++)
        {
            LOG.warn("{}: malformed line skipped: {}", name(), errors.get(i));
        }
        if (skipped > LOGGED_ERRORS)
        {
            LOG.warn("{}: ... and {} more malformed lines skipped", name(), skipped - LOGGED_ERRORS);
        }
        context.errorLog().record(new IllegalArgumentException(
            name() + ": " + skipped + " malformed lines skipped, the first: " + errors.get(0)));
    }

    /**
     * Publishes one event; while its partition is DEGRADED (disk full: the engine retries) records the
     * refusal once and tries again every 100 ms, so that a file is ingested whole once space returns. A
     * FAILED partition ends the ingress (recorded in the error log by the caller).
     */
    private void publishOrWait(final DaemonComponentContext context, final EventPublisher publisher, final UnsafeBuffer buffer)
    {
        boolean recorded = false;
        while (running)
        {
            try
            {
                publisher.publish(buffer, 0);
                return;
            }
            catch (final PartitionFailedException ex)
            {
                if (ex.failed())
                {
                    throw ex;
                }
                if (!recorded)
                {
                    context.errorLog().record(ex);
                    recorded = true;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        if (thread != null)
        {
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Creates file ingresses from configuration items.
     */
    static final class Factory implements DaemonComponentFactory
    {
        /** The schema of each topic the pipelines (YAML and Java) read; null when none loaded (errors reported there). */
        private final java.util.Map<String, Schema> topics;

        Factory(final java.util.Map<String, Schema> topics)
        {
            this.topics = topics;
        }

        @Override
        public String type()
        {
            return TYPE;
        }

        @Override
        public DaemonComponent create(final Role role, final ConfigSection settings)
        {
            if (role != Role.INGRESS)
            {
                settings.error("type", "'file' is an ingress type; file outputs are sinks (type csv or jsonl under 'sinks')");
                return null;
            }
            final String topic = settings.string("topic", null);
            final Path file = settings.path("path", true);
            final String policy = settings.choice("malformed", "skip", "skip", "stop");
            final boolean endOfInput = settings.bool("end_of_input", false);
            Schema schema = null;
            if (topic != null && topics != null)
            {
                schema = topics.get(topic);
                if (schema == null)
                {
                    settings.error("topic", "no pipeline reads topic '" + topic + "'");
                }
            }
            if (file != null)
            {
                if (!Files.isRegularFile(file))
                {
                    settings.error("path", "no such file " + file);
                }
                else
                {
                    try
                    {
                        FileFormat.of(file);
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        settings.error("path", ex.getMessage());
                    }
                }
            }
            if (schema == null || file == null || !Files.isRegularFile(file))
            {
                return null;
            }
            return new FileIngress(topic, file, MalformedInputPolicy.valueOf(policy.toUpperCase(java.util.Locale.ROOT)), endOfInput, schema);
        }
    }
}
