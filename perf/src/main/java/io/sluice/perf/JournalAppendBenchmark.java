package io.sluice.perf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.PartitionWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-writer append of fixed-size records into one journal partition, no force(): the
 * JOURNALED path. Each iteration writes into a fresh journal in a temporary directory, deleted
 * afterwards, so that a run does not fill the disk.
 *
 * <p>Run: {@code java -jar perf/target/benchmarks.jar JournalAppendBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JournalAppendBenchmark
{
    /** Payload bytes per record. */
    @Param({ "64" })
    public int payloadSize;

    private Path directory;
    private Journal journal;
    private PartitionWriter writer;
    private UnsafeBuffer payload;
    private long sequence;

    /**
     * Opens a fresh journal with one single-partition topic.
     *
     * @throws IOException if the temporary directory cannot be created.
     */
    @Setup(Level.Iteration)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("sluice-bench-");
        journal = Journal.open(new JournalContext().directory(directory));
        writer = journal.createTopic("bench", 1).partition(0).writer();
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadSize));
    }

    /**
     * Closes and deletes the iteration's journal.
     *
     * @throws IOException if a file cannot be deleted.
     */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException
    {
        journal.close();
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(path);
            }
        }
    }

    /**
     * Appends one record.
     *
     * @return the record's offset, so the append cannot be eliminated.
     */
    @Benchmark
    public long append()
    {
        final long seq = sequence++;
        payload.putLong(0, seq);
        return writer.append(1, 0, seq, seq, payload, 0, payloadSize);
    }
}
