package io.sluice.ops.stat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;

/**
 * Prints a counters file the way AeronStat prints Aeron's: one line per counter,
 * {@code id: value - label}, under a header naming the writer and whether it is alive; then the state
 * of every partition ({@code partition <topic>/<n>: RUNNING}), found by type id and key.
 *
 * <p>Threading: the calling thread; reads another process's memory without locks.
 */
public final class StatReport
{
    private StatReport()
    {
    }

    /**
     * Prints every counter (and, if asked, the distinct error log).
     *
     * @param file     the mapped counters file.
     * @param liveness one line about the writer (from its mark file), printed under the header.
     * @param filter   only labels containing this text, or null for all.
     * @param errors   whether to print the distinct error log.
     * @param out      to print to.
     */
    public static void print(final CountersFile file, final String liveness, final String filter, final boolean errors, final PrintWriter out)
    {
        out.printf("%s - pid %d, started %s%n", file.file(), file.pid(), Instant.ofEpochMilli(file.startTimeMs()));
        out.println(liveness);
        out.println("=========================");
        final CountersReader reader = file.newCountersReader();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (filter == null || label.contains(filter))
            {
                out.printf("%3d: %20s - %s%n", counterId, value(typeId, reader.getCounterValue(counterId)), label);
            }
        });
        out.println("=========================");
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == SluiceCounters.PARTITION_STATE_TYPE_ID)
            {
                final String topic = SluiceCounters.topicName(reader, SluiceCounters.topicId(reader, counterId));
                out.printf("partition %s/%d: %s%n", topic, SluiceCounters.partition(reader, counterId),
                    PartitionState.name(reader.getCounterValue(counterId)));
            }
        });
        if (errors)
        {
            out.println("=========================");
            final int distinct = ErrorLogReader.read(file.errorLogBuffer(), (count, first, last, text) ->
                out.printf("%d observations from %s to %s:%n%s%n", count, Instant.ofEpochMilli(first), Instant.ofEpochMilli(last), text));
            out.printf("%d distinct errors%n", distinct);
        }
    }

    /**
     * A counter's value as people read it: timestamps (heartbeat, watermark) as ISO-8601 instants, a
     * value not set yet (a watermark before the first event, the last checkpoint before the first one)
     * as {@code -}, counts with thousands separators.
     *
     * @param typeId of the counter.
     * @param value  of the counter.
     * @return the text.
     */
    static String value(final int typeId, final long value)
    {
        switch (typeId)
        {
            case SluiceCounters.WATERMARK_TYPE_ID:
                // The engine's watermark: Long.MIN_VALUE before the first event, Long.MAX_VALUE at the end of a bounded input.
                if (value == Long.MIN_VALUE)
                {
                    return "-";
                }
                return value == Long.MAX_VALUE ? "end of input" : Instant.ofEpochMilli(value).toString();
            case SluiceCounters.HEARTBEAT_TYPE_ID:
                return Instant.ofEpochMilli(value).toString();
            case SluiceCounters.LAST_CHECKPOINT_ID_TYPE_ID:
            case SluiceCounters.LAST_CHECKPOINT_AGE_TYPE_ID:
                return value < 0 ? "-" : String.format(Locale.ROOT, "%,d", value);
            default:
                return String.format(Locale.ROOT, "%,d", value);
        }
    }

    /**
     * Where the counters file of a data directory is.
     *
     * @param directory the data directory.
     * @return the file's path.
     */
    public static Path counters(final Path directory)
    {
        return directory.resolve(CountersFile.FILE_NAME);
    }
}
