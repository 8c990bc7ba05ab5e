package io.sluice.perf;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a new page of a memory-mapped journal segment costs on this machine, and who pays it: a file of
 * {@code mib} MiB is reserved as the journal reserves ({@code pwrite} of zeros in {@code chunk}-byte steps), mapped,
 * pre-touched one way, then written as the writer writes (a long every 64 bytes). Per 4 KiB page, the CPU time of
 * the calling thread in each phase and the minor faults it took:
 * <ul>
 *   <li>{@code cas}: the journal's pre-touch, a compare-and-set of each page's first int from 0 to 0
 *       ({@code Segment.pretouch});</li>
 *   <li>{@code populate}: {@code madvise(MADV_POPULATE_WRITE)} over the same range (Linux 5.14+), through
 *       Java 17's incubating foreign linker, so only with {@code --add-modules jdk.incubator.foreign
 *       --enable-native-access=ALL-UNNAMED} (skipped otherwise);</li>
 *   <li>{@code none}: no pre-touch, the writer pays it all;</li>
 *   <li>{@code pwrite}: no mapping at all: the writer's stores go into a 64 KiB direct buffer, reused, that one
 *       {@code pwrite} copies into the file each time it fills (no zeros written first): the page cache's pages are
 *       then written by the kernel through its own mapping, and no page of the file enters this process's page
 *       tables.</li>
 * </ul>
 * <pre>{@code
 *   java [--add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED] @perf/target/classes/sluice-jvm.options \
 *       -cp perf/target/benchmarks.jar io.sluice.perf.PageTouchMain [dir=/tmp] [mib=64] [chunks=65536,2097152] [rounds=3]
 * }</pre>
 */
public final class PageTouchMain
{
    private static final int PAGE = 4096;
    private static final int MADV_POPULATE_WRITE = 23;

    private PageTouchMain()
    {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code name=value}: dir, mib, chunks, rounds.
     * @throws Throwable on failure.
     */
    public static void main(final String[] args) throws Throwable
    {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        int mib = 64;
        int rounds = 3;
        final List<Integer> chunks = new ArrayList<>(List.of(65536, 2 << 20));
        for (final String arg : args)
        {
            final String[] kv = arg.split("=", 2);
            switch (kv[0])
            {
                case "dir" -> dir = Path.of(kv[1]);
                case "mib" -> mib = Integer.parseInt(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "chunks" ->
                {
                    chunks.clear();
                    for (final String c : kv[1].split(","))
                    {
                        chunks.add(Integer.parseInt(c));
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'; known: dir, mib, chunks, rounds");
            }
        }
        final MethodHandle madvise = madvise().orElse(null);
        System.out.printf("PageTouchMain dir=%s mib=%d chunks=%s rounds=%d; populate %s; load average %s%n", dir, mib, chunks, rounds,
            madvise == null ? "not available (no jdk.incubator.foreign)" : "available", Machine.loadAverage());
        final int size = mib << 20;
        for (int round = 1; round <= rounds; round++)
        {
            for (final int chunk : chunks)
            {
                for (final String touch : madvise == null ? List.of("cas", "none") : List.of("cas", "populate", "none"))
                {
                    System.out.println("round " + round + " " + measure(dir, size, chunk, touch, madvise));
                }
            }
            System.out.println("round " + round + " " + measureWrites(dir, size));
        }
    }

    private static String measure(final Path dir, final int size, final int chunk, final String touch, final MethodHandle madvise)
        throws Throwable
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Path file = Files.createTempFile(dir, "page-touch-", ".dat");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long c0 = threads.getCurrentThreadCpuTime();
            final ByteBuffer zeros = ByteBuffer.allocateDirect(chunk);
            for (long position = 0; position < size; )
            {
                zeros.clear();
                position += channel.write(zeros, position);
            }
            final java.nio.MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            final UnsafeBuffer mapped = new UnsafeBuffer(mapping);
            final long f1 = ThreadFaults.minor();
            final long c1 = threads.getCurrentThreadCpuTime();
            if (touch.equals("cas"))
            {
                casTouch(mapped, size);
            }
            else if (touch.equals("populate"))
            {
                populate(madvise, mapped.addressOffset(), size);
            }
            final long f2 = ThreadFaults.minor();
            final long c2 = threads.getCurrentThreadCpuTime();
            write(mapped, size);
            final long c3 = threads.getCurrentThreadCpuTime();
            final long f3 = ThreadFaults.minor();
            // Unmapped now, not at some later GC: a mapping left behind changed what the next measurement's writes cost.
            org.agrona.IoUtil.unmap(mapping);
            final double pages = size / (double)PAGE;
            return String.format("pwrite chunk %,9d B, touch %-8s: us per page: reserve %.2f, touch %.2f (%d faults), writer %.2f (%d faults)",
                chunk, touch, (c1 - c0) / 1e3 / pages, (c2 - c1) / 1e3 / pages, f2 - f1, (c3 - c2) / 1e3 / pages, f3 - f2);
        }
        finally
        {
            Files.delete(file);
        }
    }

    /** The {@code pwrite} way: the writer's stores into a reused direct buffer, copied into the file 64 KiB at a time. */
    private static String measureWrites(final Path dir, final int size) throws java.io.IOException
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Path file = Files.createTempFile(dir, "page-touch-", ".dat");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final int staging = 64 << 10;
            final ByteBuffer run = ByteBuffer.allocateDirect(staging);
            final UnsafeBuffer stores = new UnsafeBuffer(run);
            final long f0 = ThreadFaults.minor();
            final long c0 = threads.getCurrentThreadCpuTime();
            for (int at = 0; at < size; at += staging)
            {
                for (int position = 0; position < staging; position += 64)
                {
                    stores.putLong(position, at + position);
                }
                run.clear();
                for (long written = 0; written < staging; )
                {
                    written += channel.write(run, at + written);
                }
            }
            final long c1 = threads.getCurrentThreadCpuTime();
            final long f1 = ThreadFaults.minor();
            final double pages = size / (double)PAGE;
            return String.format("no mapping, writes through pwrite of 64 KiB runs: us per page: writer %.2f (%d faults)",
                (c1 - c0) / 1e3 / pages, f1 - f0);
        }
        finally
        {
            Files.delete(file);
        }
    }

    private static void casTouch(final UnsafeBuffer mapped, final int size)
    {
        for (int page = 0; page < size; page += PAGE)
        {
            mapped.compareAndSetInt(page, 0, 0);
        }
    }

    private static void write(final UnsafeBuffer mapped, final int size)
    {
        for (int position = 0; position < size; position += 64)
        {
            mapped.putLong(position, position);
        }
    }

    private static void populate(final MethodHandle madvise, final long address, final int size) throws Throwable
    {
        final int step = 16 * PAGE; // the allocator duty's step (Partition.AHEAD_STEP)
        for (long offset = 0; offset < size; offset += step)
        {
            final int rc = (int)madvise.invokeExact(address + offset, (long)step, MADV_POPULATE_WRITE);
            if (rc != 0)
            {
                throw new IllegalStateException("madvise(MADV_POPULATE_WRITE) returned " + rc);
            }
        }
    }

    /** {@code int madvise(long address, long length, int advice)} through the incubating foreign linker, if it is there. */
    private static Optional<MethodHandle> madvise()
    {
        try
        {
            final Class<?> linker = Class.forName("jdk.incubator.foreign.CLinker");
            final Class<?> address = Class.forName("jdk.incubator.foreign.MemoryAddress");
            final Class<?> layout = Class.forName("jdk.incubator.foreign.MemoryLayout");
            final Class<?> descriptor = Class.forName("jdk.incubator.foreign.FunctionDescriptor");
            final Class<?> addressable = Class.forName("jdk.incubator.foreign.Addressable");
            final Object lookup = linker.getMethod("systemLookup").invoke(null);
            final Optional<?> symbol = (Optional<?>)Class.forName("jdk.incubator.foreign.SymbolLookup").getMethod("lookup", String.class)
                .invoke(lookup, "madvise");
            if (symbol.isEmpty())
            {
                return Optional.empty();
            }
            final Object layouts = Array.newInstance(layout, 2);
            Array.set(layouts, 0, linker.getField("C_LONG").get(null));
            Array.set(layouts, 1, linker.getField("C_INT").get(null));
            final Object arguments = Array.newInstance(layout, 3);
            Array.set(arguments, 0, linker.getField("C_POINTER").get(null));
            Array.set(arguments, 1, linker.getField("C_LONG").get(null));
            Array.set(arguments, 2, linker.getField("C_INT").get(null));
            final Object function = descriptor.getMethod("of", layout, layouts.getClass().getComponentType().arrayType())
                .invoke(null, linker.getField("C_INT").get(null), arguments);
            final MethodHandle call = (MethodHandle)linker.getMethod("downcallHandle", addressable, MethodType.class, descriptor)
                .invoke(linker.getMethod("getInstance").invoke(null), symbol.get(),
                    MethodType.methodType(int.class, address, long.class, int.class), function);
            final MethodHandle ofLong = MethodHandles.publicLookup().findStatic(address, "ofLong", MethodType.methodType(address, long.class));
            return Optional.of(MethodHandles.filterArguments(call, 0, ofLong).asType(MethodType.methodType(int.class, long.class, long.class, int.class)));
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return Optional.empty();
        }
    }
}
