package io.sluice.kafka;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * At least once: one partition's sends and the producer's acknowledgements of them, so that a
 * checkpoint completes only once every output sent before its barrier is in Kafka, while the partition
 * thread goes on past the barrier without waiting ({@link KafkaSink#mayComplete}).
 *
 * <p>The partition thread counts each send ({@link #sent()}) and, at a barrier, notes how many it had sent
 * ({@link #barrier()}); the producer calls {@link #onCompletion} once per send, in send order for a
 * partition (Kafka runs the callbacks of one partition's records in order), on its I/O thread (or on the
 * sending thread for a send refused at once). The barrier's outputs are acknowledged once as many sends
 * completed as were sent before it. The first failure is kept: it fails every later check, so that no
 * checkpoint covers a lost output (the replay after a restart produces it again). One instance per
 * partition, no allocation per send.
 */
final class SendAcknowledgements implements Callback
{
    /** Sends since the sink opened: the partition thread's alone. */
    private long sent;
    /** {@link #sent} at the partition's last barrier; written by the partition thread. */
    private volatile long sentAtBarrier;
    private final AtomicLong completed = new AtomicLong();
    private volatile Exception failed;

    /** A send was handed to the producer (it returned). Partition thread. */
    void sent()
    {
        sent++;
    }

    /** The partition passed a checkpoint barrier: what it sent so far belongs to that checkpoint. Partition thread. */
    void barrier()
    {
        sentAtBarrier = sent;
    }

    /**
     * Whether every send before the last barrier has completed. Any thread.
     *
     * @return true once acknowledged (or failed: see {@link #failed()}, read after this).
     */
    boolean barrierCompleted()
    {
        return completed.get() >= sentAtBarrier;
    }

    /**
     * The first send that failed. Read after {@link #barrierCompleted()}: a failure is noted before its
     * completion is counted.
     *
     * @return the failure, or null.
     */
    Exception failed()
    {
        return failed;
    }

    /**
     * A send the producer refused by throwing, without calling back (a producer whose idempotent or
     * transactional state failed before: a refused IDEMPOTENT_WRITE, say): the output is lost, so it fails
     * every later check as a failed acknowledgement does. Partition thread.
     *
     * @param refusal what the producer threw.
     */
    void refused(final Exception refusal)
    {
        if (failed == null)
        {
            failed = refusal;
        }
    }

    @Override
    public void onCompletion(final RecordMetadata metadata, final Exception exception)
    {
        if (exception != null && failed == null)
        {
            failed = exception;
        }
        completed.incrementAndGet();
    }
}
