/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import java.nio.file.Path;

/**
 * A committed-offsets file exists but cannot be trusted. Offsets are never silently reset: the operator decides
 * (restore the file from a backup, or delete it knowingly so the group restarts from the earliest offsets).
 * <p>
 * The {@link #defect()} says what is wrong and {@link #file()} names the file; both are in the message too.
 *
 * @see OffsetFileDescriptor
 */
public final class OffsetFileCorruptException extends GroupException
{
    private static final long serialVersionUID = 1L;

    /**
     * What is wrong with an offsets file.
     */
    public enum Defect
    {
        /** The file length is not the length its header implies (torn or truncated file, or trailing garbage). */
        BAD_LENGTH,
        /** The file does not start with {@link OffsetFileDescriptor#MAGIC}: it is not an offsets file. */
        BAD_MAGIC,
        /** The file was written by a layout version this code does not read. */
        UNSUPPORTED_VERSION,
        /** The file holds offsets for a different number of partitions than the topic has. */
        PARTITION_COUNT_MISMATCH,
        /** The CRC32C over the file does not match the stored checksum. */
        CHECKSUM_MISMATCH,
        /** A stored field is out of range (negative generation, or an offset below {@code -1}). */
        BAD_FIELD
    }

    /** What is wrong with the file. */
    private final Defect defect;

    /**
     * Create an exception describing a defect in an offsets file.
     *
     * @param file   that is corrupt.
     * @param defect category of what is wrong.
     * @param detail describing what was expected and what was found.
     */
    public OffsetFileCorruptException(final Path file, final Defect defect, final String detail)
    {
        super(
            Reason.CORRUPT_OFFSETS,
            "corrupt consumer-group offsets file " + file + ": " + defect + ": " + detail +
            " (offsets are not reset automatically; restore the file or delete it to restart the group from earliest)",
            file,
            null);
        this.defect = defect;
    }

    /**
     * What is wrong with the file.
     *
     * @return what is wrong with the file.
     */
    public Defect defect()
    {
        return defect;
    }
}
