package io.sluice.loadgen;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import io.aeron.Aeron;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;

/**
 * Load on a user's own topic of a running daemon over Aeron, with the latency measured from each
 * event's SCHEDULED send time to its acknowledgement (JOURNALED: in the daemon's journal, or DURABLE:
 * forced to the device), since a user's pipelines have no latency probe. Acknowledgements are
 * cumulative producer sequences: the scheduled time of every event in flight is kept in a ring
 * indexed by its sequence, and each acknowledgement records the latency of all the events it covers.
 * Open loop: the sender's wait is charged to every event due meanwhile.
 *
 * <p>Threading: everything on the sender thread ({@link #open}, {@link #send}, {@link #idle}), then
 * {@link #awaitDrained} and {@link #close} on the generator's thread once the sender has stopped.
 */
public final class AckLatencyTarget implements LoadTarget
{
    private static final int RING = 1 << 20;
    private static final int MASK = RING - 1;

    private final String aeronDirectory;
    private final String channel;
    private final int streamId;
    private final int durability;
    private final LatencyRecorder recorder;
    private final long[] scheduled = new long[RING];
    private Aeron aeron;
    private SluiceProducer producer;
    private long sent;
    private long acknowledged;
    private long retries;

    /**
     * Describes the target; nothing connects before {@link #open}.
     *
     * @param aeronDirectory of the daemon's media driver.
     * @param channel        the daemon's Aeron ingress channel.
     * @param streamId       the daemon's ingress stream.
     * @param durability     {@link Durability#JOURNALED} or {@link Durability#DURABLE}.
     * @param recorder       of the latencies.
     */
    public AckLatencyTarget(
        final String aeronDirectory, final String channel, final int streamId, final int durability, final LatencyRecorder recorder)
    {
        this.aeronDirectory = aeronDirectory;
        this.channel = channel;
        this.streamId = streamId;
        this.durability = durability;
        this.recorder = recorder;
    }

    @Override
    public void open(final List<ScenarioTopic> topics)
    {
        if (topics.size() != 1)
        {
            throw new IllegalArgumentException("the ack-latency target takes one topic, was " + topics.size());
        }
        final ScenarioTopic topic = topics.get(0);
        aeron = ClientAeron.connect(aeronDirectory);
        try
        {
            producer = SluiceProducer.connect(new ClientContext().aeron(aeron).serverChannel(channel).ingressStreamId(streamId)
                .responseChannel("aeron:ipc").connectTimeoutMs(10_000), topic.name());
            final String mismatch = producer.layoutMismatch(topic.schema());
            if (mismatch != null)
            {
                throw new IllegalStateException("topic " + topic.name() + ": " + mismatch + ": is the daemon running another configuration?");
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    @Override
    public void send(final int topic, final DirectBuffer buffer, final int offset)
    {
        send(topic, buffer, offset, System.nanoTime());
    }

    @Override
    public void send(final int topic, final DirectBuffer buffer, final int offset, final long scheduledNs)
    {
        while (sent - acknowledged >= RING)
        {
            // As many events in flight as the ring holds: wait for acknowledgements rather than overwrite a scheduled time.
            takeAcknowledgements();
            Thread.onSpinWait();
        }
        long sequence;
        while ((sequence = producer.offer(buffer, offset, durability)) < 0)
        {
            if (sequence != SluiceProducer.BACK_PRESSURED && sequence != SluiceProducer.ADMIN_ACTION)
            {
                throw new IllegalStateException("the daemon at " + channel + " went away (offer returned " + sequence + ")");
            }
            retries++;
            takeAcknowledgements();
            Thread.onSpinWait();
        }
        scheduled[(int)(sequence & MASK)] = scheduledNs;
        sent = sequence;
        takeAcknowledgements();
    }

    @Override
    public boolean idle()
    {
        takeAcknowledgements();
        return acknowledged < sent;
    }

    private void takeAcknowledgements()
    {
        producer.poll();
        final long upTo = durability == Durability.DURABLE ? producer.durableSequence() : producer.journaledSequence();
        if (upTo > acknowledged)
        {
            final long now = System.nanoTime();
            for (long s = acknowledged + 1; s <= upTo; s++)
            {
                recorder.record(scheduled[(int)(s & MASK)], now);
            }
            acknowledged = upTo;
        }
    }

    @Override
    public void endOfInput()
    {
    }

    @Override
    public boolean awaitDrained(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (acknowledged < sent)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            takeAcknowledgements();
            LockSupport.parkNanos(20_000);
        }
        return true;
    }

    /**
     * Events acknowledged at the chosen level.
     *
     * @return the count.
     */
    public long acknowledged()
    {
        return acknowledged;
    }

    /**
     * Events sent.
     *
     * @return the count.
     */
    public long sent()
    {
        return sent;
    }

    /**
     * Offers retried because the daemon pushed back.
     *
     * @return the count.
     */
    public long backPressureRetries()
    {
        return retries;
    }

    @Override
    public String describe()
    {
        return "daemon over Aeron at " + channel + " (stream " + streamId + "), latency to the " +
            (durability == Durability.DURABLE ? "DURABLE" : "JOURNALED") + " acknowledgement";
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(producer, aeron);
        producer = null;
        aeron = null;
    }
}
