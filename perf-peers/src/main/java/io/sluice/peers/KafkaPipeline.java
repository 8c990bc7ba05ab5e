package io.sluice.peers;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A Kafka -> processor -> Kafka pipeline of the Kafka benchmark: W1-style tumbling count+sum per key, reading an
 * input topic of {@link KafkaBench} events and writing one record per fired window to an output topic.
 */
interface KafkaPipeline extends AutoCloseable
{
    /**
     * When the pipeline processed its first input record ({@link System#nanoTime()}), or 0 before that.
     *
     * @return the time.
     */
    long firstRecordNanos();

    /**
     * When the pipeline processed its last input record, the last of the end markers ({@link InputClock}), or 0
     * before that.
     *
     * @return the time.
     */
    long lastRecordNanos();

    /**
     * Its output counters, for the tail's split ({@link TailSampler}): the outputs handed to its Kafka producers, and
     * the outputs committed (exactly once; -1 otherwise), each summed over the partitions; read from another thread.
     *
     * @return {sent, committed}, or null if the pipeline does not count them.
     */
    default long[] outputs()
    {
        return null;
    }

    /**
     * Whether the pipeline owns every partition of its input and is ready to read it: its consumer group's
     * assignment covers them all (Kafka Streams), or its consumer has assigned and positioned itself on them
     * (Sluice's {@code KafkaSource}, which assigns partitions itself rather than join a group).
     *
     * @param inputPartitions partitions of the input topic.
     * @return true once assigned.
     * @throws IllegalStateException if the pipeline failed.
     */
    boolean assigned(int inputPartitions);

    /**
     * What the pipeline did, for the report (checkpoints, commits), read after its results arrived.
     *
     * @return a short description, or "".
     */
    default String diagnostics()
    {
        return "";
    }

    /**
     * Stops the pipeline, then tells where the latency of each window firing went ({@link KafkaLatencyTrace}), if
     * it was started traced.
     *
     * @param rows          the results read.
     * @param arrivalMillis per row, when the reader received it.
     * @param lastEnd       the last window end counted.
     * @return the timeline, or "".
     */
    default String stopAndTrace(final Rows rows, final long[] arrivalMillis, final long lastEnd)
    {
        return "";
    }

    /**
     * Stops the pipeline and releases everything it holds (not timed).
     */
    @Override
    void close();

    /** Starts pipelines of one kind, each on its own topics. */
    interface Factory
    {
        /**
         * Name in the report.
         *
         * @return the name.
         */
        String name();

        /**
         * Starts a fresh pipeline (fresh state, group, transactional ids) reading {@code input} from its beginning.
         *
         * @param bootstrap of the broker.
         * @param input     topic.
         * @param output    topic, created with as many partitions as the input.
         * @param run       distinguishing this run's ids and directories.
         * @return the running pipeline.
         * @throws Exception if it cannot start.
         */
        KafkaPipeline start(String bootstrap, String input, String output, String run) throws Exception;

        /**
         * {@link #start(String, String, String, String)}, noting where the latency goes if {@code traced} and the
         * pipeline can ({@link KafkaPipeline#trace}).
         *
         * @param bootstrap of the broker.
         * @param input     topic.
         * @param output    topic.
         * @param run       distinguishing this run's ids and directories.
         * @param traced    whether to trace.
         * @return the running pipeline.
         * @throws Exception if it cannot start.
         */
        default KafkaPipeline start(String bootstrap, String input, String output, String run, boolean traced) throws Exception
        {
            return start(bootstrap, input, output, run);
        }

        /**
         * Decodes one output record into a row {@code (key, start, end, count, sum)}; called on the reader's thread.
         *
         * @param record read from the output topic.
         * @param rows   to append to.
         */
        void decode(ConsumerRecord<byte[], byte[]> record, Rows rows);

        /**
         * Whether a thread belongs to the pipeline started for {@code run} ({@link CpuSnapshot}): its processing, source,
         * committing and Kafka client threads.
         *
         * @param threadName of a live thread.
         * @param run        the run's name given to {@link #start}.
         * @return true if the pipeline's.
         */
        boolean ownsThread(String threadName, String run);
    }
}
