package io.sluice.engine.runtime;

import java.nio.file.Path;

import org.agrona.BitUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.checkpoint.CheckpointFaults;
import io.sluice.journal.JournalContext;

/**
 * Settings of an {@link Engine}, with fluent setters and one {@link #conclude()} that checks them
 * all and fails fast with the setting's name and the reason. Defaults, and the system properties that
 * override them, are in {@link Configuration}.
 */
public final class EngineContext
{
    /**
     * Defaults of the engine's settings and the system properties that change them (as Aeron's
     * contexts have): a property, when set, replaces the default; a setter replaces both.
     */
    public static final class Configuration
    {
        /** Property for the partitions of every source topic. */
        public static final String PARTITIONS_PROP_NAME = "sluice.engine.partitions";
        /** Default partitions of every source topic. */
        public static final int PARTITIONS_DEFAULT = 4;
        /** Property for the slots of each partition's ring (a power of two). */
        public static final String RING_SIZE_PROP_NAME = "sluice.engine.ring.size";
        /** Default slots of each partition's ring. */
        public static final int RING_SIZE_DEFAULT = 8192;
        /** Property for the largest event in bytes. */
        public static final String MAX_EVENT_LENGTH_PROP_NAME = "sluice.engine.max.event.length";
        /** Default largest event in bytes. */
        public static final int MAX_EVENT_LENGTH_DEFAULT = 256;
        /** Property for the processing-time tick interval in ms. */
        public static final String TICK_INTERVAL_PROP_NAME = "sluice.engine.tick.interval.ms";
        /** Default processing-time tick interval in ms. */
        public static final long TICK_INTERVAL_DEFAULT_MS = 100;
        /** Property for the interval between retention passes in ms. */
        public static final String RETENTION_INTERVAL_PROP_NAME = "sluice.engine.retention.interval.ms";
        /** Default interval between retention passes in ms. */
        public static final long RETENTION_INTERVAL_DEFAULT_MS = 10_000;
        /** Property for the number of complete checkpoints kept. */
        public static final String CHECKPOINTS_RETAINED_PROP_NAME = "sluice.engine.checkpoints.retained";
        /** Default number of complete checkpoints kept. */
        public static final int CHECKPOINTS_RETAINED_DEFAULT = 3;

        /** Rows of state a partition copies per slice of a checkpoint, between events. */
        public static final String CHECKPOINT_SLICE_ROWS_PROP_NAME = "sluice.engine.checkpoint.slice.rows";

        /** Default of {@value #CHECKPOINT_SLICE_ROWS_PROP_NAME}: about 10-20 us of copying per slice. */
        public static final int CHECKPOINT_SLICE_ROWS_DEFAULT = 1024;
        /** Property for the threading mode of the background duties: DEDICATED or SHARED. */
        public static final String THREADING_MODE_PROP_NAME = "sluice.engine.threading.mode";
        /** Machines with at most this many cores default to {@link ThreadingMode#SHARED}. */
        public static final int SHARED_MAX_CORES = 2;
        /** Property for the number of processing threads the partitions run on (0 or unset: from the cores). */
        public static final String PROCESSING_THREADS_PROP_NAME = "sluice.engine.processing.threads";
        /** Property for the most ring slots a processing thread takes from one partition per turn. */
        public static final String PARTITION_BATCH_LIMIT_PROP_NAME = "sluice.engine.partition.batch.limit";
        /**
         * Default most ring slots taken from one partition per turn. A turn's run is journaled with one system call (the
         * staged writer's {@code pwrite}) and its counters published once, so the turn's fixed cost is paid per this many
         * events under load; 1,024 events are ~0.1 ms of a processing thread's work at W1's ~90 ns each (perf/README.md
         * section 102: 256 cost the processing thread ~10% more CPU per event on W1 and W3).
         */
        public static final int PARTITION_BATCH_LIMIT_DEFAULT = 1024;
        /** Property for the profile: STANDARD or LOW_LATENCY. */
        public static final String PROFILE_PROP_NAME = "sluice.engine.profile";
        /** Property for the synthetic events each pipeline group is warmed with before the engine accepts input. */
        public static final String WARM_UP_EVENTS_PROP_NAME = "sluice.engine.warm.up.events";
        /** Synthetic warm-up events per pipeline group under {@link EngineProfile#LOW_LATENCY}: past C2's compile thresholds. */
        public static final int WARM_UP_EVENTS_LOW_LATENCY_DEFAULT = 100_000;
        /** Property for whether the journal's writers stage runs of live events and write each with one pwrite. */
        public static final String JOURNAL_STAGED_WRITES_PROP_NAME = JournalContext.STAGED_WRITES_PROPERTY;
        /**
         * Default of {@value #JOURNAL_STAGED_WRITES_PROP_NAME} for the engine under {@link EngineProfile#STANDARD}; under
         * {@link EngineProfile#LOW_LATENCY} the default is false (mapped writes), see {@link #journalStagedWrites(EngineProfile)}.
         */
        public static final boolean JOURNAL_STAGED_WRITES_DEFAULT = true;
        /**
         * Property for the runs of live events a staged journal writer stores through the mapping instead of writing them
         * with a {@code pwrite} ({@link JournalContext#stagedSmallRunRecords(int)}): runs of at most this many events.
         */
        public static final String JOURNAL_STAGED_SMALL_RUN_RECORDS_PROP_NAME = JournalContext.STAGED_SMALL_RUN_RECORDS_PROPERTY;
        /** Default of {@value #JOURNAL_STAGED_SMALL_RUN_RECORDS_PROP_NAME} for the engine. */
        public static final int JOURNAL_STAGED_SMALL_RUN_RECORDS_DEFAULT = 2;

        private Configuration()
        {
        }

        /**
         * Whether the journal's writers stage runs of live events and write each with one {@code pwrite}. Not under
         * {@link EngineProfile#LOW_LATENCY} unless asked for: its processing threads busy-spin, so at the rates below
         * their capacity each turn takes an event or two and a {@code pwrite} per turn is a system call per event,
         * microseconds where the mapped writer's store takes a fraction of one (perf/README.md, section 91).
         *
         * @param profile the engine's profile.
         * @return {@value #JOURNAL_STAGED_WRITES_PROP_NAME} if set, else {@value #JOURNAL_STAGED_WRITES_DEFAULT} under
         *         STANDARD and false under LOW_LATENCY.
         */
        public static boolean journalStagedWrites(final EngineProfile profile)
        {
            final String value = System.getProperty(JOURNAL_STAGED_WRITES_PROP_NAME);
            return value == null ? JOURNAL_STAGED_WRITES_DEFAULT && profile != EngineProfile.LOW_LATENCY : Boolean.parseBoolean(value);
        }

        /**
         * Runs of live events a staged journal writer stores through the mapping rather than writing them with a
         * {@code pwrite}: at low rates a processing thread that keeps up takes an event or two per turn, and a system
         * call per turn would cost microseconds per event (perf/README.md, section 98).
         *
         * @return {@value #JOURNAL_STAGED_SMALL_RUN_RECORDS_PROP_NAME} or {@value #JOURNAL_STAGED_SMALL_RUN_RECORDS_DEFAULT}.
         */
        public static int journalStagedSmallRunRecords()
        {
            return Integer.getInteger(JOURNAL_STAGED_SMALL_RUN_RECORDS_PROP_NAME, JOURNAL_STAGED_SMALL_RUN_RECORDS_DEFAULT);
        }

        /**
         * Partitions of every source topic.
         *
         * @return {@value #PARTITIONS_PROP_NAME} or {@value #PARTITIONS_DEFAULT}.
         */
        public static int partitions()
        {
            return Integer.getInteger(PARTITIONS_PROP_NAME, PARTITIONS_DEFAULT);
        }

        /**
         * Slots of each partition's ring.
         *
         * @return {@value #RING_SIZE_PROP_NAME} or {@value #RING_SIZE_DEFAULT}.
         */
        public static int ringSize()
        {
            return Integer.getInteger(RING_SIZE_PROP_NAME, RING_SIZE_DEFAULT);
        }

        /**
         * Largest event in bytes.
         *
         * @return {@value #MAX_EVENT_LENGTH_PROP_NAME} or {@value #MAX_EVENT_LENGTH_DEFAULT}.
         */
        public static int maxEventLength()
        {
            return Integer.getInteger(MAX_EVENT_LENGTH_PROP_NAME, MAX_EVENT_LENGTH_DEFAULT);
        }

        /**
         * Processing-time tick interval.
         *
         * @return {@value #TICK_INTERVAL_PROP_NAME} or {@value #TICK_INTERVAL_DEFAULT_MS} ms.
         */
        public static long tickIntervalMillis()
        {
            return Long.getLong(TICK_INTERVAL_PROP_NAME, TICK_INTERVAL_DEFAULT_MS);
        }

        /**
         * Interval between retention passes.
         *
         * @return {@value #RETENTION_INTERVAL_PROP_NAME} or {@value #RETENTION_INTERVAL_DEFAULT_MS} ms.
         */
        public static long retentionIntervalMillis()
        {
            return Long.getLong(RETENTION_INTERVAL_PROP_NAME, RETENTION_INTERVAL_DEFAULT_MS);
        }

        /**
         * Complete checkpoints kept.
         *
         * @return {@value #CHECKPOINTS_RETAINED_PROP_NAME} or {@value #CHECKPOINTS_RETAINED_DEFAULT}.
         */
        public static int checkpointsRetained()
        {
            return Integer.getInteger(CHECKPOINTS_RETAINED_PROP_NAME, CHECKPOINTS_RETAINED_DEFAULT);
        }

        /**
         * Processing threads the partitions run on: {@value #PROCESSING_THREADS_PROP_NAME} if set to more
         * than 0, else one per core but one (left to ingress and the background duties), at least 1.
         * The engine never runs more threads than it has partitions.
         *
         * @return the number of processing threads.
         */
        public static int processingThreads()
        {
            final int configured = Integer.getInteger(PROCESSING_THREADS_PROP_NAME, 0);
            return configured > 0 ? configured : defaultProcessingThreads(Runtime.getRuntime().availableProcessors());
        }

        /**
         * Processing threads by default on a machine: one per core but one, at least 1.
         *
         * @param cores of the machine.
         * @return the number of processing threads.
         */
        public static int defaultProcessingThreads(final int cores)
        {
            return Math.max(1, cores - 1);
        }

        /**
         * Most ring slots a processing thread takes from one partition per turn, so that one hot
         * partition cannot starve the others on its thread; a longer turn spreads the turn's fixed cost (one journal
         * write, the counters) over more events.
         *
         * @return {@value #PARTITION_BATCH_LIMIT_PROP_NAME} or {@value #PARTITION_BATCH_LIMIT_DEFAULT}.
         */
        public static int partitionBatchLimit()
        {
            return Integer.getInteger(PARTITION_BATCH_LIMIT_PROP_NAME, PARTITION_BATCH_LIMIT_DEFAULT);
        }

        /**
         * Rows of state a partition copies per slice of a checkpoint.
         *
         * @return {@value #CHECKPOINT_SLICE_ROWS_PROP_NAME} or {@value #CHECKPOINT_SLICE_ROWS_DEFAULT}.
         */
        public static int checkpointSliceRows()
        {
            return Integer.getInteger(CHECKPOINT_SLICE_ROWS_PROP_NAME, CHECKPOINT_SLICE_ROWS_DEFAULT);
        }

        /**
         * Threading mode of the background duties: {@value #THREADING_MODE_PROP_NAME} if set, else
         * SHARED on machines with at most {@value #SHARED_MAX_CORES} cores, DEDICATED on larger ones.
         *
         * @return the mode.
         * @throws EngineException if the property names no mode.
         */
        public static ThreadingMode threadingMode()
        {
            final String value = System.getProperty(THREADING_MODE_PROP_NAME);
            if (value == null || value.isBlank())
            {
                return Runtime.getRuntime().availableProcessors() <= SHARED_MAX_CORES ? ThreadingMode.SHARED : ThreadingMode.DEDICATED;
            }
            try
            {
                return ThreadingMode.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new EngineException("system property " + THREADING_MODE_PROP_NAME + " must be DEDICATED or SHARED, was '" + value + "'");
            }
        }

        /**
         * The profile: {@value #PROFILE_PROP_NAME} if set, else STANDARD.
         *
         * @return the profile.
         * @throws EngineException if the property names no profile.
         */
        public static EngineProfile profile()
        {
            final String value = System.getProperty(PROFILE_PROP_NAME);
            if (value == null || value.isBlank())
            {
                return EngineProfile.STANDARD;
            }
            try
            {
                return EngineProfile.valueOf(value.trim().replace('-', '_').toUpperCase(java.util.Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new EngineException("system property " + PROFILE_PROP_NAME + " must be standard or low-latency, was '" + value + "'");
            }
        }

        /**
         * Warm-up events per pipeline group: {@value #WARM_UP_EVENTS_PROP_NAME} if set, else
         * {@value #WARM_UP_EVENTS_LOW_LATENCY_DEFAULT} under LOW_LATENCY and none under STANDARD.
         *
         * @param profile the engine's profile.
         * @return the number of events.
         */
        public static int warmUpEvents(final EngineProfile profile)
        {
            return Integer.getInteger(WARM_UP_EVENTS_PROP_NAME, profile == EngineProfile.LOW_LATENCY ? WARM_UP_EVENTS_LOW_LATENCY_DEFAULT : 0);
        }
    }

    /**
     * Largest block of ring slots per partition ({@code ringSize} slots, each a 40-byte header and {@code maxEventLength}
     * bytes, in whole 64-byte cache lines): one direct buffer of at most 1 GiB.
     */
    public static final long MAX_RING_BYTES = 1L << 30;

    private Path directory;
    private int partitions = Configuration.partitions();
    private int ringSize = Configuration.ringSize();
    private int maxEventLength = Configuration.maxEventLength();
    private WaitStrategyKind waitStrategy = WaitStrategyKind.SLEEP;
    private boolean pinThreads;
    private long tickIntervalMillis = Configuration.tickIntervalMillis();
    private EpochClock clock = SystemEpochClock.INSTANCE;
    private CountersManager countersManager;
    private UnsafeBuffer errorLogBuffer;
    private int journalSegmentLength = JournalContext.DEFAULT_SEGMENT_LENGTH;
    /** 0: from the profile ({@link #journalReserveAheadBytes()}). */
    private int journalReserveAheadBytes;
    /** Null: from the profile ({@link Configuration#journalStagedWrites(EngineProfile)}). */
    private Boolean journalStagedWrites;
    private boolean groupCommit;
    private IngestLatencyListener latencyListener;
    private java.util.Map<String, io.sluice.engine.exec.SymbolKeyNames> keyNames = java.util.Map.of();
    private StageLatencyListener stageLatencyListener;
    private TurnCpuListener turnCpuListener;
    private DeadLetterListener deadLetterListener;
    private long journalRetentionBytes = -1;
    private long journalRetentionMillis = -1;
    private long retentionIntervalMillis = Configuration.retentionIntervalMillis();
    private boolean checkpoints = true;
    private long checkpointIntervalMillis;
    private int checkpointsRetained = Configuration.checkpointsRetained();
    private int checkpointSliceRows = Configuration.checkpointSliceRows();
    private long restoreCheckpointAtMost = Long.MAX_VALUE;
    private CheckpointFaults checkpointFaults = CheckpointFaults.fromSystemProperty();
    private ThreadingMode threadingMode;
    private int processingThreads;
    private int partitionBatchLimit = Configuration.partitionBatchLimit();
    private EngineProfile profile;
    private int warmUpEvents = -1;
    private final java.util.concurrent.atomic.AtomicBoolean concluded = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Validates the settings and creates defaults (in-memory counters and error log).
     *
     * @return this.
     * @throws EngineException naming the setting and the reason, or if the context was concluded already
     *                         (a context belongs to one engine).
     */
    public EngineContext conclude()
    {
        if (concluded.getAndSet(true))
        {
            throw new EngineException("EngineContext already concluded: a context configures one engine");
        }
        try
        {
            validate();
        }
        catch (final RuntimeException ex)
        {
            concluded.set(false); // a failed conclude may be fixed and tried again
            throw ex;
        }
        return this;
    }

    private void validate()
    {
        if (directory == null)
        {
            throw new EngineException("engine setting 'directory' is required (the journal lives there)");
        }
        if (partitions < 1 || partitions > 1024)
        {
            throw new EngineException("engine setting 'partitions' must be in [1, 1024], was " + partitions);
        }
        if (ringSize < 2 || !BitUtil.isPowerOfTwo(ringSize))
        {
            throw new EngineException("engine setting 'ringSize' must be a power of two >= 2, was " + ringSize);
        }
        if (maxEventLength < 8 || maxEventLength > 1 << 20 || maxEventLength % 8 != 0)
        {
            throw new EngineException("engine setting 'maxEventLength' must be a multiple of 8 in [8, 1 MiB], was " + maxEventLength);
        }
        if ((long)ringSize * RingSlot.stride(maxEventLength) > MAX_RING_BYTES)
        {
            throw new EngineException("engine settings 'ringSize' " + ringSize + " x slots of " + RingSlot.stride(maxEventLength) +
                " bytes ('maxEventLength' " + maxEventLength + " and the slot's header) = " + (long)ringSize * RingSlot.stride(maxEventLength) +
                " bytes per partition ring, more than the largest ring block of " + MAX_RING_BYTES + " bytes: use a smaller ring");
        }
        if (tickIntervalMillis < 0)
        {
            throw new EngineException("engine setting 'tickIntervalMillis' must be >= 0, was " + tickIntervalMillis);
        }
        if (waitStrategy == null || clock == null)
        {
            throw new EngineException("engine setting '" + (waitStrategy == null ? "waitStrategy" : "clock") + "' is required");
        }
        if (retentionIntervalMillis < 1)
        {
            throw new EngineException("engine setting 'retentionIntervalMillis' must be >= 1, was " + retentionIntervalMillis);
        }
        if (checkpointSliceRows < 1)
        {
            throw new EngineException("engine setting 'checkpointSliceRows' must be >= 1, was " + checkpointSliceRows);
        }
        if (checkpointIntervalMillis < 0 || checkpointsRetained < 1)
        {
            throw new EngineException("engine setting '" + (checkpointsRetained < 1 ? "checkpointsRetained" : "checkpointIntervalMillis") +
                "' must be " + (checkpointsRetained < 1 ? ">= 1, was " + checkpointsRetained : ">= 0, was " + checkpointIntervalMillis));
        }
        if (countersManager == null)
        {
            // Direct buffers: counters need 8-byte aligned addresses for their atomic operations.
            countersManager = new CountersManager(
                // Room for 4,096 counters: metadata 512 B and value 128 B each.
                new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(4096 * 512)),
                new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(4096 * 128)));
        }
        if (errorLogBuffer == null)
        {
            errorLogBuffer = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(1024 * 1024));
        }
        if (turnCpuListener != null && !threadCpuClockEnabled())
        {
            throw new EngineException("engine setting 'turnCpuListener' needs the JVM's thread CPU clock, which is not supported or " +
                "not enabled (ThreadMXBean.isCurrentThreadCpuTimeSupported / isThreadCpuTimeEnabled)");
        }
        if (profile == null)
        {
            profile = Configuration.profile();
        }
        if (warmUpEvents < 0)
        {
            warmUpEvents = Configuration.warmUpEvents(profile);
        }
        if (warmUpEvents > 10_000_000)
        {
            throw new EngineException("engine setting 'warmUpEvents' must be in [0, 10000000], was " + warmUpEvents);
        }
        if (profile == EngineProfile.LOW_LATENCY)
        {
            // The background duties on the two shared low-priority threads, kept off the spinning cores.
            threadingMode = ThreadingMode.SHARED;
        }
        if (threadingMode == null)
        {
            threadingMode = Configuration.threadingMode();
        }
        if (processingThreads < 0 || processingThreads > 1024)
        {
            throw new EngineException("engine setting 'processingThreads' must be in [0, 1024] (0: from the cores), was " + processingThreads);
        }
        if (processingThreads == 0)
        {
            processingThreads = Configuration.processingThreads();
        }
        if (partitionBatchLimit < 1)
        {
            throw new EngineException("engine setting 'partitionBatchLimit' must be >= 1, was " + partitionBatchLimit);
        }
    }

    /**
     * Sets the profile (see {@link EngineProfile}); by default {@link Configuration#profile()}. Under
     * {@link EngineProfile#LOW_LATENCY} the engine decides at launch the wait strategy and pinning of its
     * processing threads (set values are replaced), runs the background duties {@link ThreadingMode#SHARED}
     * and warms the pipelines up; {@link Engine#profileReport()} says what it did.
     *
     * @param profile STANDARD or LOW_LATENCY.
     * @return this.
     */
    public EngineContext profile(final EngineProfile profile)
    {
        this.profile = profile;
        return this;
    }

    /**
     * The profile; null until set or concluded.
     *
     * @return the profile.
     */
    public EngineProfile profile()
    {
        return profile;
    }

    /**
     * Sets how many synthetic events each pipeline group runs through a scratch copy of its pipelines
     * before the engine accepts input, so that the JIT has compiled the per-event code (outputs discarded,
     * nothing journaled, user filters and mappers do run); by default {@link Configuration#warmUpEvents}.
     *
     * @param warmUpEvents per group, 0 for none, at most 10,000,000.
     * @return this.
     */
    public EngineContext warmUpEvents(final int warmUpEvents)
    {
        this.warmUpEvents = warmUpEvents;
        return this;
    }

    /**
     * Synthetic warm-up events per pipeline group; -1 until set or concluded.
     *
     * @return the count.
     */
    public int warmUpEvents()
    {
        return warmUpEvents;
    }

    boolean isConcluded()
    {
        return concluded.get();
    }

    /**
     * Sets how the background duties run (see {@link ThreadingMode}); by default {@link Configuration#threadingMode()}.
     *
     * @param threadingMode DEDICATED or SHARED.
     * @return this.
     */
    public EngineContext threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = threadingMode;
        return this;
    }

    /**
     * How the background duties run; null until set or concluded.
     *
     * @return the threading mode.
     */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * Sets the number of processing threads the partitions of all source topics run on (M for N
     * partitions, dealt round-robin; never more than N are started). 0, the default, takes
     * {@link Configuration#processingThreads()}: one per core but one, at least 1.
     *
     * @param processingThreads 0 for the default, or 1 to 1024.
     * @return this.
     */
    public EngineContext processingThreads(final int processingThreads)
    {
        this.processingThreads = processingThreads;
        return this;
    }

    /**
     * Processing threads the partitions run on (before the cap at the number of partitions); 0 until
     * set or concluded.
     *
     * @return the number of processing threads.
     */
    public int processingThreads()
    {
        return processingThreads;
    }

    /**
     * Sets the most ring slots a processing thread takes from one partition per turn before it turns
     * to the next partition on the thread: lower bounds the delay a hot partition adds to its
     * thread-mates, higher amortises the per-turn cost (counters published, ring cursor read).
     *
     * @param partitionBatchLimit at least 1; by default {@link Configuration#partitionBatchLimit()}.
     * @return this.
     */
    public EngineContext partitionBatchLimit(final int partitionBatchLimit)
    {
        this.partitionBatchLimit = partitionBatchLimit;
        return this;
    }

    /**
     * Most ring slots taken from one partition per turn.
     *
     * @return the limit.
     */
    public int partitionBatchLimit()
    {
        return partitionBatchLimit;
    }

    /**
     * Sets the data directory; the journal lives in {@code <directory>/journal}.
     *
     * @param directory of the engine's data.
     * @return this.
     */
    public EngineContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * The data directory.
     *
     * @return the data directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Sets the number of partitions of every source topic (one ring each, run on the processing threads).
     *
     * @param partitions per topic.
     * @return this.
     */
    public EngineContext partitions(final int partitions)
    {
        this.partitions = partitions;
        return this;
    }

    /**
     * Partitions per source topic.
     *
     * @return the partition count.
     */
    public int partitions()
    {
        return partitions;
    }

    /**
     * Sets the slots of each partition ring (a power of two).
     *
     * @param ringSize in slots.
     * @return this.
     */
    public EngineContext ringSize(final int ringSize)
    {
        this.ringSize = ringSize;
        return this;
    }

    /**
     * Slots per ring.
     *
     * @return the ring size.
     */
    public int ringSize()
    {
        return ringSize;
    }

    /**
     * Sets the largest event, in bytes, a ring slot holds.
     *
     * @param maxEventLength in bytes.
     * @return this.
     */
    public EngineContext maxEventLength(final int maxEventLength)
    {
        this.maxEventLength = maxEventLength;
        return this;
    }

    /**
     * Largest event a slot holds.
     *
     * @return the length in bytes.
     */
    public int maxEventLength()
    {
        return maxEventLength;
    }

    /**
     * Sets how a processing thread waits when none of its partitions has an event.
     *
     * @param waitStrategy of the processing threads.
     * @return this.
     */
    public EngineContext waitStrategy(final WaitStrategyKind waitStrategy)
    {
        this.waitStrategy = waitStrategy;
        return this;
    }

    /**
     * How processing threads wait.
     *
     * @return the wait strategy kind.
     */
    public WaitStrategyKind waitStrategy()
    {
        return waitStrategy;
    }

    /**
     * Sets whether each processing thread is pinned to a CPU (OpenHFT affinity), when available.
     *
     * @param pinThreads whether to pin.
     * @return this.
     */
    public EngineContext pinThreads(final boolean pinThreads)
    {
        this.pinThreads = pinThreads;
        return this;
    }

    /**
     * Whether processing threads are pinned.
     *
     * @return whether processing threads are pinned.
     */
    public boolean pinThreads()
    {
        return pinThreads;
    }

    /**
     * Sets the period of journaled processing-time ticks (for idle partitions and processing-time
     * windows); 0 disables them.
     *
     * @param tickIntervalMillis between ticks.
     * @return this.
     */
    public EngineContext tickIntervalMillis(final long tickIntervalMillis)
    {
        this.tickIntervalMillis = tickIntervalMillis;
        return this;
    }

    /**
     * Period of processing-time ticks.
     *
     * @return milliseconds between ticks, 0 when disabled.
     */
    public long tickIntervalMillis()
    {
        return tickIntervalMillis;
    }

    /**
     * Sets the clock that stamps ingest time (processing-time mode and ticks); it is journaled.
     *
     * @param clock giving epoch milliseconds.
     * @return this.
     */
    public EngineContext clock(final EpochClock clock)
    {
        this.clock = clock;
        return this;
    }

    /**
     * The ingest clock.
     *
     * @return the clock.
     */
    public EpochClock clock()
    {
        return clock;
    }

    /**
     * Sets the counters manager the engine allocates its counters from (a memory-mapped one makes them
     * readable by other processes).
     *
     * @param countersManager to allocate counters from.
     * @return this.
     */
    public EngineContext countersManager(final CountersManager countersManager)
    {
        this.countersManager = countersManager;
        return this;
    }

    /**
     * The counters manager.
     *
     * @return the counters manager.
     */
    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * Sets the buffer of the distinct error log.
     *
     * @param errorLogBuffer for the distinct error log.
     * @return this.
     */
    public EngineContext errorLogBuffer(final UnsafeBuffer errorLogBuffer)
    {
        this.errorLogBuffer = errorLogBuffer;
        return this;
    }

    /**
     * The buffer of the distinct error log.
     *
     * @return the buffer.
     */
    public UnsafeBuffer errorLogBuffer()
    {
        return errorLogBuffer;
    }

    /**
     * Sets the journal's segment length.
     *
     * @param journalSegmentLength in bytes.
     * @return this.
     */
    public EngineContext journalSegmentLength(final int journalSegmentLength)
    {
        this.journalSegmentLength = journalSegmentLength;
        return this;
    }

    /**
     * The journal's segment length.
     *
     * @return the segment length in bytes.
     */
    public int journalSegmentLength()
    {
        return journalSegmentLength;
    }

    /**
     * Sets how far ahead of each journal writer real blocks are reserved and pages pre-touched
     * ({@link JournalContext#reserveAheadBytes(int)}), instead of the profile's distance (16 MiB under the low-latency
     * profile, 4 MiB otherwise). A pre-touched page is a dirty page of zeros until the writer writes over it: the
     * kernel's flusher writes the whole stretch back once the file has been dirty for 30 s, and the writer then takes
     * a page fault on each of those pages; a short stretch leaves the flusher little of it (the demo's choice at its
     * rate, perf/README.md section 125).
     *
     * @param journalReserveAheadBytes distance in bytes, at least 1 MiB; 0 for the profile's.
     * @return this.
     */
    public EngineContext journalReserveAheadBytes(final int journalReserveAheadBytes)
    {
        this.journalReserveAheadBytes = journalReserveAheadBytes;
        return this;
    }

    /**
     * How far ahead of each journal writer space is reserved and pre-touched: as set, else the profile's.
     *
     * @param lowLatency whether the profile is the low-latency one.
     * @return the distance in bytes.
     */
    int journalReserveAheadBytes(final boolean lowLatency)
    {
        if (journalReserveAheadBytes > 0)
        {
            return journalReserveAheadBytes;
        }
        return lowLatency ? JournalContext.DEFAULT_RESERVE_AHEAD_BYTES : Engine.STANDARD_RESERVE_AHEAD_BYTES;
    }

    /**
     * Sets whether the journal's writers stage each run of live events and write it with one {@code pwrite} before the
     * run is processed, instead of storing each event into the journal's mapping
     * ({@link JournalContext#stagedWrites(boolean)}): either way every event is JOURNALED (in the page cache) before
     * anything processes it; with a latency listener the run is written first and its events then processed and
     * timed one by one. Runs of one or two events are stored through the mapping even so
     * ({@link Configuration#journalStagedSmallRunRecords()}). Default: staged under
     * {@link EngineProfile#STANDARD}, mapped under {@link EngineProfile#LOW_LATENCY}, either unless
     * {@value Configuration#JOURNAL_STAGED_WRITES_PROP_NAME} is set ({@link Configuration#journalStagedWrites(EngineProfile)}).
     *
     * @param journalStagedWrites whether the journal's writers stage and write runs.
     * @return this.
     */
    public EngineContext journalStagedWrites(final boolean journalStagedWrites)
    {
        this.journalStagedWrites = journalStagedWrites;
        return this;
    }

    /**
     * Whether the journal's writers stage and write runs of live events ({@link #journalStagedWrites(boolean)}), as
     * set or else the profile's default.
     *
     * @return the setting.
     */
    public boolean journalStagedWrites()
    {
        return journalStagedWrites != null ? journalStagedWrites :
            Configuration.journalStagedWrites(profile != null ? profile : Configuration.profile());
    }

    /**
     * Whether the engine's journal writers do stage their writes: {@link #journalStagedWrites()}, with or without a
     * latency listener (a timed run is written first, then its events are processed and timed one by one).
     *
     * @return true if the journal is opened with staged writes.
     */
    public boolean journalWritesStaged()
    {
        return journalStagedWrites();
    }

    /**
     * Sets whether the journal runs group commit so events become DURABLE in the background.
     *
     * @param groupCommit whether to run group commit.
     * @return this.
     */
    public EngineContext groupCommit(final boolean groupCommit)
    {
        this.groupCommit = groupCommit;
        return this;
    }

    /**
     * Whether the journal runs group commit.
     *
     * @return whether group commit runs.
     */
    public boolean groupCommit()
    {
        return groupCommit;
    }

    /**
     * Sets a listener told the ingest-to-processed latency of every event (benchmarks, monitoring).
     *
     * @param latencyListener or null for none.
     * @return this.
     */
    public EngineContext latencyListener(final IngestLatencyListener latencyListener)
    {
        this.latencyListener = latencyListener;
        return this;
    }

    /**
     * Sets a listener told of each event a stage with {@code on_error: dead_letter} failed on, with the reason, after
     * the event is appended to the dead-letter topic (a connector forwards it, for example to a Kafka topic).
     *
     * @param deadLetterListener or null, the default, for none.
     * @return this.
     */
    public EngineContext deadLetterListener(final DeadLetterListener deadLetterListener)
    {
        this.deadLetterListener = deadLetterListener;
        return this;
    }

    /**
     * The listener told of dead-lettered stage failures.
     *
     * @return the listener or null.
     */
    public DeadLetterListener deadLetterListener()
    {
        return deadLetterListener;
    }

    /**
     * Sets a listener told the latency of every stage of every event: ring wait, journal append and
     * each pipeline (see {@link StageLatencyListener} for the stage ids). Null, the default, costs
     * the partition threads nothing: no extra clock reads.
     *
     * @param stageLatencyListener or null for none.
     * @return this.
     */
    public EngineContext stageLatencyListener(final StageLatencyListener stageLatencyListener)
    {
        this.stageLatencyListener = stageLatencyListener;
        return this;
    }

    /**
     * The stage latency listener, or null.
     *
     * @return the listener or null.
     */
    public StageLatencyListener stageLatencyListener()
    {
        return stageLatencyListener;
    }

    /**
     * Sets a listener told the processing thread's CPU time of every turn of a partition that took slots, and the slots
     * it took (see {@link TurnCpuListener}): the busy ns per slot of a benchmark's live run. Null, the default, costs
     * the processing threads nothing: no extra clock reads.
     *
     * @param turnCpuListener or null for none.
     * @return this.
     */
    public EngineContext turnCpuListener(final TurnCpuListener turnCpuListener)
    {
        this.turnCpuListener = turnCpuListener;
        return this;
    }

    /**
     * The turn CPU listener, or null.
     *
     * @return the listener or null.
     */
    public TurnCpuListener turnCpuListener()
    {
        return turnCpuListener;
    }

    /**
     * Sets the retained journal size per partition (whole segments beyond it are deleted, never what
     * a retained checkpoint still needs, and nothing at all without checkpoints: a full replay needs
     * the whole journal); -1 keeps everything.
     *
     * @param journalRetentionBytes per partition, or -1.
     * @return this.
     */
    public EngineContext journalRetentionBytes(final long journalRetentionBytes)
    {
        this.journalRetentionBytes = journalRetentionBytes;
        return this;
    }

    /**
     * Retained journal size per partition, -1 for unlimited.
     *
     * @return bytes, or -1.
     */
    public long journalRetentionBytes()
    {
        return journalRetentionBytes;
    }

    /**
     * Sets the retained journal age (by the newest record of a segment, epoch ms); -1 keeps everything.
     *
     * @param journalRetentionMillis age limit, or -1.
     * @return this.
     */
    public EngineContext journalRetentionMillis(final long journalRetentionMillis)
    {
        this.journalRetentionMillis = journalRetentionMillis;
        return this;
    }

    /**
     * Retained journal age in milliseconds, -1 for unlimited.
     *
     * @return milliseconds, or -1.
     */
    public long journalRetentionMillis()
    {
        return journalRetentionMillis;
    }

    /**
     * Sets how often the scheduler applies journal retention (when a retention limit is set).
     *
     * @param retentionIntervalMillis between retention passes.
     * @return this.
     */
    public EngineContext retentionIntervalMillis(final long retentionIntervalMillis)
    {
        this.retentionIntervalMillis = retentionIntervalMillis;
        return this;
    }

    /**
     * Milliseconds between retention passes.
     *
     * @return the interval.
     */
    public long retentionIntervalMillis()
    {
        return retentionIntervalMillis;
    }

    /**
     * Sets whether the engine takes checkpoints (on demand, periodically, and at close) and recovers
     * from the newest one at start.
     *
     * @param checkpoints whether checkpointing is on.
     * @return this.
     */
    public EngineContext checkpoints(final boolean checkpoints)
    {
        this.checkpoints = checkpoints;
        return this;
    }

    /**
     * Whether checkpointing is on.
     *
     * @return whether checkpointing is on.
     */
    public boolean checkpoints()
    {
        return checkpoints;
    }

    /**
     * Sets the period of automatic checkpoints; 0 for on demand (and at close) only.
     *
     * @param checkpointIntervalMillis between checkpoints.
     * @return this.
     */
    public EngineContext checkpointIntervalMillis(final long checkpointIntervalMillis)
    {
        this.checkpointIntervalMillis = checkpointIntervalMillis;
        return this;
    }

    /**
     * Period of automatic checkpoints, 0 when off.
     *
     * @return milliseconds between checkpoints.
     */
    public long checkpointIntervalMillis()
    {
        return checkpointIntervalMillis;
    }

    /**
     * Sets how many complete checkpoints are kept; older ones are deleted only after a newer one completes.
     *
     * @param checkpointsRetained at least 1.
     * @return this.
     */
    public EngineContext checkpointsRetained(final int checkpointsRetained)
    {
        this.checkpointsRetained = checkpointsRetained;
        return this;
    }

    /**
     * Complete checkpoints kept.
     *
     * @return the count.
     */
    public int checkpointsRetained()
    {
        return checkpointsRetained;
    }

    /**
     * Sets how many rows of state a partition copies per slice of a checkpoint. At a barrier a
     * partition fixes the image of its state and copies only headers; the window rows follow in
     * slices of this many rows between events (a row about to change is copied first), so neither
     * the barrier nor any slice takes time in proportion to the state. {@link Integer#MAX_VALUE}
     * copies the whole state at the barrier instead.
     *
     * @param checkpointSliceRows at least 1.
     * @return this.
     */
    public EngineContext checkpointSliceRows(final int checkpointSliceRows)
    {
        this.checkpointSliceRows = checkpointSliceRows;
        return this;
    }

    /**
     * Rows of state a partition copies per slice of a checkpoint.
     *
     * @return the rows.
     */
    public int checkpointSliceRows()
    {
        return checkpointSliceRows;
    }

    /**
     * Limits recovery to checkpoints no newer than an id: a two-phase sink whose transaction for a
     * completed checkpoint was never committed (the process died in between) asks recovery to restore
     * the checkpoint its committed outputs cover, so that the outputs of the lost transaction are
     * produced again by the replay (and those it has are recognised by sequence). -1 restores none:
     * the journal is replayed from its start. Part of the external source hook
     * ({@link io.sluice.engine.checkpoint.SourcePositions}).
     *
     * @param id newest checkpoint id recovery may restore, -1 for none; default: any.
     * @return this.
     */
    public EngineContext restoreCheckpointAtMost(final long id)
    {
        this.restoreCheckpointAtMost = id;
        return this;
    }

    /**
     * Sets the fault injection into the checkpoint store's file operations (tests only).
     *
     * @param checkpointFaults called before each checkpoint file operation; by default
     *                         {@link CheckpointFaults#fromSystemProperty()}, which is {@link CheckpointFaults#NONE} unless a test sets it.
     * @return this.
     */
    public EngineContext checkpointFaults(final CheckpointFaults checkpointFaults)
    {
        this.checkpointFaults = checkpointFaults;
        return this;
    }

    /**
     * Newest checkpoint id recovery may restore.
     *
     * @return the id, {@link Long#MAX_VALUE} for any, -1 for none.
     */
    public long restoreCheckpointAtMost()
    {
        return restoreCheckpointAtMost;
    }

    /**
     * The fault injection into checkpoint file operations.
     *
     * @return the faults, {@link CheckpointFaults#NONE} unless a test set them.
     */
    public CheckpointFaults checkpointFaults()
    {
        return checkpointFaults;
    }

    /**
     * The latency listener, or null.
     *
     * @return the listener or null.
     */
    public IngestLatencyListener latencyListener()
    {
        return latencyListener;
    }

    /**
     * Sets the registries of symbol key names, by topic, that the partition threads feed as events
     * arrive (live, recovery and operator replay alike), for the sinks that write keys as names. The
     * caller owns and closes them. Empty, the default, costs the partition threads nothing.
     *
     * @param keyNames registry by topic name.
     * @return this.
     */
    public EngineContext keyNames(final java.util.Map<String, io.sluice.engine.exec.SymbolKeyNames> keyNames)
    {
        this.keyNames = java.util.Map.copyOf(keyNames);
        return this;
    }

    /**
     * The registries of symbol key names by topic; empty unless set.
     *
     * @return the registries.
     */
    public java.util.Map<String, io.sluice.engine.exec.SymbolKeyNames> keyNames()
    {
        return keyNames;
    }

    private static boolean threadCpuClockEnabled()
    {
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    }
}
