/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import java.nio.file.Path;

/**
 * Unchecked, typed failure of a consumer-group operation: coordination (membership, fencing) or the durable
 * committed-offset store. The {@link #reason()} says which category of failure it is so callers can decide without
 * parsing the message; {@link #file()} names the offsets file when the failure concerns one. It is a
 * {@link JournalException} whose {@link #category()} maps from the reason, so callers handling journal failures by
 * category handle group failures too.
 */
public class GroupException extends JournalException
{
    private static final long serialVersionUID = 1L;

    /**
     * Category of a consumer-group failure.
     */
    public enum Reason
    {
        /** A group name is not a safe file name, or an argument is out of range: a caller's configuration error. */
        INVALID_ARGUMENT,
        /** A member joined with an id that is already live in the group. */
        DUPLICATE_MEMBER,
        /** The member is not (or no longer) in the group, e.g. it left or was evicted after its session timed out. */
        UNKNOWN_MEMBER,
        /** A commit carried a stale generation or named a partition the member does not own; nothing was written. */
        FENCED,
        /** A committed-offsets file exists but is not valid; see {@link OffsetFileCorruptException}. */
        CORRUPT_OFFSETS,
        /** Reading, writing or forcing a committed-offsets file failed. */
        IO_ERROR,
        /** The group, coordinator or consumer has been closed. */
        CLOSED
    }

    /** Category of the failure. */
    private final Reason reason;

    /** Offsets file the failure concerns, or null; not serialised since {@link Path} is not serialisable. */
    private final transient Path file;

    /**
     * Create an exception of a given category that concerns no particular file.
     *
     * @param reason  category of the failure.
     * @param message describing what went wrong and, where it helps, what to do about it.
     */
    public GroupException(final Reason reason, final String message)
    {
        this(reason, message, null, null);
    }

    /**
     * Create an exception of a given category, optionally naming the file it concerns and the underlying cause.
     *
     * @param reason  category of the failure.
     * @param message describing what went wrong and, where it helps, what to do about it.
     * @param file    the failure concerns, or {@code null} when none.
     * @param cause   of the failure, or {@code null} when none.
     */
    public GroupException(final Reason reason, final String message, final Path file, final Throwable cause)
    {
        super(categoryOf(reason), message, cause);
        this.reason = reason;
        this.file = file;
    }

    /**
     * Category of the failure.
     *
     * @return category of the failure.
     */
    public Reason reason()
    {
        return reason;
    }

    private static Category categoryOf(final Reason reason)
    {
        switch (reason)
        {
            case INVALID_ARGUMENT:
                return Category.CONFIGURATION;
            case CORRUPT_OFFSETS:
                return Category.CORRUPTION;
            case IO_ERROR:
                return Category.IO;
            default:
                return Category.STATE;
        }
    }

    /**
     * The offsets file the failure concerns.
     *
     * @return the offsets file the failure concerns, or {@code null} when it concerns none.
     */
    public Path file()
    {
        return file;
    }
}
