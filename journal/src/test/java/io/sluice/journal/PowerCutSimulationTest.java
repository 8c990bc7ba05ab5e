package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Power-cut simulation. A {@link StorageFaults} hook models what a storage device holds: a file's bytes
 * as of the last force() that completed on it, and a directory's entries as of its last fsync. Nothing
 * else survives. At a random storage operation the power is cut: the operation in flight (a force)
 * persists only a random prefix of the pages it was writing (a torn write), and the model is written
 * out as the journal that a restart finds. Recovery must then open it without help, every record
 * acknowledged DURABLE (below the durable offset a completed force returned) must be there, and every
 * record it returns must be exactly the one written.
 *
 * <p>Both writers ({@link JournalContext#stagedWrites}): a staged writer's {@code pwrite} puts its frames into the page
 * cache, where a power cut loses them as it loses a mapped writer's stores, so the device counts neither towards
 * the cut: it falls among the operations that make something durable (force, allocation, rename, directory fsync).
 *
 * <p>50 cuts per writer in the default build; 1,000 with {@code -Pslow}. The seed is printed on failure
 * ({@code -Dsluice.test.seed=} replays it).
 */
class PowerCutSimulationTest
{
    private static final int PAGE = 4096;
    /** The boot that opens the image: not the one that wrote it. */
    private static final BootId AFTER_POWER_CUT = new BootId(0xC0FFEEL, 0xCAFEL);

    @TempDir
    Path dir;

    @AfterEach
    void clearHook()
    {
        StorageFaults.clear();
    }

    @ParameterizedTest(name = "staged writes {0}")
    @ValueSource(booleans = {false, true})
    void shouldKeepEveryDurableRecordAndNothingCorruptAcrossSimulatedPowerCuts(final boolean staged) throws Exception
    {
        final int cuts = Boolean.getBoolean("sluice.test.slow") ? 1000 : 50;
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        int tornForces = 0;
        int recoveredWithRepairs = 0;
        long durableRecords = 0;
        for (int cut = 0; cut < cuts; cut++)
        {
            final String context = "seed " + seed + " cut " + cut;
            final Outcome outcome = runUntilCut(dir.resolve("live-" + cut), dir.resolve("image-" + cut), random, context, staged);
            tornForces += outcome.tornForce ? 1 : 0;
            // The machine restarts after a power cut: records its writer had not checksummed cannot be trusted.
            try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir.resolve("image-" + cut)).bootId(AFTER_POWER_CUT)))
            {
                final Partition partition = journal.topic("t").partition(0);
                recoveredWithRepairs += journal.recoveryEvents().isEmpty() ? 0 : 1;
                durableRecords += outcome.durable;
                assertThat(partition.endOffset()).as("%s: durable-acknowledged offsets must survive", context)
                    .isGreaterThanOrEqualTo(outcome.durable);
                assertThat(partition.endOffset()).as(context).isLessThanOrEqualTo(outcome.appended);
                final long[] read = new long[1];
                try (PartitionReader reader = partition.newReader())
                {
                    while (reader.poll(record ->
                    {
                        assertThat(JournalTestSupport.check(record, read[0])).as(context).isNull();
                        read[0]++;
                    }, 256) > 0)
                    {
                        // read on
                    }
                }
                assertThat(read[0]).as(context).isEqualTo(partition.endOffset());
                // Writable again, from where it ends.
                JournalTestSupport.append(partition.writer(), new UnsafeBuffer(new byte[256]), partition.endOffset());
            }
            deleteTree(dir.resolve("live-" + cut));
            deleteTree(dir.resolve("image-" + cut));
        }
        // The simulation must exercise what it claims: torn forces, recoveries that repaired, durable acks.
        assertThat(tornForces).as("seed %d: some cuts must tear a force in flight", seed).isPositive();
        assertThat(recoveredWithRepairs).as("seed %d: some cuts must leave a torn tail", seed).isPositive();
        assertThat(durableRecords).as("seed %d", seed).isGreaterThan(cuts * 10L);
    }

    private record Outcome(long durable, long appended, boolean tornForce)
    {
    }

    /** Signals the cut through the journal's own error path. */
    private static final class PowerCut extends IOException
    {
        private static final long serialVersionUID = 1L;

        PowerCut()
        {
            super("simulated power cut");
        }
    }

    private Outcome runUntilCut(final Path live, final Path image, final Random random, final String context, final boolean staged)
        throws IOException
    {
        final JournalContext journalContext = JournalTestSupport.smallContext(live).preallocateNextSegment(false).stagedWrites(staged);
        final Journal journal = Journal.open(journalContext);
        final Partition partition = journal.createTopic("t", 1).partition(0);
        final Path partitionDir = partition.directory();
        final DeviceModel device = new DeviceModel(live, partitionDir, random, 1 + random.nextInt(120));
        device.snapshotAll();
        StorageFaults.install(device);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
        long durable = 0;
        long appended = 0;
        try
        {
            while (!device.cut)
            {
                final int burst = 1 + random.nextInt(random.nextBoolean() ? 10 : 300);
                for (int i = 0; i < burst && !device.cut; i++)
                {
                    JournalTestSupport.append(partition.writer(), scratch, appended);
                    appended++;
                }
                if (!device.cut)
                {
                    durable = partition.force();
                }
            }
        }
        catch (final JournalException ex)
        {
            assertThat(device.cut).as("%s: only the cut may fail an operation: %s", context, ex).isTrue();
        }
        StorageFaults.clear();
        try
        {
            journal.close();
        }
        catch (final JournalException ignore)
        {
            // the partition stopped at the cut
        }
        device.writeImage(image);
        return new Outcome(durable, appended, device.tornForce);
    }

    /**
     * The storage device: file bytes as of each completed force, directory entries as of each fsync.
     * Called on the writer's thread only (no group commit, no background allocation).
     */
    private static final class DeviceModel implements StorageFaults.Hook
    {
        private final Path root;
        private final Path partitionDir;
        private final Random random;
        private final Map<Path, byte[]> forced = new HashMap<>();
        private final Set<Path> entries = new HashSet<>();
        private int operationsBeforeCut;
        private Path inFlight;
        private boolean cut;
        private boolean tornForce;

        DeviceModel(final Path root, final Path partitionDir, final Random random, final int operationsBeforeCut)
        {
            this.root = root;
            this.partitionDir = partitionDir;
            this.random = random;
            this.operationsBeforeCut = operationsBeforeCut;
        }

        void snapshotAll() throws IOException
        {
            for (final Path file : list(partitionDir))
            {
                forced.put(file, Files.readAllBytes(file));
                entries.add(file);
            }
        }

        @Override
        public void before(final StorageFaults.Operation operation, final Path file) throws IOException
        {
            if (cut)
            {
                throw new PowerCut();
            }
            if (operation == StorageFaults.Operation.WRITE)
            {
                // Into the page cache, durable only through a later force: a cut here is a cut before the next operation.
                return;
            }
            final boolean inPartition = partitionDir.equals(file.getParent()) || partitionDir.equals(file);
            if (--operationsBeforeCut <= 0)
            {
                cut = true;
                inFlight = operation == StorageFaults.Operation.FORCE && inPartition ? file : null;
                throw new PowerCut();
            }
            if (!inPartition)
            {
                return;
            }
            // The operation completes: what it makes durable is the state right now (one writer thread).
            if (operation == StorageFaults.Operation.FORCE && Files.exists(file))
            {
                forced.put(file, Files.readAllBytes(file));
            }
            else if (operation == StorageFaults.Operation.FSYNC_DIRECTORY)
            {
                entries.clear();
                entries.addAll(list(partitionDir));
            }
        }

        void writeImage(final Path image) throws IOException
        {
            try (Stream<Path> walk = Files.walk(root))
            {
                for (final Path source : (Iterable<Path>)walk::iterator)
                {
                    final Path target = image.resolve(root.relativize(source).toString());
                    if (Files.isDirectory(source))
                    {
                        Files.createDirectories(target);
                        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                    }
                    else if (!partitionDir.equals(source.getParent()))
                    {
                        Files.copy(source, target);
                    }
                }
            }
            for (final Path file : entries)
            {
                if (!Files.exists(file))
                {
                    continue; // deleted since (a spare renamed into place): its new name is what counts
                }
                byte[] bytes = forced.get(file);
                final byte[] current = Files.readAllBytes(file);
                if (file.equals(inFlight))
                {
                    bytes = tear(bytes == null ? new byte[current.length] : bytes, current);
                }
                else if (bytes == null)
                {
                    // Never forced since it got this name (an index renamed from a spare): any of these.
                    final int choice = random.nextInt(3);
                    bytes = choice == 0 ? new byte[0] : choice == 1 ? new byte[current.length] : current;
                }
                Files.write(image.resolve(root.relativize(file).toString()), bytes);
            }
        }

        /** A force cut short: a random prefix of the pages that differ reached the device. */
        private byte[] tear(final byte[] before, final byte[] after)
        {
            final byte[] result = java.util.Arrays.copyOf(before, after.length);
            int first = 0;
            while (first < after.length && (first >= before.length || before[first] == after[first]) && first < before.length)
            {
                first++;
            }
            final int firstPage = first / PAGE;
            final int pages = (after.length + PAGE - 1) / PAGE - firstPage;
            final int persisted = pages <= 0 ? 0 : random.nextInt(pages + 1);
            final int end = Math.min(after.length, (firstPage + persisted) * PAGE);
            System.arraycopy(after, firstPage * PAGE, result, firstPage * PAGE, Math.max(0, end - firstPage * PAGE));
            tornForce |= persisted < pages;
            return result;
        }

        private static List<Path> list(final Path dir) throws IOException
        {
            try (Stream<Path> files = Files.list(dir))
            {
                return files.filter(Files::isRegularFile).toList();
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
