package io.sluice.engine.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.IdempotentSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.Topic;

/**
 * Child process of the crash tests: an engine with two windowed pipelines and periodic checkpoints
 * over a deterministic input, writing each pipeline's outputs to one file per partition through an
 * {@link IdempotentSink}. It may be killed at any moment; each run resumes the input where the
 * journal ends (per partition) and the outputs where the files end.
 *
 * <p>Arguments: data directory, output directory, number of events, events per second,
 * checkpoint interval in milliseconds.
 */
public final class CrashLoopChild
{
    static final Schema EVENT = Schema.builder("crash_event")
        .longField("account").doubleField("amount").longField("qty").timestampField("ts").longField("seq").build();
    static final int PARTITIONS = 3;
    static final String TOPIC = "crash";

    private CrashLoopChild()
    {
    }

    /**
     * Entry point.
     *
     * @param args data dir, output dir, events, rate, checkpoint interval ms.
     * @throws IOException if the output files cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        final Path data = Path.of(args[0]);
        final Path out = Path.of(args[1]);
        final int events = Integer.parseInt(args[2]);
        final int rate = Integer.parseInt(args[3]);
        final long checkpointMs = Long.parseLong(args[4]);
        Files.createDirectories(out);
        final LineFiles tumblingFiles = new LineFiles(out, "tumbling");
        final LineFiles slidingFiles = new LineFiles(out, "sliding");
        final Pipeline tumbling = Pipeline.from(TOPIC, EVENT).name("tumbling").partitionKey("account").eventTime("ts", 200)
            .window(w -> w.tumbling(1_000).count("n").sum("total", "amount"))
            .sink("file", new IdempotentSink(tumblingFiles, tumblingFiles.nextExpected())).build();
        final Pipeline sliding = Pipeline.from(TOPIC, EVENT).name("sliding").partitionKey("account").eventTime("ts", 200)
            .window(w -> w.sliding(4_000, 1_000).count("n").max("max_qty", "qty"))
            .sink("file", new IdempotentSink(slidingFiles, slidingFiles.nextExpected())).build();
        final EngineContext context = new EngineContext().directory(data).partitions(PARTITIONS).ringSize(4096)
            .journalSegmentLength(1024 * 1024).checkpointIntervalMillis(checkpointMs);
        try (Engine engine = Engine.launch(context, List.of(tumbling, sliding)))
        {
            final long[] journaledUpTo = lastJournaledSequences(engine.journal().topic(TOPIC));
            System.out.println("READY " + String.join(",", engine.recoveryEvents()));
            System.out.flush();
            final EventPublisher publisher = engine.publisher(TOPIC);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[EVENT.length()]);
            final EventFlyweight event = new EventFlyweight(EVENT).wrapForWrite(buffer, 0);
            final long nanosPerBatch = 1_000_000_000L / Math.max(1, rate / 100);
            long next = System.nanoTime();
            for (int i = 0; i < events; i++)
            {
                encode(event, i);
                if (journaledUpTo[Topic.partitionFor(event.getLong(0), PARTITIONS)] >= i)
                {
                    continue; // journaled by an earlier run: the producer's retry recognises it
                }
                publisher.publish(buffer, 0);
                if (i % 100 == 99)
                {
                    next += nanosPerBatch;
                    final long wait = next - System.nanoTime();
                    if (wait > 0)
                    {
                        LockSupport.parkNanos(wait);
                    }
                }
            }
            engine.endOfInput(TOPIC);
        }
        tumblingFiles.close();
        slidingFiles.close();
        System.out.println("DONE");
        System.out.flush();
    }

    static void encode(final EventFlyweight event, final int i)
    {
        final Random random = new Random(i * 7919L);
        event.putLong(0, random.nextInt(500))
            .putDouble(1, random.nextInt(100_000) / 100.0)
            .putLong(2, 1 + random.nextInt(20))
            .putLong(3, i * 2L + random.nextInt(150))
            .putLong(4, i);
    }

    private static long[] lastJournaledSequences(final Topic topic)
    {
        final long[] last = new long[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++)
        {
            final Partition partition = topic.partition(p);
            final int index = p;
            last[p] = -1;
            try (PartitionReader reader = partition.newReader())
            {
                while (reader.poll(r ->
                {
                    if (r.type() == 1)
                    {
                        last[index] = r.buffer().getLong(r.payloadOffset() + EVENT.field("seq").offset());
                    }
                }, 4096) > 0)
                {
                    // scan to the end
                }
            }
        }
        return last;
    }

    /**
     * One append-only text file per partition; a line per output, starting with its sequence. A
     * line torn by a kill is cut off at start.
     */
    static final class LineFiles implements EventSink
    {
        private final FileChannel[] channels = new FileChannel[PARTITIONS];
        private final long[] nextExpected = new long[PARTITIONS];

        LineFiles(final Path dir, final String name) throws IOException
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                final Path file = dir.resolve(name + "-" + p + ".txt");
                channels[p] = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                final byte[] bytes = Files.readAllBytes(file);
                int complete = bytes.length;
                while (complete > 0 && bytes[complete - 1] != '\n')
                {
                    complete--;
                }
                channels[p].truncate(complete);
                channels[p].position(complete);
                long lines = 0;
                for (int i = 0; i < complete; i++)
                {
                    lines += bytes[i] == '\n' ? 1 : 0;
                }
                nextExpected[p] = lines;
            }
        }

        long[] nextExpected()
        {
            return nextExpected;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            final StringBuilder line = new StringBuilder().append(sequence).append(' ').append(key).append(' ').append(timestamp);
            for (int i = 1; i < event.schema().fieldCount(); i++)
            {
                line.append(' ').append(event.doubleValue(i));
            }
            line.append('\n');
            try
            {
                final ByteBuffer bytes = ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining())
                {
                    channels[partition].write(bytes);
                }
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }

        void close() throws IOException
        {
            for (final FileChannel channel : channels)
            {
                channel.close();
            }
        }
    }
}
