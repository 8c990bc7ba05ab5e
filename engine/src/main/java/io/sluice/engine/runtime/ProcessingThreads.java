package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.errors.DistinctErrorLog;

/**
 * Maps the engine's N partitions (of every source group) onto M processing threads, as Flink's slots
 * and Kafka Streams' stream threads do, so that a daemon owning many partitions does not run a
 * spinning thread for each. Partitions are dealt round-robin in launch order (group by group,
 * partition by partition): partition {@code i} runs on thread {@code i mod M}. Each thread is an
 * {@link AgentRunner} of a {@link ProcessingAgent} that gives its partitions bounded turns and idles by
 * the engine's wait strategy only when all of them are idle.
 *
 * <p>Every guarantee is per partition and unchanged by the mapping: a partition is only ever processed
 * by its one thread (single writer of its journal partition, state and counters); its slots are taken
 * in ring order; a paused, DEGRADED or FAILED partition does not hold up its thread-mates.
 *
 * <p>Threading: built and started on the launching thread, closed by the closing one.
 */
final class ProcessingThreads implements AutoCloseable
{
    /** How long {@link #close()} waits for a thread to finish its turn before interrupting it. */
    private static final int CLOSE_TIMEOUT_MS = 30_000;

    private final int count;
    private final boolean pin;
    private final DistinctErrorLog errorLog;
    private final IdleStrategy[] idleStrategies;
    private final PollingWaitStrategy[] ringWaitStrategies;
    private final List<List<PartitionAgent>> agents = new ArrayList<>();
    private final Map<String, List<String>> mapping = new LinkedHashMap<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    /** Per thread, the duties other code adds to it ({@link Engine#addProcessingDuty}). */
    private final List<DutyHost> dutyHosts = new ArrayList<>();
    /** The started threads, by index: alive from their start, before their runner has entered its loop. */
    private final List<Thread> started = new ArrayList<>();
    private volatile boolean closed;
    private int assigned;

    /**
     * @param context    of the engine: processing threads (M), wait strategy, pinning.
     * @param partitions of all groups (N); M is capped at N.
     * @param errorLog   of the engine.
     */
    ProcessingThreads(final EngineContext context, final int partitions, final DistinctErrorLog errorLog)
    {
        this.count = Math.max(1, Math.min(context.processingThreads(), partitions));
        this.pin = context.pinThreads();
        this.errorLog = errorLog;
        this.idleStrategies = new IdleStrategy[count];
        this.ringWaitStrategies = new PollingWaitStrategy[count];
        for (int t = 0; t < count; t++)
        {
            final IdleStrategy idle = context.waitStrategy().newIdleStrategy();
            idleStrategies[t] = idle;
            ringWaitStrategies[t] = new PollingWaitStrategy(idle instanceof BlockingIdleStrategy ? (BlockingIdleStrategy)idle : null);
            agents.add(new ArrayList<>());
            mapping.put(ProcessingAgent.ROLE_NAME_PREFIX + t, new ArrayList<>());
        }
    }

    /**
     * The thread the next partition goes to (round-robin), whose ring must be built with
     * {@link #ringWaitStrategy(int)} of it.
     *
     * @return the thread's index.
     */
    int nextThread()
    {
        return assigned++ % count;
    }

    /**
     * The wait strategy for the rings of a thread's partitions (it wakes a blocking thread).
     *
     * @param thread index.
     * @return the wait strategy.
     */
    PollingWaitStrategy ringWaitStrategy(final int thread)
    {
        return ringWaitStrategies[thread];
    }

    /**
     * Adds a partition to a thread, after those added before.
     *
     * @param thread index, from {@link #nextThread()}.
     * @param agent  of the partition.
     * @param label  of the partition for people ({@code topic/partition}).
     */
    void add(final int thread, final PartitionAgent agent, final String label)
    {
        agents.get(thread).add(agent);
        mapping.get(ProcessingAgent.ROLE_NAME_PREFIX + thread).add(label);
    }

    /**
     * Starts the threads, named {@code sluice-processing-<index>}.
     */
    void start()
    {
        for (int t = 0; t < count; t++)
        {
            final DynamicCompositeAgent duties = new DynamicCompositeAgent(ProcessingAgent.ROLE_NAME_PREFIX + t + " duties");
            final ProcessingAgent agent = new ProcessingAgent(t, agents.get(t).toArray(new PartitionAgent[0]), duties, pin, errorLog);
            final AgentRunner runner = new AgentRunner(idleStrategies[t], errorLog::record, null, agent);
            final int index = t;
            dutyHosts.add(new DutyHost(duties, () -> closed || stopped(index)));
            runners.add(runner);
            started.add(AgentRunner.startOnThread(runner, task ->
            {
                final Thread thread = new Thread(task);
                thread.setDaemon(true);
                return thread;
            }));
        }
    }

    /**
     * The duties added to a thread, run after its partitions each turn.
     *
     * @param thread index, of a started thread.
     * @return the thread's host of added duties.
     */
    DutyHost dutyHost(final int thread)
    {
        return dutyHosts.get(thread);
    }

    /**
     * Whether a thread is running (started and not closed).
     *
     * @param thread index.
     * @return true while it runs.
     */
    boolean running(final int thread)
    {
        // Not the runner's thread(): that is null until the thread has entered its loop, which on a
        // loaded machine can be well after start() (a drain then would wrongly see nothing running).
        return !closed && thread < started.size() && started.get(thread).isAlive();
    }

    /**
     * Whether a thread has stopped (or never started): nothing runs its partitions any more.
     *
     * @param thread index.
     * @return true once its thread is not alive.
     */
    boolean stopped(final int thread)
    {
        return thread >= started.size() || !started.get(thread).isAlive();
    }

    /**
     * Number of processing threads (M).
     *
     * @return the count.
     */
    int count()
    {
        return count;
    }

    /**
     * Which partitions run on which thread: thread name to {@code topic/partition} labels in turn order.
     *
     * @return the mapping, unmodifiable.
     */
    Map<String, List<String>> mapping()
    {
        final Map<String, List<String>> copy = new LinkedHashMap<>();
        mapping.forEach((thread, labels) -> copy.put(thread, List.copyOf(labels)));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * Stops the threads after their current turn; each closes its partitions (their counters are
     * published, a DEGRADED one becomes FAILED).
     */
    @Override
    public void close()
    {
        closed = true; // volatile: drain and status stop waiting for these threads
        for (final AgentRunner runner : runners)
        {
            runner.close(CLOSE_TIMEOUT_MS, thread -> errorLog.record(new EngineException(
                thread.getName() + " did not stop within " + CLOSE_TIMEOUT_MS + " ms of close; interrupting it")));
        }
    }
}
