package io.sluice.journal;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Settings of a {@link Journal}, with fluent setters and one {@link #conclude()} that validates them
 * all and fails fast with a message naming the setting and the reason.
 */
public final class JournalContext
{
    /** Default segment length: 64 MiB. */
    public static final int DEFAULT_SEGMENT_LENGTH = 64 * 1024 * 1024;
    /** Smallest segment length accepted. */
    public static final int MIN_SEGMENT_LENGTH = 64 * 1024;
    /** Largest segment length accepted (positions are 32-bit). */
    public static final int MAX_SEGMENT_LENGTH = 1 << 30;
    /** Default bytes of log between sparse index entries. */
    public static final int DEFAULT_INDEX_INTERVAL = 4096;
    /** Default number of appended records that triggers a group commit force(). */
    public static final int DEFAULT_GROUP_COMMIT_RECORDS = 4096;
    /** Default distance ahead of each writer that the allocator duty keeps reserved and pre-touched: 16 MiB. */
    public static final int DEFAULT_RESERVE_AHEAD_BYTES = 16 * 1024 * 1024;
    /** Default longest time a record waits for its group commit force(). */
    public static final long DEFAULT_GROUP_COMMIT_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** System property giving {@link #stagedWrites()}'s default (false when not set). */
    public static final String STAGED_WRITES_PROPERTY = "sluice.journal.staged.writes";
    /** System property giving {@link #stagedSmallRunRecords()}'s default (0 when not set). */
    public static final String STAGED_SMALL_RUN_RECORDS_PROPERTY = "sluice.journal.staged.small.run.records";

    /**
     * What a reader does when asked for an offset below the partition's retained start.
     */
    public enum OutOfRangePolicy
    {
        /** Throw a {@link JournalException} of category OFFSET_OUT_OF_RANGE. */
        ERROR,
        /** Move to the first retained record. */
        MOVE_TO_START
    }

    private Path directory;
    private int segmentLength = DEFAULT_SEGMENT_LENGTH;
    private int indexIntervalBytes = DEFAULT_INDEX_INTERVAL;
    private long retentionBytes = -1;
    private long retentionMillis = -1;
    private boolean verifyChecksumsOnOpen = true;
    private boolean groupCommit = false;
    private boolean externalDuties;
    private int groupCommitRecords = DEFAULT_GROUP_COMMIT_RECORDS;
    private long groupCommitDelayNs = DEFAULT_GROUP_COMMIT_DELAY_NS;
    private OutOfRangePolicy outOfRangePolicy = OutOfRangePolicy.ERROR;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private boolean preallocateNextSegment = true;
    private int reserveAheadBytes = DEFAULT_RESERVE_AHEAD_BYTES;
    private boolean pretouchOnOpen;
    private boolean stagedWrites = Boolean.getBoolean(STAGED_WRITES_PROPERTY);
    private int stagedSmallRunRecords = Integer.getInteger(STAGED_SMALL_RUN_RECORDS_PROPERTY, 0);
    private boolean readOnly;
    private BootId bootId = BootId.current();
    private boolean concluded;

    /**
     * Validates every setting.
     *
     * @return this.
     * @throws JournalException of category CONFIGURATION naming the setting and the reason.
     */
    public JournalContext conclude()
    {
        if (directory == null)
        {
            throw configError("directory", "is required");
        }
        if (segmentLength < MIN_SEGMENT_LENGTH || segmentLength > MAX_SEGMENT_LENGTH ||
            segmentLength % RecordDescriptor.FRAME_ALIGNMENT != 0)
        {
            throw configError("segmentLength", "must be a multiple of 8 in [" + MIN_SEGMENT_LENGTH + ", " +
                MAX_SEGMENT_LENGTH + "], was " + segmentLength);
        }
        if (indexIntervalBytes < 64 || indexIntervalBytes > segmentLength)
        {
            throw configError("indexIntervalBytes", "must be in [64, segmentLength], was " + indexIntervalBytes);
        }
        if (retentionBytes == 0 || retentionBytes < -1)
        {
            throw configError("retentionBytes", "must be positive or -1 for unlimited, was " + retentionBytes);
        }
        if (retentionMillis == 0 || retentionMillis < -1)
        {
            throw configError("retentionMillis", "must be positive or -1 for unlimited, was " + retentionMillis);
        }
        if (groupCommitRecords < 1)
        {
            throw configError("groupCommitRecords", "must be at least 1, was " + groupCommitRecords);
        }
        if (groupCommitDelayNs < 0)
        {
            throw configError("groupCommitDelayNs", "must not be negative, was " + groupCommitDelayNs);
        }
        if (reserveAheadBytes < SegmentFiles.RESERVE_CHUNK || reserveAheadBytes > MAX_SEGMENT_LENGTH)
        {
            throw configError("reserveAheadBytes", "must be in [" + SegmentFiles.RESERVE_CHUNK + ", " + MAX_SEGMENT_LENGTH +
                "], was " + reserveAheadBytes);
        }
        if (stagedSmallRunRecords < 0)
        {
            throw configError("stagedSmallRunRecords", "must not be negative, was " + stagedSmallRunRecords);
        }
        if (outOfRangePolicy == null || epochClock == null)
        {
            throw configError(outOfRangePolicy == null ? "outOfRangePolicy" : "epochClock", "is required");
        }
        concluded = true;
        return this;
    }

    private static JournalException configError(final String setting, final String reason)
    {
        return new JournalException(JournalException.Category.CONFIGURATION, "journal setting '" + setting + "' " + reason);
    }

    boolean isConcluded()
    {
        return concluded;
    }

    /**
     * Sets the directory holding the journal's topics.
     *
     * @param directory holding the journal's topics.
     * @return this.
     */
    public JournalContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * The directory holding the journal's topics.
     *
     * @return the directory holding the journal's topics.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Sets the length of each segment file in bytes, used for segments created from now on.
     *
     * @param segmentLength in bytes.
     * @return this.
     */
    public JournalContext segmentLength(final int segmentLength)
    {
        this.segmentLength = segmentLength;
        return this;
    }

    /**
     * The length of each new segment file in bytes.
     *
     * @return the segment length in bytes.
     */
    public int segmentLength()
    {
        return segmentLength;
    }

    /**
     * Sets how many bytes of log lie between entries of the sparse offset and time indexes.
     *
     * @param indexIntervalBytes between index entries.
     * @return this.
     */
    public JournalContext indexIntervalBytes(final int indexIntervalBytes)
    {
        this.indexIntervalBytes = indexIntervalBytes;
        return this;
    }

    /**
     * Bytes of log between index entries.
     *
     * @return bytes of log between index entries.
     */
    public int indexIntervalBytes()
    {
        return indexIntervalBytes;
    }

    /**
     * Sets the retained size per partition; whole sealed segments beyond it are deleted by retention.
     *
     * @param retentionBytes per partition, or -1 for unlimited.
     * @return this.
     */
    public JournalContext retentionBytes(final long retentionBytes)
    {
        this.retentionBytes = retentionBytes;
        return this;
    }

    /**
     * Retained size per partition, or -1.
     *
     * @return retained bytes per partition, or -1 for unlimited.
     */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    /**
     * Sets the retained age: a sealed segment whose newest record timestamp (epoch ms) is older is deleted.
     *
     * @param retentionMillis age limit, or -1 for unlimited.
     * @return this.
     */
    public JournalContext retentionMillis(final long retentionMillis)
    {
        this.retentionMillis = retentionMillis;
        return this;
    }

    /**
     * Retained age in milliseconds, or -1.
     *
     * @return the retained age in milliseconds, or -1 for unlimited.
     */
    public long retentionMillis()
    {
        return retentionMillis;
    }

    /**
     * Sets whether opening a partition checks the CRC32C of every record of every segment (true,
     * the default), or only of the tail segment.
     *
     * @param verifyChecksumsOnOpen whether to check every record on open.
     * @return this.
     */
    public JournalContext verifyChecksumsOnOpen(final boolean verifyChecksumsOnOpen)
    {
        this.verifyChecksumsOnOpen = verifyChecksumsOnOpen;
        return this;
    }

    /**
     * Whether opening checks every record's CRC.
     *
     * @return whether opening checks every record's CRC.
     */
    public boolean verifyChecksumsOnOpen()
    {
        return verifyChecksumsOnOpen;
    }

    /**
     * Sets whether the caller runs the journal's background duties (segment pre-allocation, group
     * commit) itself, from {@link Journal#duties()}, instead of the journal starting a thread for each:
     * an engine does, to run them in its threading mode (a thread each, or all on one thread).
     *
     * @param externalDuties true to start no threads in the journal.
     * @return this.
     */
    public JournalContext externalDuties(final boolean externalDuties)
    {
        this.externalDuties = externalDuties;
        return this;
    }

    /**
     * Whether the caller runs the journal's duties.
     *
     * @return true if the journal starts no threads of its own.
     */
    public boolean externalDuties()
    {
        return externalDuties;
    }

    /**
     * Sets whether a background thread forces appended records to disk in groups (group commit),
     * making them DURABLE; without it {@link PartitionWriter#awaitDurable(long)} forces synchronously.
     *
     * @param groupCommit whether to run the group commit thread.
     * @return this.
     */
    public JournalContext groupCommit(final boolean groupCommit)
    {
        this.groupCommit = groupCommit;
        return this;
    }

    /**
     * Whether group commit runs.
     *
     * @return whether group commit runs.
     */
    public boolean groupCommit()
    {
        return groupCommit;
    }

    /**
     * Sets the number of pending records that triggers a group commit.
     *
     * @param groupCommitRecords pending records that trigger a force().
     * @return this.
     */
    public JournalContext groupCommitRecords(final int groupCommitRecords)
    {
        this.groupCommitRecords = groupCommitRecords;
        return this;
    }

    /**
     * Pending records that trigger a group commit.
     *
     * @return pending records that trigger a force().
     */
    public int groupCommitRecords()
    {
        return groupCommitRecords;
    }

    /**
     * Sets the longest a pending record waits before a group commit forces it.
     *
     * @param groupCommitDelayNs longest wait in nanoseconds.
     * @return this.
     */
    public JournalContext groupCommitDelayNs(final long groupCommitDelayNs)
    {
        this.groupCommitDelayNs = groupCommitDelayNs;
        return this;
    }

    /**
     * Longest wait before a group commit, in nanoseconds.
     *
     * @return the longest wait in nanoseconds.
     */
    public long groupCommitDelayNs()
    {
        return groupCommitDelayNs;
    }

    /**
     * Sets what readers do when positioned below the retained start.
     *
     * @param outOfRangePolicy for readers.
     * @return this.
     */
    public JournalContext outOfRangePolicy(final OutOfRangePolicy outOfRangePolicy)
    {
        this.outOfRangePolicy = outOfRangePolicy;
        return this;
    }

    /**
     * What readers do when positioned below the retained start.
     *
     * @return the policy.
     */
    public OutOfRangePolicy outOfRangePolicy()
    {
        return outOfRangePolicy;
    }

    /**
     * Sets the clock retention by age compares segment timestamps with.
     *
     * @param epochClock giving epoch milliseconds.
     * @return this.
     */
    public JournalContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * The clock used by retention by age.
     *
     * @return the clock.
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * Sets whether space is pre-allocated by a background duty (the allocator): the next segment of
     * each partition (a sparse file with its first blocks reserved, so that a roll is renames and a
     * header write), and real blocks, pre-touched in the mapping, {@link #reserveAheadBytes} ahead of
     * each writer. Off, the writer reserves the blocks it needs itself, a megabyte at a time, and
     * allocates the next segment when it rolls.
     *
     * @param preallocateNextSegment whether to pre-allocate off the hot path.
     * @return this.
     */
    public JournalContext preallocateNextSegment(final boolean preallocateNextSegment)
    {
        this.preallocateNextSegment = preallocateNextSegment;
        return this;
    }

    /**
     * Sets how far ahead of each writer the allocator duty keeps real blocks reserved and the pages
     * pre-touched (as Chronicle Queue's pretoucher does), so that appends take no page fault and never
     * wait for a block allocation; the rest of a segment stays a hole until the writer nears it.
     *
     * @param reserveAheadBytes distance in bytes, at least 1 MiB.
     * @return this.
     */
    public JournalContext reserveAheadBytes(final int reserveAheadBytes)
    {
        this.reserveAheadBytes = reserveAheadBytes;
        return this;
    }

    /**
     * How far ahead of each writer space is reserved and pre-touched.
     *
     * @return the distance in bytes.
     */
    public int reserveAheadBytes()
    {
        return reserveAheadBytes;
    }

    /**
     * Sets whether opening a partition for writing reserves and pre-touches the first
     * {@link #reserveAheadBytes} after its tail before it returns, so that the very first appends
     * after a launch take no page fault (a low-latency profile's choice; it lengthens the open).
     *
     * @param pretouchOnOpen whether to pre-touch the first stretch on open.
     * @return this.
     */
    public JournalContext pretouchOnOpen(final boolean pretouchOnOpen)
    {
        this.pretouchOnOpen = pretouchOnOpen;
        return this;
    }

    /**
     * Whether opening a partition pre-touches the first stretch after its tail.
     *
     * @return whether the first stretch is pre-touched on open.
     */
    public boolean pretouchOnOpen()
    {
        return pretouchOnOpen;
    }

    /**
     * Sets how the writers get their frames into the segment files.
     * <ul>
     *   <li>false (mapped, the default unless {@value #STAGED_WRITES_PROPERTY} is {@code true}): each frame is
     *       stored into the tail's mapping and is JOURNALED when {@code append} returns; the allocator duty pre-touches
     *       the pages ahead of the writer, and the checksum duty stores the CRC32C of each frame off the writer's
     *       thread.</li>
     *   <li>true (staged): each writer builds its frames in a reused staging buffer, checksums them itself, and writes
     *       them into the file with one {@code pwrite} per publication: {@code append} and {@code commit} write at once
     *       (JOURNALED on return as before); {@code appendUnpublished} stages, and the run becomes JOURNALED when
     *       {@code publishAppended} returns. No page of the mappings is written by the writer for the runs it writes,
     *       nor pre-touched for them (only a short stretch for small runs, see {@link #stagedSmallRunRecords(int)}); the
     *       allocator duty still writes zeros ahead. For a writer that appends runs of small records and publishes each
     *       run once (the live engine): a new mapped page costs several microseconds on some virtual machines, a page
     *       written with {@code pwrite} a fraction of that. A writer that publishes every record pays a system call per
     *       record instead.</li>
     * </ul>
     * The on-disk format and recovery are the same in both modes.
     *
     * @param stagedWrites whether writers stage their frames and write them with {@code pwrite}.
     * @return this.
     */
    public JournalContext stagedWrites(final boolean stagedWrites)
    {
        this.stagedWrites = stagedWrites;
        return this;
    }

    /**
     * Whether writers stage their frames and write them with {@code pwrite} (see {@link #stagedWrites(boolean)}).
     *
     * @return whether writes are staged.
     */
    public boolean stagedWrites()
    {
        return stagedWrites;
    }

    /**
     * Sets the runs a staged writer ({@link #stagedWrites(boolean)}) stores through the tail's mapping instead of writing
     * them with a {@code pwrite}: runs of at most this many records. For a writer that publishes runs of one or two
     * records at low rates (a processing thread that keeps up with its producers takes an event or two per turn), where
     * the system call costs microseconds and the stores a fraction of one. The frames are checksummed and laid out as a
     * staged run's (each frame's first 64 bits stored last, with a release store, as the mapped writer publishes), so
     * that recovery, readers and force() see no difference. While the writer stores such runs, the allocator duty
     * pre-touches a short stretch of the mapping ahead of it (64 KiB), so that its stores do not take the pages' first
     * faults on its thread; the runs it writes leave the mapping untouched. 0 (the default unless
     * {@value #STAGED_SMALL_RUN_RECORDS_PROPERTY} is set): every run is written with a {@code pwrite}.
     *
     * @param records most records of a run stored through the mapping, 0 for none.
     * @return this.
     */
    public JournalContext stagedSmallRunRecords(final int records)
    {
        this.stagedSmallRunRecords = records;
        return this;
    }

    /**
     * Runs of at most this many records a staged writer stores through the mapping (see {@link #stagedSmallRunRecords(int)}).
     *
     * @return the records, 0 if every run is written with a {@code pwrite}.
     */
    public int stagedSmallRunRecords()
    {
        return stagedSmallRunRecords;
    }

    /**
     * Sets read-only mode, for tools that inspect a journal a live process may be writing: files are
     * mapped read-only, nothing is created, truncated or rebuilt (a torn tail is reported and
     * skipped, not repaired), there are no writers and no background threads. Each partition shows
     * the records that were complete when it was opened.
     *
     * @param readOnly whether to open read-only.
     * @return this.
     */
    public JournalContext readOnly(final boolean readOnly)
    {
        this.readOnly = readOnly;
        return this;
    }

    /**
     * Whether the journal is opened read-only.
     *
     * @return whether the journal is opened read-only.
     */
    public boolean readOnly()
    {
        return readOnly;
    }

    /**
     * Sets the boot the journal takes as the running one; tests simulate a restart of the machine
     * (power loss) by opening with another boot than the one that wrote.
     *
     * @param bootId to take as the running boot.
     * @return this.
     */
    JournalContext bootId(final BootId bootId)
    {
        this.bootId = bootId;
        return this;
    }

    /**
     * The boot the journal takes as the running one.
     *
     * @return the running boot.
     */
    BootId bootId()
    {
        return bootId;
    }

    /**
     * Whether the next segment is pre-allocated in the background.
     *
     * @return whether the next segment is pre-allocated in the background.
     */
    public boolean preallocateNextSegment()
    {
        return preallocateNextSegment;
    }
}
