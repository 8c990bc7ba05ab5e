package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.aeron.Aeron;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.client.RecordListener;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Sends to a running daemon over Aeron (UDP or IPC, the daemon's media driver) that runs a
 * {@link YamlDesk} ({@link YamlDesk#daemonConfig}). One {@link SluiceProducer} per scenario topic
 * publishes every event with {@link Durability#JOURNALED}; a receiver thread reads back, with
 * {@link SluiceConsumer}s, the desk's output journal topics served by the daemon's egress:
 *
 * <ul>
 *   <li>{@code <topic>-e2e}, which carries every input event: its end-to-end latency is measured
 *       from the event's SCHEDULED send time ({@code sent_ns}) to the moment this process reads the
 *       output record back. That covers the sender's wait, the Aeron hop in, the ring, the journal
 *       append, every detector before the probe pipeline, the output journal append and the Aeron hop
 *       out (one clock: sender and receiver are in this process).</li>
 *   <li>one topic per detector: its window results become {@link Alert}s in an {@link AlertLog}.</li>
 * </ul>
 *
 * <p>Back-pressure: when {@code offer} returns {@code BACK_PRESSURED} (the daemon's ring or the
 * session's pending-acknowledgement window is full) the sender polls for acknowledgements and offers
 * the same event again, counting each retry ({@link #backPressureRetries}). The event keeps its
 * scheduled time, so the wait is charged to it and to every event due meanwhile.
 *
 * <p>The daemon's windows fire by watermark only: there is no end of input over the wire, so the
 * last open windows of a run stay open (injected patterns sit in the middle 80% of a run). Consumer
 * groups are new for every run and start at the oldest retained record: records of earlier runs
 * are skipped by reading the output topics until they are quiet before the first event is sent. Run
 * against a fresh daemon (data directory) for detection: events of a repeated run are late to
 * windows whose watermark an earlier run moved.
 *
 * <p>Threading: {@link #open} and {@link #send} on the sender thread (which owns the producers until
 * it ends); {@link #awaitDrained}, the counters and {@link #close} on the generator's thread after the
 * sender thread was joined; the consumers only on the receiver thread this target starts.
 */
public final class AeronDaemonTarget implements LoadTarget
{
    private static final int FIRST_RESPONSE_STREAM = 4_101;
    private static final long QUIET_MS = 500;
    private static final int POLL_ACKS_EVERY = 16;
    private static final long POLL_INTERVAL_NS = 20_000_000L;

    private final String aeronDirectory;
    private final String channel;
    private final YamlDesk desk;
    private final LatencyRecorder recorder;
    private final AlertLog alerts;
    private final String group = "loadgen-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    // Single writer (the receiver thread), ordered stores; read by the generator's thread.
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private Aeron aeron;
    private SluiceProducer[] producers = new SluiceProducer[0];
    private final List<SluiceConsumer> consumers = new ArrayList<>();
    private Thread receiver;
    private volatile boolean running;
    private volatile Throwable receiverFailure;
    private long sent;
    private long retries;
    private long lastPollNs;

    /**
     * Creates the target; nothing connects before {@link #open}.
     *
     * @param aeronDirectory of the daemon's media driver (its {@code aeron_dir}, default
     *                       {@code <data_dir>/aeron}).
     * @param channel        the daemon's Aeron channel, e.g. {@code aeron:udp?endpoint=127.0.0.1:40456}.
     * @param desk           the daemon runs.
     * @param recorder       of end-to-end latency.
     * @param alerts         receiving the detectors' alerts, as partition 0 (this target's receiver
     *                       thread is their single writer).
     */
    public AeronDaemonTarget(
        final String aeronDirectory, final String channel, final YamlDesk desk, final LatencyRecorder recorder, final AlertLog alerts)
    {
        if (aeronDirectory == null || aeronDirectory.isEmpty() || channel == null || channel.isEmpty())
        {
            throw new IllegalArgumentException("aeron target: the daemon's aeron directory and channel are required");
        }
        this.aeronDirectory = aeronDirectory;
        this.channel = channel;
        this.desk = desk;
        this.recorder = recorder;
        this.alerts = alerts;
    }

    @Override
    public void open(final List<ScenarioTopic> topics)
    {
        aeron = ClientAeron.connect(aeronDirectory);
        int stream = FIRST_RESPONSE_STREAM;
        producers = new SluiceProducer[topics.size()];
        for (int t = 0; t < producers.length; t++)
        {
            producers[t] = SluiceProducer.connect(client(stream++), topics.get(t).name());
            final String mismatch = producers[t].layoutMismatch(topics.get(t).schema());
            if (mismatch != null)
            {
                throw new IllegalStateException("topic " + topics.get(t).name() + ": " + mismatch +
                    ": is the daemon running another configuration?");
            }
        }
        final List<RecordListener> listeners = new ArrayList<>();
        consumers.add(SluiceConsumer.connect(client(stream++), desk.probeTopic(), group, group, 10_000));
        listeners.add(new ProbeListener(desk.topic()));
        for (final String kind : desk.kinds())
        {
            consumers.add(SluiceConsumer.connect(client(stream++), kind, group, group, 10_000));
            listeners.add(new AlertListener(kind));
        }
        skipEarlierRuns();
        running = true;
        receiver = new Thread(() -> receive(listeners), "sluice-loadgen-aeron-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    private ClientContext client(final int responseStreamId)
    {
        return new ClientContext().aeron(aeron).serverChannel(channel).responseChannel("aeron:ipc")
            .responseStreamId(responseStreamId).connectTimeoutMs(10_000);
    }

    /**
     * Waits for every consumer's first assignment, then reads until nothing arrived for a while.
     */
    private void skipEarlierRuns()
    {
        final RecordListener skip = (partition, offset, timestamp, key, buffer, at, length) -> skipped.lazySet(skipped.get() + 1);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long quietSince = System.nanoTime();
        boolean assigned = false;
        while (!assigned || System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(QUIET_MS))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("aeron target: no assignment from the daemon's egress within 30 s for group " + group);
            }
            int work = 0;
            assigned = true;
            for (final SluiceConsumer consumer : consumers)
            {
                work += consumer.poll(skip, 1_024);
                assigned &= consumer.ownedCount() > 0;
            }
            if (work > 0 || !assigned)
            {
                quietSince = System.nanoTime();
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void receive(final List<RecordListener> listeners)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 200_000);
        try
        {
            while (running)
            {
                int work = 0;
                for (int c = 0; c < consumers.size(); c++)
                {
                    work += consumers.get(c).poll(listeners.get(c), 256);
                }
                idle.idle(work);
            }
        }
        catch (final Throwable ex)
        {
            receiverFailure = ex;
        }
    }

    @Override
    public void send(final int topic, final DirectBuffer buffer, final int offset)
    {
        final SluiceProducer producer = producers[topic];
        long result;
        while ((result = producer.offer(buffer, offset, Durability.JOURNALED)) < 0)
        {
            if (result != SluiceProducer.BACK_PRESSURED && result != SluiceProducer.ADMIN_ACTION)
            {
                throw new IllegalStateException("aeron target: the daemon at " + channel + " went away (offer returned " + result + ")");
            }
            retries++;
            producer.poll();
            Thread.onSpinWait();
        }
        // Take acknowledgements (and heartbeat) every few events, and at least every few ms at low rates.
        final long now = System.nanoTime();
        if (++sent % POLL_ACKS_EVERY == 0 || now - lastPollNs > POLL_INTERVAL_NS)
        {
            lastPollNs = now;
            producer.poll();
        }
    }

    /**
     * Does nothing: there is no end of input over the wire; the daemon's windows fire by watermark.
     */
    @Override
    public void endOfInput()
    {
    }

    @Override
    public boolean awaitDrained(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (acknowledged() < sent || received.get() < sent)
        {
            if (System.nanoTime() - deadline > 0 || receiverFailure != null)
            {
                return false;
            }
            int work = 0;
            for (final SluiceProducer producer : producers)
            {
                work += producer.poll();
            }
            if (work == 0)
            {
                LockSupport.parkNanos(200_000);
            }
        }
        return true;
    }

    /**
     * Events acknowledged JOURNALED over all producers; read after the sender thread ended.
     *
     * @return the count (sequences start at 1 per producer and acknowledgements are cumulative).
     */
    public long acknowledged()
    {
        long sum = 0;
        for (final SluiceProducer producer : producers)
        {
            sum += producer.journaledSequence();
        }
        return sum;
    }

    /**
     * Events sent; read after the sender thread ended.
     *
     * @return the count.
     */
    public long sent()
    {
        return sent;
    }

    /**
     * Offers retried because the daemon pushed back; read after the sender thread ended.
     *
     * @return the count.
     */
    public long backPressureRetries()
    {
        return retries;
    }

    /**
     * Output records of the probe topic read back.
     *
     * @return the count.
     */
    public long received()
    {
        return received.get();
    }

    /**
     * Records of earlier runs skipped before sending.
     *
     * @return the count.
     */
    public long skipped()
    {
        return skipped.get();
    }

    /**
     * Why the receiver thread stopped, if it failed.
     *
     * @return the failure or null.
     */
    public Throwable receiverFailure()
    {
        return receiverFailure;
    }

    @Override
    public String describe()
    {
        return "daemon over Aeron at " + channel + " (driver " + aeronDirectory + "), JOURNALED acks; latency to the " +
            desk.probeTopic() + " output record read back over egress";
    }

    @Override
    public void close()
    {
        running = false;
        if (receiver != null)
        {
            try
            {
                receiver.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.closeAll(consumers);
        CloseHelper.closeAll(producers);
        CloseHelper.close(aeron);
    }

    /** Records the latency of each probe record. Receiver thread; no allocation. */
    private final class ProbeListener implements RecordListener
    {
        private final EventFlyweight view;
        private final int sentNs;

        ProbeListener(final ScenarioTopic topic)
        {
            view = new EventFlyweight(topic.schema());
            sentNs = topic.sentNsIndex();
        }

        @Override
        public void onRecord(
            final int partition, final long offset, final long timestamp, final long key, final DirectBuffer buffer,
            final int payloadOffset, final int payloadLength)
        {
            recorder.record(view.wrap(buffer, payloadOffset).getLong(sentNs), System.nanoTime());
            // Ordered store: single writer; the generator reads a count no larger than what was recorded.
            received.lazySet(received.get() + 1);
        }
    }

    /** Turns each detector result into an alert. Receiver thread. */
    private final class AlertListener implements RecordListener
    {
        private final EventFlyweight view;
        private final int kindId;
        private final int keyField;
        private final int startField;
        private final int endField;
        private final java.util.function.ToDoubleFunction<EventFlyweight> value;

        AlertListener(final String kind)
        {
            final Schema result = desk.resultSchema(kind);
            view = new EventFlyweight(result);
            kindId = alerts.kind(kind);
            keyField = result.field("key").index();
            startField = result.field(io.sluice.engine.pipeline.WindowSpec.WINDOW_START).index();
            endField = result.field(io.sluice.engine.pipeline.WindowSpec.WINDOW_END).index();
            value = desk.alertValue(kind);
        }

        @Override
        public void onRecord(
            final int partition, final long offset, final long timestamp, final long key, final DirectBuffer buffer,
            final int payloadOffset, final int payloadLength)
        {
            final EventFlyweight r = view.wrap(buffer, payloadOffset);
            alerts.append(0, kindId, r.getLong(keyField), r.getLong(startField), r.getLong(endField), value.applyAsDouble(r));
        }
    }
}
