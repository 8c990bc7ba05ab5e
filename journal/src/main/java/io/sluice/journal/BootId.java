package io.sluice.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Identity of the running boot of the machine (Linux {@code /proc/sys/kernel/random/boot_id}, a random
 * 128-bit value the kernel draws at every boot). A segment's header records the boot of the process
 * that last opened it for writing; recovery compares it with the current boot to decide whether the
 * page cache that held the writer's records survived:
 * <ul>
 *   <li>same boot: the process died (kill -9, a JVM crash) but the kernel kept every byte it had
 *       written, so records it wrote and had not yet checksummed are intact and are checksummed now;</li>
 *   <li>another boot (or unknown): the machine restarted; records that were never checksummed were
 *       never forced either, so any of their pages may be missing or stale, and they are dropped as a
 *       torn tail.</li>
 * </ul>
 * Where the kernel offers no boot id, every boot is "unknown", which is the safe answer for power
 * loss and drops unchecksummed records after kill -9 as well (they were acknowledged JOURNALED only).
 *
 * @param high the first 64 bits of the boot id.
 * @param low  the last 64 bits of the boot id.
 */
record BootId(long high, long low)
{
    /** No boot could be identified: never equal to the current boot. */
    static final BootId UNKNOWN = new BootId(0, 0);

    private static final Path BOOT_ID_FILE = Path.of("/proc/sys/kernel/random/boot_id");
    private static final BootId CURRENT = read();

    /**
     * The boot the machine is running now.
     *
     * @return the current boot, or {@link #UNKNOWN}.
     */
    static BootId current()
    {
        return CURRENT;
    }

    /**
     * Whether records written under this boot can be trusted in the page cache of the given one.
     *
     * @param other boot to compare with.
     * @return true only when both are known and equal.
     */
    boolean sameAs(final BootId other)
    {
        // Field by field, not the record's equals: that is bootstrapped through an invokedynamic call site on its
        // first use, which every journal open paid (~40 ms of a fresh process's CPU, section 83 of perf/README.md).
        return (high | low) != 0 && high == other.high && low == other.low;
    }

    private static BootId read()
    {
        try
        {
            final String text = Files.readString(BOOT_ID_FILE, StandardCharsets.US_ASCII).trim().replace("-", "");
            if (text.length() != 32)
            {
                return UNKNOWN;
            }
            return new BootId(Long.parseUnsignedLong(text.substring(0, 16), 16), Long.parseUnsignedLong(text.substring(16), 16));
        }
        catch (final IOException | RuntimeException ex)
        {
            return UNKNOWN;
        }
    }

    @Override
    public String toString()
    {
        return equals(UNKNOWN) ? "unknown" : String.format("%016x%016x", high, low);
    }
}
