package io.sluice.ops.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.sluice.journal.Journal;
import io.sluice.journal.Partition;
import io.sluice.journal.RecoveryEvent;
import io.sluice.journal.SegmentInfo;
import io.sluice.journal.Topic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.cli.Formats;

/**
 * {@code sluice journal stats}: per topic and partition, the retained offset range, record count,
 * durable offset, segments and bytes; with {@code --segments}, one line per segment; and anything
 * recovery had to do when the journal was opened.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Print partitions, segments, offsets and sizes of a journal's topics.")
final class JournalStatsCommand implements Callable<Integer>
{
    private static final String PARTITION_FORMAT = "  %9s  %12s  %12s  %12s  %12s  %8s  %10s  %10s  %s%n";
    private static final String SEGMENT_FORMAT = "      segment %-24s base %12d  records %12d  used %10s of %10s  max timestamp %s%n";

    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, required = true, paramLabel = "DIR", description = "Journal directory.")
    Path dir;

    @Option(names = { "-t", "--topic" }, paramLabel = "TOPIC", description = "Only this topic (default: all).")
    String topicName;

    @Option(names = { "-s", "--segments" }, description = "Also print one line per segment.")
    boolean segments;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (Journal journal = JournalTools.openExisting(dir))
        {
            final List<String> names = null == topicName ? List.copyOf(journal.topicNames()) : List.of(topicName);
            out.printf(Locale.ROOT, "journal %s: %d topic%s%n",
                journal.directory().toAbsolutePath(), names.size(), 1 == names.size() ? "" : "s");
            for (final String name : names)
            {
                printTopic(journal.topic(name), journal.context().readOnly(), out);
                printGroups(journal.topic(name), out);
            }
            final List<RecoveryEvent> events = journal.recoveryEvents();
            if (!events.isEmpty())
            {
                out.printf(Locale.ROOT, "recovery on open: %d action%s%n", events.size(), 1 == events.size() ? "" : "s");
                events.forEach((event) -> out.println("  " + event));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * The topic's consumer groups: committed offset and lag (records not yet committed) per partition.
     */
    private static void printGroups(final Topic topic, final PrintWriter out)
    {
        for (final java.util.Map.Entry<String, long[]> group : io.sluice.journal.GroupCoordinator.readCommittedOffsets(topic).entrySet())
        {
            final long[] committed = group.getValue();
            final StringBuilder line = new StringBuilder("  group ").append(group.getKey()).append(':');
            long totalLag = 0;
            for (int p = 0; p < committed.length; p++)
            {
                final Partition partition = topic.partition(p);
                final long from = committed[p] < 0 ? partition.startOffset() : Math.max(committed[p], partition.startOffset());
                final long lag = Math.max(0, partition.endOffset() - from);
                totalLag += lag;
                line.append(" p").append(p).append(" committed=").append(committed[p] < 0 ? "-" : Long.toString(committed[p]))
                    .append(" lag=").append(lag);
            }
            out.println(line.append(" (total lag ").append(totalLag).append(')'));
        }
    }

    private void printTopic(final Topic topic, final boolean readOnly, final PrintWriter out)
    {
        out.printf(Locale.ROOT, "topic %s: %d partition%s%n",
            topic.name(), topic.partitionCount(), 1 == topic.partitionCount() ? "" : "s");
        out.printf(Locale.ROOT, PARTITION_FORMAT,
            "partition", "start", "end", "records", "durable", "segments", "used", "on disk", "max timestamp");
        long records = 0;
        long segmentCount = 0;
        long used = 0;
        long onDisk = 0;
        for (int id = 0; id < topic.partitionCount(); id++)
        {
            final Partition partition = topic.partition(id);
            final List<SegmentInfo> infos = partition.segmentInfos();
            long partitionUsed = 0;
            long maxTimestamp = Long.MIN_VALUE;
            for (final SegmentInfo info : infos)
            {
                partitionUsed += info.bytesUsed();
                maxTimestamp = Math.max(maxTimestamp, info.maxTimestamp());
            }
            final long count = partition.endOffset() - partition.startOffset();
            out.printf(Locale.ROOT, PARTITION_FORMAT,
                id, partition.startOffset(), partition.endOffset(), count,
                readOnly ? "-" : Long.toString(partition.durableOffset()), infos.size(),
                Formats.bytes(partitionUsed), Formats.bytes(partition.sizeInBytes()), timestamp(maxTimestamp));
            if (segments)
            {
                for (final SegmentInfo info : infos)
                {
                    out.printf(Locale.ROOT, SEGMENT_FORMAT, info.file().getFileName(), info.baseOffset(), info.recordCount(),
                        Formats.bytes(info.bytesUsed()), Formats.bytes(info.capacity()), timestamp(info.maxTimestamp()));
                }
            }
            records += count;
            segmentCount += infos.size();
            used += partitionUsed;
            onDisk += partition.sizeInBytes();
        }
        out.printf(Locale.ROOT, PARTITION_FORMAT,
            "total", "", "", records, "", segmentCount, Formats.bytes(used), Formats.bytes(onDisk), "");
    }

    private static String timestamp(final long timestamp)
    {
        return Long.MIN_VALUE == timestamp ? "-" : Long.toString(timestamp);
    }
}
