package io.sluice.ops.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.JournalException;
import io.sluice.journal.RecoveryEvent;
import io.sluice.journal.Topic;
import org.agrona.ExpandableArrayBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

/**
 * {@code sluice journal append}: appends one record per payload given as an argument or, without
 * arguments, per line of standard input (or {@code --input FILE}), then forces the partitions it
 * wrote to, so the records are DURABLE when it prints their offsets:
 * <pre>
 *   partition=1 offset=41
 * </pre>
 * Offsets are printed in batches, each only once the batch is forced: an offset that is printed is on
 * the device. If appending or forcing fails, the offsets of the batch not yet forced are not printed
 * and the error says how many records that was. What recovery repaired when it opened the journal
 * (a torn tail truncated, an index rebuilt) is printed first, on standard error, one
 * {@code recovery:} line each.
 * A record goes to {@code --partition} if given, else to the partition its key hashes to. With
 * {@code --keyed}, each input is {@code KEY PAYLOAD} and carries its own key.
 */
@Command(
    name = "append",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Append records given as arguments or as lines of standard input, then force them to disk.")
final class JournalAppendCommand implements Callable<Integer>
{
    /** Records appended between forces; their offsets are printed once forced. */
    private static final int FORCE_BATCH = 4096;

    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, required = true, paramLabel = "DIR",
        description = "Journal directory (created if missing).")
    Path dir;

    @Option(names = { "-t", "--topic" }, required = true, paramLabel = "TOPIC", description = "Topic to append to.")
    String topicName;

    @Option(names = "--create", paramLabel = "PARTITIONS",
        description = "Create the topic with this many partitions if it does not exist.")
    Integer createPartitions;

    @Option(names = { "-k", "--key" }, paramLabel = "KEY", defaultValue = "0",
        description = "Key of every record, decimal or 0x hex (default: ${DEFAULT-VALUE}).")
    String key;

    @Option(names = "--keyed", description = "Each input is 'KEY PAYLOAD': the key, one space, the payload.")
    boolean keyed;

    @Option(names = { "-p", "--partition" }, paramLabel = "ID",
        description = "Append to this partition instead of the one the key hashes to.")
    Integer partition;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "0", description = "Record type, 0..65535.")
    int type;

    @Option(names = "--flags", paramLabel = "FLAGS", defaultValue = "0", description = "Record flags, 16 bits.")
    int flags;

    @Option(names = "--timestamp", paramLabel = "TIMESTAMP",
        description = "Timestamp of every record (default: the current time in epoch milliseconds).")
    Long timestamp;

    @Option(names = "--hex", description = "Payloads are hex digits rather than UTF-8 text.")
    boolean hex;

    @Option(names = { "-i", "--input" }, paramLabel = "FILE",
        description = "Read payloads from this file rather than standard input.")
    Path input;

    @Parameters(paramLabel = "PAYLOAD", arity = "0..*", description = "Payloads, one record each.")
    List<String> payloads;

    @Override
    public Integer call() throws IOException
    {
        validate();
        final long defaultKey = JournalTools.parseKey(key, "--key");
        final long recordTimestamp = null == timestamp ? System.currentTimeMillis() : timestamp;
        final PrintWriter out = spec.commandLine().getOut();
        try (Journal journal = Journal.open(new JournalContext().directory(dir)))
        {
            final PrintWriter err = spec.commandLine().getErr();
            for (final RecoveryEvent event : journal.recoveryEvents())
            {
                err.println("recovery: " + event);
            }
            err.flush();
            if (null == createPartitions && !journal.topicNames().contains(topicName))
            {
                throw new CliException("no topic '" + topicName + "' in " + dir + " (topics: " + journal.topicNames() +
                    "): add --create PARTITIONS to create it");
            }
            final Topic topic = null == createPartitions ?
                journal.topic(topicName) : journal.createTopic(topicName, createPartitions);
            if (null != partition)
            {
                JournalTools.selectPartitions(topic, new int[]{ partition });
            }
            final Appender appender = new Appender(topic, defaultKey, recordTimestamp, out);
            try
            {
                if (null != payloads && !payloads.isEmpty())
                {
                    int argument = 0;
                    for (final String payload : payloads)
                    {
                        appender.append(payload, "argument " + ++argument);
                    }
                }
                else
                {
                    appendLines(appender);
                }
                appender.forceAndPrint();
            }
            catch (final RuntimeException | IOException ex)
            {
                throw appender.failed(ex);
            }
            if (0 == appender.appended)
            {
                throw new CliException("no records appended: give payloads as arguments or lines on standard input");
            }
        }
        return ExitCodes.OK;
    }

    private void validate()
    {
        if (type < 0 || type > 0xFFFF)
        {
            throw new CliException(ExitCodes.USAGE, "--type must be in [0, 65535], was " + type);
        }
        if (flags < 0 || flags > 0xFFFF)
        {
            throw new CliException(ExitCodes.USAGE, "--flags must be in [0, 65535], was " + flags);
        }
        if (null != input && null != payloads && !payloads.isEmpty())
        {
            throw new CliException(ExitCodes.USAGE, "give payloads either as arguments or with --input, not both");
        }
    }

    private void appendLines(final Appender appender) throws IOException
    {
        if (null != input && !Files.isRegularFile(input))
        {
            throw new CliException("cannot read --input " + input + ": not a file");
        }
        // Standard input is not closed here: it belongs to the process.
        final InputStream in = null == input ? System.in : Files.newInputStream(input);
        try
        {
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int lineNumber = 0;
            for (String line = reader.readLine(); null != line; line = reader.readLine())
            {
                lineNumber++;
                if (!line.isEmpty())
                {
                    appender.append(line, "line " + lineNumber);
                }
            }
        }
        finally
        {
            if (null != input)
            {
                in.close();
            }
        }
    }

    /**
     * Encodes and appends records on the calling thread, which becomes the writer of every partition
     * it appends to, and remembers which partitions to force.
     */
    private final class Appender
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        private final BitSet written = new BitSet();
        private final Topic topic;
        private final long defaultKey;
        private final long recordTimestamp;
        private final PrintWriter out;
        /** Offsets appended but not yet forced, printed once they are. */
        private final StringBuilder pending = new StringBuilder();
        private int pendingCount;
        private long appended;

        Appender(final Topic topic, final long defaultKey, final long recordTimestamp, final PrintWriter out)
        {
            this.topic = topic;
            this.defaultKey = defaultKey;
            this.recordTimestamp = recordTimestamp;
            this.out = out;
        }

        void append(final String input, final String origin)
        {
            long recordKey = defaultKey;
            String payload = input;
            if (keyed)
            {
                final int space = input.indexOf(' ');
                if (space <= 0)
                {
                    throw new CliException(origin + ": with --keyed, expected 'KEY PAYLOAD', got '" + input + "'");
                }
                recordKey = JournalTools.parseKey(input.substring(0, space), origin);
                payload = input.substring(space + 1);
            }
            final byte[] bytes = hex ? JournalTools.parseHex(payload, origin) : payload.getBytes(StandardCharsets.UTF_8);
            buffer.putBytes(0, bytes);
            final int partitionId = null == partition ? topic.partitionFor(recordKey) : partition;
            final long offset = topic.partition(partitionId).writer()
                .append(type, flags, recordTimestamp, recordKey, buffer, 0, bytes.length);
            written.set(partitionId);
            appended++;
            pending.append("partition=").append(partitionId).append(" offset=").append(offset).append('\n');
            if (++pendingCount == FORCE_BATCH)
            {
                forceAndPrint();
            }
        }

        /** Forces every partition written to, then prints the offsets that are now on the device. */
        void forceAndPrint()
        {
            for (int id = written.nextSetBit(0); id >= 0; id = written.nextSetBit(id + 1))
            {
                topic.partition(id).writer().force();
            }
            written.clear();
            out.print(pending);
            out.flush();
            pending.setLength(0);
            pendingCount = 0;
        }

        /**
         * The error to report when appending or forcing failed: after an input error the records
         * appended so far are forced and printed; after a journal failure the unforced ones are not.
         */
        RuntimeException failed(final Exception ex)
        {
            if (!(ex instanceof JournalException) && pendingCount > 0)
            {
                try
                {
                    forceAndPrint();
                }
                catch (final JournalException forceFailure)
                {
                    ex.addSuppressed(forceFailure);
                }
            }
            if (0 == pendingCount)
            {
                return ex instanceof RuntimeException ? (RuntimeException)ex :
                    new java.io.UncheckedIOException((IOException)ex);
            }
            return new CliException(ex.getMessage() + "; the last " + pendingCount +
                " record(s) appended were not forced to the device and their offsets are not printed");
        }
    }
}
