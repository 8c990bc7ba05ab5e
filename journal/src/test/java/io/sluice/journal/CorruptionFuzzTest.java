package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded corruption fuzzer over segments, offset and time indexes and a consumer group's offsets file:
 * random bit flips, truncations and zeroed ranges, one per case, on a journal of several segments.
 * Each case opens the damaged journal as the reading tools do (read-only), reads every record, seeks to
 * random offsets and timestamps, and reads the group's committed offsets; every few cases it also opens
 * read-write (recovery) and runs the verifier. Each case runs under a deadline.
 *
 * <p>What must hold: no hang; no record returned that is not exactly the one written at its offset; no
 * reader that stops short of the end without an error; every error a typed journal or group error
 * naming the damaged file; a refused open is also reported by the verifier; after a read-write open
 * succeeds, the verifier finds nothing wrong, except damage inside a segment that the open trusted by its
 * seal mark or recovery point ({@link SealMark}) without walking it: then reading the records failed with
 * a CORRUPTION error naming that segment, and every problem the verifier lists is in it.
 *
 * <p>10,000 cases in the default build; 1,000,000 with {@code -Pslow}. The seed is printed on failure
 * ({@code -Dsluice.test.seed=} replays it).
 */
class CorruptionFuzzTest
{
    private static final long CASE_DEADLINE_SECONDS = 60;
    private static final int RECORDS = 3000;

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
    {
        final Thread thread = new Thread(r, "fuzz-case");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void stop()
    {
        executor.shutdownNow();
    }

    @Test
    void shouldReportEveryDamageWithFileAndNeverHangOrReturnAWrongRecord() throws Exception
    {
        final int cases = Boolean.getBoolean("sluice.test.slow") ? 1_000_000 : 10_000;
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Path journalDir = dir.resolve("j");
        final Path groups = journalDir.resolve("t").resolve("groups");
        writeTemplate(journalDir, groups);
        final Map<Path, byte[]> template = readTree(journalDir);
        final List<Path> targets = new ArrayList<>(template.keySet());
        final Random random = new Random(seed);
        for (int n = 0; n < cases; n++)
        {
            final Path file = targets.get(random.nextInt(targets.size()));
            final byte[] original = template.get(file);
            final String mutation = mutate(file, original, random);
            final boolean recover = n % 97 == 0;
            final boolean verify = recover || n % 13 == 0;
            final long caseSeed = random.nextLong();
            final String label = "seed " + seed + " case " + n + ": " + mutation;
            final Future<?> future = executor.submit(() ->
            {
                check(journalDir, groups, file, new Random(caseSeed), verify, recover, label);
                return null;
            });
            try
            {
                future.get(CASE_DEADLINE_SECONDS, TimeUnit.SECONDS);
            }
            catch (final TimeoutException ex)
            {
                throw new AssertionError(label + ": no answer within " + CASE_DEADLINE_SECONDS + " s (a hang)");
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                throw new AssertionError(label + ": " + ex.getCause(), ex.getCause());
            }
            if (recover)
            {
                restoreTree(journalDir, template);
            }
            else
            {
                restore(file, original);
            }
        }
    }

    private void writeTemplate(final Path journalDir, final Path groups)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir).preallocateNextSegment(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (int i = 0; i < RECORDS; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            assertThat(partition.segmentInfos().size()).isGreaterThan(2);
        }
        final OffsetStore store = OffsetStore.open(groups, "g", 1);
        store.store(3, new long[] {1234});
    }

    private static String mutate(final Path file, final byte[] original, final Random random) throws IOException
    {
        // Half the time aim at the written bytes (a segment's records end well before its end).
        final int written = Math.max(1, SegmentScanner.extentOfNonZero(new UnsafeBuffer(original), 0));
        final int span = random.nextBoolean() ? Math.min(original.length, written + 64) : original.length;
        final int kind = random.nextInt(3);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            if (kind == 0)
            {
                final int flips = 1 + random.nextInt(random.nextBoolean() ? 1 : 8);
                final StringBuilder where = new StringBuilder();
                for (int i = 0; i < flips; i++)
                {
                    final int at = random.nextInt(span);
                    raf.seek(at);
                    final int b = raf.read();
                    raf.seek(at);
                    raf.write(b ^ (1 + random.nextInt(255)));
                    where.append(i == 0 ? "" : ",").append(at);
                }
                return "flip " + file.getFileName() + " at " + where;
            }
            if (kind == 1)
            {
                final int length = random.nextInt(original.length);
                raf.setLength(length);
                return "truncate " + file.getFileName() + " to " + length;
            }
            final int from = random.nextInt(span);
            final int length = 1 + random.nextInt(Math.min(8192, original.length - from));
            raf.seek(from);
            raf.write(new byte[length]);
            return "zero " + file.getFileName() + " [" + from + ", " + (from + length) + ")";
        }
    }

    private static void check(
        final Path journalDir,
        final Path groups,
        final Path file,
        final Random random,
        final boolean verify,
        final boolean recover,
        final String label)
    {
        final boolean readOnlyRefused = readAndCheck(journalDir, file, random, true, label) == REFUSED;
        if (verify)
        {
            final JournalVerifier verifier = JournalVerifier.verify(journalDir);
            if (readOnlyRefused)
            {
                assertThat(verifier.problems()).as("%s: a refused open must show in verify", label).isNotEmpty();
            }
        }
        try
        {
            final long[] committed = OffsetStore.readCommitted(groups, "g", 1);
            assertThat(committed).as(label).containsExactly(1234);
        }
        catch (final GroupException ex)
        {
            assertThat(ex.getMessage()).as(label).contains(groups.toString());
        }
        if (!recover)
        {
            return;
        }
        final int outcome = readAndCheck(journalDir, file, random, false, label);
        if (outcome == REFUSED)
        {
            return;
        }
        final List<String> problems = JournalVerifier.verify(journalDir).problems();
        if (outcome == READ_FAILED && file.getFileName().toString().endsWith(SegmentDescriptor.LOG_SUFFIX) && trustedByMark(file))
        {
            // Trusted by its seal mark or recovery point at open: the damage is found when read (it was) and by
            // verify, in that segment only.
            assertThat(problems).as("%s: after recovery opened it", label).allSatisfy(problem ->
                assertThat(problem).startsWith(file.toString()));
            return;
        }
        assertThat(problems).as("%s: after recovery opened it", label).isEmpty();
    }

    private static final int READ_ALL = 0;
    private static final int REFUSED = 1;
    private static final int READ_FAILED = 2;

    /**
     * Whether a read-write open may trust a segment file by its mark without walking it: a sealed segment
     * with an intact seal mark, or the tail with an intact recovery point (or seal mark).
     */
    private static boolean trustedByMark(final Path file)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            if (bytes.length < SegmentDescriptor.HEADER_LENGTH)
            {
                return false;
            }
            final String name = file.getFileName().toString();
            final long base = Long.parseLong(name.substring(0, name.indexOf('.')));
            final long[] bases = PartitionRecovery.listBaseOffsets(file.getParent());
            final UnsafeBuffer header = new UnsafeBuffer(bytes);
            final boolean tail = bases.length > 0 && bases[bases.length - 1] == base;
            return SealMark.intact(header) && (tail || SealMark.isSeal(header));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * Opens, reads everything and seeks around.
     *
     * @return {@link #REFUSED} if the open was refused, {@link #READ_FAILED} if a read failed (each with an error
     *         naming the file), else {@link #READ_ALL}.
     */
    private static int readAndCheck(
        final Path journalDir, final Path file, final Random random, final boolean readOnly, final String label)
    {
        final JournalContext context = JournalTestSupport.smallContext(journalDir).readOnly(readOnly).preallocateNextSegment(false);
        final Journal journal;
        try
        {
            journal = Journal.open(context);
        }
        catch (final JournalException ex)
        {
            assertThat(ex.getMessage()).as("%s: the error must name the file", label).contains(journalDir.toString());
            return REFUSED;
        }
        try
        {
            final Partition partition = journal.topic("t").partition(0);
            final long start = partition.startOffset();
            final long end = partition.endOffset();
            assertThat(end).as(label).isLessThanOrEqualTo(RECORDS);
            try (PartitionReader reader = partition.newReader())
            {
                reader.seek(start);
                while (reader.position() < end)
                {
                    final int read = reader.poll(record ->
                        assertThat(JournalTestSupport.check(record, record.offset())).as(label).isNull(), 512);
                    assertThat(read).as("%s: reader stopped at %d before end %d", label, reader.position(), end).isPositive();
                }
                for (int i = 0; i < 8 && end > start; i++)
                {
                    final long offset = start + (long)(random.nextDouble() * (end - start));
                    reader.seek(offset);
                    assertThat(reader.poll(record ->
                    {
                        assertThat(record.offset()).as(label).isEqualTo(offset);
                        assertThat(JournalTestSupport.check(record, offset)).as(label).isNull();
                    }, 1)).as(label).isOne();
                    final long sequence = random.nextInt(RECORDS);
                    if (reader.seekToTimestamp(JournalTestSupport.timestampOf(sequence)))
                    {
                        reader.poll(record -> assertThat(JournalTestSupport.check(record, record.offset())).as(label).isNull(), 1);
                    }
                }
            }
        }
        catch (final JournalException ex)
        {
            assertThat(ex.getMessage()).as("%s: the error must name the file", label).contains(journalDir.toString());
            return READ_FAILED;
        }
        finally
        {
            journal.close();
        }
        return READ_ALL;
    }

    private static Map<Path, byte[]> readTree(final Path root) throws IOException
    {
        final Map<Path, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)walk.filter(Files::isRegularFile)::iterator)
            {
                if (!file.getFileName().toString().equals(TopicMetadata.FILE_NAME))
                {
                    files.put(file, Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    private static void restore(final Path file, final byte[] original) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(original.length);
            raf.seek(0);
            raf.write(original);
        }
    }

    private static void restoreTree(final Path root, final Map<Path, byte[]> template) throws IOException
    {
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)walk.filter(Files::isRegularFile)::iterator)
            {
                if (!template.containsKey(file) && !file.getFileName().toString().equals(TopicMetadata.FILE_NAME))
                {
                    Files.delete(file);
                }
            }
        }
        for (final Map.Entry<Path, byte[]> entry : template.entrySet())
        {
            restore(entry.getKey(), entry.getValue());
        }
    }
}
