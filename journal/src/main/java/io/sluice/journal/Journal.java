package io.sluice.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

/**
 * A journal directory: a set of topics, opened (and recovered) together. Owns the background
 * threads that pre-allocate segments, checksum what writers publish and, when configured, perform
 * group commit.
 *
 * <pre>{@code
 *   try (Journal journal = Journal.open(new JournalContext().directory(dir)))
 *   {
 *       Topic orders = journal.createTopic("orders", 4);
 *       long offset = orders.partition(orders.partitionFor(key)).writer().append(1, 0, ts, key, buf, 0, len);
 *   }
 * }</pre>
 *
 * <p>Threading: opening, creating topics and closing from one control thread; each partition's
 * writer from its own thread; readers from any thread.
 */
public final class Journal implements AutoCloseable
{
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final String PARTITION_PREFIX = "partition-";
    private static final long CHECKSUM_IDLE_NS = 100_000L;

    private final JournalContext context;
    private final Map<String, Topic> topics = new TreeMap<>();
    private final SegmentAllocator allocator;
    private final GroupCommitAgent groupCommitAgent;
    private final ChecksumAgent checksumAgent;
    private final List<Agent> duties = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private boolean closed;

    private Journal(final JournalContext context)
    {
        this.context = context;
        if (context.readOnly())
        {
            if (!Files.isDirectory(context.directory()))
            {
                throw new JournalException(JournalException.Category.CONFIGURATION,
                    "no journal at " + context.directory() + " (opened read-only, nothing is created)");
            }
            JournalFiles.checkNotWritableByOthers(context.directory());
        }
        else
        {
            JournalFiles.ensureSecureDirectory(context.directory());
        }
        this.allocator = context.preallocateNextSegment() && !context.readOnly() ? new SegmentAllocator(context.reserveAheadBytes()) : null;
        if (allocator != null)
        {
            duties.add(allocator);
        }
        this.checksumAgent = context.readOnly() ? null : new ChecksumAgent();
        if (checksumAgent != null)
        {
            duties.add(checksumAgent);
        }
        if (context.groupCommit() && !context.readOnly())
        {
            groupCommitAgent = new GroupCommitAgent(
                new SystemNanoClock(), context.groupCommitRecords(), context.groupCommitDelayNs());
            duties.add(groupCommitAgent);
        }
        else
        {
            groupCommitAgent = null;
        }
        if (!context.externalDuties())
        {
            if (allocator != null)
            {
                // Allocation is requested when a tail is half full: a millisecond's nap costs nothing.
                runners.add(new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, allocator));
            }
            if (checksumAgent != null)
            {
                // Behind a writer at full speed a cycle finds a full batch and does not sleep; idle, 100 us naps.
                runners.add(new AgentRunner(new SleepingIdleStrategy(CHECKSUM_IDLE_NS), Throwable::printStackTrace, null,
                    checksumAgent));
            }
            if (groupCommitAgent != null)
            {
                runners.add(new AgentRunner(new SleepingIdleStrategy(groupCommitIdleNs(context)), Throwable::printStackTrace, null,
                    groupCommitAgent));
            }
        }
    }

    /**
     * Opens (creating if absent) the journal in the context's directory, recovering every partition of
     * every existing topic.
     *
     * @param context settings; {@link JournalContext#conclude()} is called if it was not.
     * @return the open journal.
     * @throws JournalException if a setting is invalid, the directory insecure, or a sealed segment damaged.
     */
    public static Journal open(final JournalContext context)
    {
        if (!context.isConcluded())
        {
            context.conclude();
        }
        final Journal journal = new Journal(context);
        try
        {
            for (final String name : existingTopicNames(context.directory()))
            {
                journal.openTopic(name, TopicMetadata.readPartitionCount(context.directory().resolve(name)));
            }
            for (final AgentRunner runner : journal.runners)
            {
                AgentRunner.startOnThread(runner);
            }
        }
        catch (final RuntimeException ex)
        {
            journal.close();
            throw ex;
        }
        return journal;
    }

    /**
     * Creates a topic, or returns the existing one when it has the same partition count.
     *
     * @param name           of the topic: letters, digits, '.', '_' and '-', up to 200 characters.
     * @param partitionCount of the topic, at least 1.
     * @return the topic.
     * @throws JournalException CONFIGURATION if the name is invalid or the topic exists with another count.
     */
    public synchronized Topic createTopic(final String name, final int partitionCount)
    {
        checkOpen();
        if (context.readOnly() && !topics.containsKey(name))
        {
            throw new JournalException(JournalException.Category.STATE,
                "journal " + context.directory() + " is open read-only: cannot create topic '" + name + "'");
        }
        if (name == null || !TOPIC_NAME.matcher(name).matches())
        {
            throw new JournalException(JournalException.Category.CONFIGURATION,
                "invalid topic name '" + name + "': use letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        if (partitionCount < 1 || partitionCount > 4096)
        {
            throw new JournalException(JournalException.Category.CONFIGURATION,
                "topic '" + name + "' partition count must be in [1, 4096], was " + partitionCount);
        }
        final Topic existing = topics.get(name);
        if (existing != null)
        {
            if (existing.partitionCount() != partitionCount)
            {
                throw new JournalException(JournalException.Category.CONFIGURATION,
                    "topic '" + name + "' exists with " + existing.partitionCount() + " partitions, not " + partitionCount);
            }
            return existing;
        }
        final Path topicDir = JournalFiles.ensureSecureDirectory(context.directory().resolve(name));
        TopicMetadata.write(topicDir, partitionCount);
        return openTopic(name, partitionCount);
    }

    /**
     * An existing topic.
     *
     * @param name of the topic.
     * @return the topic.
     * @throws JournalException STATE if there is no such topic.
     */
    public synchronized Topic topic(final String name)
    {
        checkOpen();
        final Topic topic = topics.get(name);
        if (topic == null)
        {
            throw new JournalException(JournalException.Category.STATE,
                "no topic '" + name + "' in " + context.directory() + " (topics: " + topics.keySet() + ")");
        }
        return topic;
    }

    /**
     * Names of the journal's topics, sorted.
     *
     * @return the topic names.
     */
    public synchronized Collection<String> topicNames()
    {
        return List.copyOf(topics.keySet());
    }

    /**
     * The journal's directory.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return context.directory();
    }

    /**
     * The settings the journal was opened with.
     *
     * @return the context.
     */
    public JournalContext context()
    {
        return context;
    }

    /**
     * Everything recovery did when the journal was opened, across all partitions.
     *
     * @return the recovery events.
     */
    public synchronized List<RecoveryEvent> recoveryEvents()
    {
        final List<RecoveryEvent> events = new ArrayList<>();
        for (final Topic topic : topics.values())
        {
            for (int i = 0; i < topic.partitionCount(); i++)
            {
                events.addAll(topic.partition(i).recoveryEvents());
            }
        }
        return events;
    }

    /**
     * Applies retention by size and age to every topic, using the context's clock.
     *
     * @return number of segments deleted.
     */
    public synchronized int enforceRetention()
    {
        checkOpen();
        final long now = context.epochClock().time();
        int deleted = 0;
        for (final Topic topic : topics.values())
        {
            deleted += topic.enforceRetention(now);
        }
        return deleted;
    }

    private Topic openTopic(final String name, final int partitionCount)
    {
        final Path topicDir = context.directory().resolve(name);
        JournalFiles.checkNotWritableByOthers(topicDir);
        final Partition[] partitions = new Partition[partitionCount];
        try
        {
            for (int i = 0; i < partitionCount; i++)
            {
                partitions[i] = new Partition(name, i, topicDir.resolve(PARTITION_PREFIX + i), context, allocator);
            }
        }
        catch (final RuntimeException ex)
        {
            for (final Partition partition : partitions)
            {
                if (partition != null)
                {
                    partition.close();
                }
            }
            throw ex;
        }
        for (final Partition partition : partitions)
        {
            if (allocator != null)
            {
                allocator.add(partition);
            }
            if (checksumAgent != null)
            {
                checksumAgent.add(partition);
            }
            if (groupCommitAgent != null)
            {
                groupCommitAgent.add(partition);
            }
        }
        final Topic topic = new Topic(name, topicDir, partitions);
        topics.put(name, topic);
        return topic;
    }

    private static List<String> existingTopicNames(final Path directory)
    {
        try (Stream<Path> list = Files.list(directory))
        {
            return list.filter(p -> Files.isRegularFile(p.resolve(TopicMetadata.FILE_NAME)))
                .map(p -> p.getFileName().toString())
                .sorted()
                .toList();
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot list " + directory + ": " + ex.getMessage(), ex);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new JournalException(JournalException.Category.STATE, "journal " + context.directory() + " is closed");
        }
    }

    /**
     * The journal's background duties (segment pre-allocation, checksums, group commit), for a caller that set
     * {@link JournalContext#externalDuties(boolean)} and runs them itself, on any one thread each (or
     * all on one thread), until it closes the journal; with that setting off the journal runs them.
     *
     * @return the duties, possibly empty.
     */
    public List<Agent> duties()
    {
        return List.copyOf(duties);
    }

    /**
     * How long a thread running group commit may sleep between duty cycles: a quarter of the group
     * commit delay, at least 10 us.
     *
     * @param context of the journal.
     * @return nanoseconds.
     */
    public static long groupCommitIdleNs(final JournalContext context)
    {
        return Math.max(10_000L, context.groupCommitDelayNs() / 4);
    }

    /**
     * Stops the background threads, forces every partition and unmaps every file. Readers and writers
     * must have stopped using the journal first.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.quietCloseAll(runners);
            RuntimeException failure = null;
            for (final Topic topic : topics.values())
            {
                try
                {
                    topic.close();
                }
                catch (final RuntimeException ex)
                {
                    failure = failure == null ? ex : failure;
                }
            }
            topics.clear();
            if (failure != null)
            {
                throw failure;
            }
        }
    }
}
