package io.sluice.ops.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.sluice.journal.Journal;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.RecordHandler;
import io.sluice.journal.RecordView;
import io.sluice.journal.Topic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

/**
 * {@code sluice journal dump}: prints a topic's records, one line each, selected by partition,
 * offset range, time range and key. Without a schema, key and payload as hex:
 * <pre>
 *   partition=0 offset=12 timestamp=1732752000000 type=1 flags=0x0000 key=0x00000000000004d2 length=5 payload=68656c6c6f
 * </pre>
 * With the topic's schema (from the daemon's configuration, {@code --config}, or a pipeline file,
 * {@code --pipeline}; for a journal sink's topic in the daemon's output journal, the output schema of
 * the pipeline writing it), each event decoded into its fields, as a table, CSV or JSONL
 * ({@link DecodedRecordPrinter}). Partitions are dumped one after another, each in offset order.
 * Offset bounds are clamped to what each partition retains; time bounds filter on the record
 * timestamp, in the producer's unit.
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Print records of a topic: key and payload as hex, or, with the topic's schema (--config or --pipeline), " +
        "each event's fields as a table, CSV or JSONL (--format).")
final class JournalDumpCommand implements Callable<Integer>
{
    private static final int POLL_LIMIT = 256;

    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, required = true, paramLabel = "DIR", description = "Journal directory.")
    Path dir;

    @Option(names = { "-t", "--topic" }, required = true, paramLabel = "TOPIC", description = "Topic to dump.")
    String topicName;

    @Option(names = { "-p", "--partition" }, split = ",", paramLabel = "ID",
        description = "Partitions to dump, e.g. -p 0,2 (default: all).")
    int[] partitions;

    @Option(names = "--from-offset", paramLabel = "OFFSET", description = "First offset, inclusive (default: start).")
    Long fromOffset;

    @Option(names = "--to-offset", paramLabel = "OFFSET", description = "Last offset, exclusive (default: end).")
    Long toOffset;

    @Option(names = "--from-time", paramLabel = "TIMESTAMP",
        description = "Earliest timestamp, inclusive: the reader seeks there through the time index.")
    Long fromTime;

    @Option(names = "--to-time", paramLabel = "TIMESTAMP", description = "Latest timestamp, exclusive.")
    Long toTime;

    @Option(names = { "-k", "--key" }, paramLabel = "KEY", description = "Only records with this key (decimal or 0x hex).")
    String key;

    @Option(names = { "-n", "--limit" }, paramLabel = "COUNT", description = "Print at most this many records in all.")
    Long limit;

    @Option(names = "--max-payload", paramLabel = "BYTES", defaultValue = "-1",
        description = "Print at most this many payload bytes per record (default: all).")
    int maxPayload;

    @Option(names = "--config", paramLabel = "FILE",
        description = "The daemon's configuration: decode events with the schema of the pipelines reading the topic, " +
            "or outputs of a journal sink (-d <data_dir>/outputs) with the output schema of the pipeline writing it.")
    Path config;

    @Option(names = "--pipeline", paramLabel = "FILE", description = "A pipeline file (as for replay): decode events with its schemas.")
    Path pipelineFile;

    @Option(names = { "-f", "--format" }, paramLabel = "FORMAT",
        description = "hex, table, csv or jsonl (default: table with a schema, hex without).")
    DecodedRecordPrinter.Format format;

    @Override
    public Integer call()
    {
        validate();
        final PrintWriter out = spec.commandLine().getOut();
        final io.sluice.schema.Schema schema = schema();
        final DecodedRecordPrinter.Format shown = format != null ? format :
            schema == null ? DecodedRecordPrinter.Format.HEX : DecodedRecordPrinter.Format.TABLE;
        if (shown != DecodedRecordPrinter.Format.HEX && schema == null)
        {
            throw new CliException(ExitCodes.USAGE, "--format " + shown + " decodes events: give the topic's schema with --config or --pipeline");
        }
        final Printer printer = new Printer(out, null == key ? 0 : JournalTools.parseKey(key, "--key"), null != key,
            null == fromTime ? Long.MIN_VALUE : fromTime, null == toTime ? Long.MAX_VALUE : toTime,
            null == limit ? Long.MAX_VALUE : limit, maxPayload,
            shown == DecodedRecordPrinter.Format.HEX ? null : new DecodedRecordPrinter(schema, shown, out));
        try (Journal journal = JournalTools.openExisting(dir))
        {
            // What the read-only open found (a torn tail, an index it could not trust) goes to standard error.
            for (final io.sluice.journal.RecoveryEvent event : journal.recoveryEvents())
            {
                spec.commandLine().getErr().println("recovery: " + event);
            }
            final Topic topic = journal.topic(topicName);
            for (final int id : JournalTools.selectPartitions(topic, partitions))
            {
                if (printer.limitReached() || out.checkError())
                {
                    break;
                }
                dump(topic.partition(id), printer);
            }
        }
        out.flush();
        if (printer.decoded != null && printer.decoded.notEvents() > 0)
        {
            spec.commandLine().getErr().println(printer.decoded.notEvents() + " records that are not events of schema " + schema.name() +
                " (control records: ticks, end of input, replay marks) were left out");
        }
        return ExitCodes.OK;
    }

    private io.sluice.schema.Schema schema()
    {
        if (config != null && pipelineFile != null)
        {
            throw new CliException(ExitCodes.USAGE, "give --config or --pipeline, not both");
        }
        try
        {
            if (config != null)
            {
                return configSchema(TopicSchemas.provider().load(config));
            }
            if (pipelineFile != null)
            {
                final java.util.Map<String, io.sluice.schema.Schema> schemas = new java.util.LinkedHashMap<>();
                io.sluice.engine.config.PipelineConfig.load(pipelineFile).pipelines()
                    .forEach(p -> p.sources().forEach(source -> schemas.putIfAbsent(source.topic(), source.schema())));
                final io.sluice.schema.Schema schema = schemas.get(topicName);
                if (schema == null)
                {
                    throw new CliException(ExitCodes.USAGE, "topic '" + topicName + "' is not read by any pipeline of " + pipelineFile +
                        " (its topics: " + String.join(", ", schemas.keySet()) + ")");
                }
                return schema;
            }
            return null;
        }
        catch (final CliException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new CliException(ExitCodes.USAGE, "invalid configuration: " + ex.getMessage());
        }
    }

    /**
     * The topic's schema from a daemon configuration: a source topic's in the daemon's journal, the
     * writing pipeline's output schema for a journal sink's topic in its output journal. Which journal
     * {@code --dir} is decides when it is one of the two; otherwise a source topic is looked for first.
     */
    private io.sluice.schema.Schema configSchema(final TopicSchemas.Topics topics)
    {
        final boolean isOutputJournal = sameDirectory(dir, topics.outputJournal());
        final boolean isJournal = sameDirectory(dir, topics.journal());
        io.sluice.schema.Schema schema = isOutputJournal ? null : topics.sources().get(topicName);
        if (schema == null && !isJournal)
        {
            schema = topics.outputs().get(topicName);
        }
        if (schema == null)
        {
            throw new CliException(ExitCodes.USAGE, "topic '" + topicName + "' is " +
                (isOutputJournal ? "not the topic of a journal sink of " + config + " (its journal sinks' topics: " +
                    String.join(", ", topics.outputs().keySet()) + ")" :
                isJournal ? "not read by any pipeline of " + config + " (its topics: " + String.join(", ", topics.sources().keySet()) + ")" :
                "neither read by a pipeline of " + config + " (its topics: " + String.join(", ", topics.sources().keySet()) +
                    ") nor the topic of one of its journal sinks (" + String.join(", ", topics.outputs().keySet()) + ")"));
        }
        return schema;
    }

    private static boolean sameDirectory(final Path a, final Path b)
    {
        try
        {
            return java.nio.file.Files.isDirectory(a) && java.nio.file.Files.isDirectory(b) && java.nio.file.Files.isSameFile(a, b);
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }

    private void validate()
    {
        if (null != fromOffset && fromOffset < 0 || null != toOffset && toOffset < 0)
        {
            throw new CliException(ExitCodes.USAGE, "offsets must not be negative");
        }
        if (null != limit && limit < 0)
        {
            throw new CliException(ExitCodes.USAGE, "--limit must not be negative");
        }
    }

    private void dump(final Partition partition, final Printer printer)
    {
        final long start = Math.max(partition.startOffset(), null == fromOffset ? 0 : fromOffset);
        // Captured once: records appended while dumping are not waited for.
        final long end = Math.min(partition.endOffset(), null == toOffset ? Long.MAX_VALUE : toOffset);
        if (start >= end)
        {
            return;
        }
        try (PartitionReader reader = partition.newReader())
        {
            reader.seek(start);
            // At the first record at or after fromTime, or at the partition's end when there is none.
            if (null != fromTime && reader.seekToTimestamp(fromTime) && reader.position() < start)
            {
                reader.seek(start);
            }
            printer.startPartition(partition.id(), end);
            while (reader.position() < end && !printer.limitReached())
            {
                // Flushes too: stop reading once the reader of our output has gone (dump | head).
                if (printer.outputClosed())
                {
                    return;
                }
                if (0 == reader.poll(printer, POLL_LIMIT))
                {
                    throw new CliException("partition " + partition.id() + " ended at offset " + reader.position() +
                        " before its end offset " + end);
                }
            }
        }
    }

    /**
     * Formats each selected record as one line; reuses one builder for all of them.
     */
    private static final class Printer implements RecordHandler
    {
        private final StringBuilder line = new StringBuilder(256);
        private final PrintWriter out;
        private final long key;
        private final boolean filterKey;
        private final long fromTime;
        private final long toTime;
        private final long limit;
        private final int maxPayload;
        private final DecodedRecordPrinter decoded;
        private long printed;
        private int partitionId;
        private long endOffset;

        Printer(
            final PrintWriter out,
            final long key,
            final boolean filterKey,
            final long fromTime,
            final long toTime,
            final long limit,
            final int maxPayload,
            final DecodedRecordPrinter decoded)
        {
            this.decoded = decoded;
            this.out = out;
            this.key = key;
            this.filterKey = filterKey;
            this.fromTime = fromTime;
            this.toTime = toTime;
            this.limit = limit;
            this.maxPayload = maxPayload;
        }

        void startPartition(final int partitionId, final long endOffset)
        {
            this.partitionId = partitionId;
            this.endOffset = endOffset;
        }

        boolean outputClosed()
        {
            return out.checkError();
        }

        boolean limitReached()
        {
            return printed >= limit;
        }

        @Override
        public void onRecord(final RecordView record)
        {
            final long timestamp = record.timestamp();
            if (record.offset() >= endOffset || limitReached() || timestamp < fromTime || timestamp >= toTime ||
                filterKey && record.key() != key)
            {
                return;
            }
            if (decoded != null)
            {
                if (decoded.print(partitionId, record))
                {
                    printed++;
                }
                return;
            }
            final int length = record.payloadLength();
            final int shown = maxPayload < 0 ? length : Math.min(length, maxPayload);
            line.setLength(0);
            line.append("partition=").append(partitionId)
                .append(" offset=").append(record.offset())
                .append(" timestamp=").append(timestamp)
                .append(" type=").append(record.type())
                .append(" flags=");
            JournalTools.appendHex(record.flags(), 4, line);
            line.append(" key=");
            JournalTools.appendHex(record.key(), 16, line);
            line.append(" length=").append(length).append(" payload=");
            JournalTools.appendHex(record.buffer(), record.payloadOffset(), shown, line);
            if (shown < length)
            {
                line.append("...");
            }
            line.append('\n');
            out.append(line);
            printed++;
        }
    }
}
