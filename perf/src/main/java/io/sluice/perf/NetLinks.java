package io.sluice.perf;

import java.util.Map;
import java.util.function.IntSupplier;

import org.agrona.CloseHelper;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.sluice.client.ClientContext;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;

/**
 * What {@link NetLatencyClient} measures one medium through: an Aeron client of the daemon's media driver, the raw
 * ping publication and pong subscription, a {@link SluiceProducer} of the daemon's {@code trades} topic and a
 * {@link SluiceConsumer} of its {@code results} topic. {@link #reopen()} closes them and opens new ones after a failed
 * round: a new producer session, a consumer in a new group (it starts at the topic's start, as the first group of a
 * medium does), and a new Aeron client if this one died (its conductor stalled past the driver's client liveness
 * timeout, 10 s), so that nothing of the failed round's sessions is carried into the next round.
 *
 * <p>Threading: the client's thread only.
 */
final class NetLinks implements AutoCloseable
{
    private static final long CONNECT_TIMEOUT_MS = 60_000;
    private static final int CONSUMER_SESSION_TIMEOUT_MS = 30_000;

    private final String aeronDirectory;
    private Aeron aeron;
    private final Map<String, String> args;
    private final String media;
    private final IntSupplier responseStreams;
    private int opened;
    private ExclusivePublication ping;
    private Subscription pong;
    private SluiceProducer producer;
    private SluiceConsumer consumer;

    /**
     * Opens the links.
     *
     * @param aeronDirectory  of the daemon's media driver.
     * @param args            the client's arguments: {@code <media>.server}, {@code .response}, {@code .ping}, {@code .pong}.
     * @param media           the medium's name.
     * @param responseStreams gives a response stream id not used before, per session.
     */
    NetLinks(final String aeronDirectory, final Map<String, String> args, final String media, final IntSupplier responseStreams)
    {
        this.aeronDirectory = aeronDirectory;
        this.args = args;
        this.media = media;
        this.responseStreams = responseStreams;
        open();
    }

    private void open()
    {
        try
        {
            if (aeron == null || aeron.isClosed())
            {
                CloseHelper.quietClose(aeron);
                // A minute, not Aeron's 10 s: under the low-latency profile the daemon's driver runs on its duties thread,
                // which a loaded 2-CPU machine has starved for 10 s (DriverTimeoutException here, the run lost).
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory).driverTimeoutMs(NetLatencyClient.DRIVER_TIMEOUT_MS));
            }
            ping = aeron.addExclusivePublication(args.get(media + ".ping"), NetLatencyPong.PING_STREAM);
            pong = aeron.addSubscription(args.get(media + ".pong"), NetLatencyPong.PONG_STREAM);
            producer = SluiceProducer.connect(context(), "trades");
            // A reopened consumer joins a group of its own: the failed round's member may still hold the first group's partitions.
            consumer = SluiceConsumer.connect(context(), "results", "bench-" + media + (opened == 0 ? "" : "-" + opened), "bench-1",
                CONSUMER_SESSION_TIMEOUT_MS);
            opened++;
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private ClientContext context()
    {
        return new ClientContext().aeron(aeron).serverChannel(args.get(media + ".server")).responseChannel(args.get(media + ".response"))
            .connectTimeoutMs(CONNECT_TIMEOUT_MS).responseStreamId(responseStreams.getAsInt());
    }

    /** Closes every link and opens new ones: a new producer session and a consumer in a new group. */
    void reopen()
    {
        closeLinks();
        open();
    }

    /**
     * The Aeron client the links are on (a new one after {@link #reopen()} if it had died).
     *
     * @return the client.
     */
    Aeron aeron()
    {
        return aeron;
    }

    ExclusivePublication ping()
    {
        return ping;
    }

    Subscription pong()
    {
        return pong;
    }

    SluiceProducer producer()
    {
        return producer;
    }

    SluiceConsumer consumer()
    {
        return consumer;
    }

    @Override
    public void close()
    {
        closeLinks();
        CloseHelper.quietClose(aeron);
        aeron = null;
    }

    private void closeLinks()
    {
        CloseHelper.quietCloseAll(consumer, producer, pong, ping);
        consumer = null;
        producer = null;
        pong = null;
        ping = null;
    }
}
