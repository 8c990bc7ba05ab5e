package io.sluice.ops.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * A real engine with a real {@link NetServer} (embedded media driver, its directory under the test's
 * temp dir, small term buffers, UDP on a free loopback port), and one Aeron client for the test's
 * producers and consumers.
 */
final class NetFixture implements AutoCloseable
{
    /** account LONG (the partition key), amount DOUBLE, seq LONG (the producer's sequence), ts TIMESTAMP. */
    static final Schema TRADE = Schema.builder("trade")
        .longField("account").doubleField("amount").longField("seq").timestampField("ts").build();
    static final String TOPIC = "trades";
    static final String PIPELINE = "net";

    final Engine engine;
    final NetServer server;
    final Aeron aeron;
    final String channel;
    private final Path dir;

    NetFixture(final Path dir, final int partitions, final int ringSize)
    {
        this(dir, partitions, ringSize, context -> { });
    }

    NetFixture(final Path dir, final int partitions, final int ringSize, final java.util.function.Consumer<NetServerContext> settings)
    {
        this(dir, partitions, ringSize, engine -> { }, settings);
    }

    NetFixture(final Path dir, final int partitions, final int ringSize, final java.util.function.Consumer<EngineContext> engineSettings,
        final java.util.function.Consumer<NetServerContext> settings)
    {
        this.dir = dir;
        final Pipeline pipeline = Pipeline.from(TOPIC, TRADE).name(PIPELINE).partitionKey("account").eventTime("ts", 0)
            .sink("none", (partition, sequence, key, timestamp, event) -> { }).build();
        final EngineContext engineContext = new EngineContext().directory(dir.resolve("data")).partitions(partitions).ringSize(ringSize)
            .journalSegmentLength(4 * 1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP).checkpoints(false);
        engineSettings.accept(engineContext);
        engine = Engine.launch(engineContext, List.of(pipeline));
        channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final NetServerContext context = new NetServerContext().engine(engine)
            .aeronDirectoryName(dir.resolve("aeron").toString()).channel(channel).termBufferLength(256 * 1024)
            .heartbeatIntervalMs(100);
        settings.accept(context);
        NetServer launched = null;
        Aeron client = null;
        try
        {
            launched = NetServer.launch(context);
            client = ClientAeron.connect(context.aeronDirectoryName());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(client, launched, engine);
            throw ex;
        }
        server = launched;
        aeron = client;
    }

    ClientContext client(final int responseStreamId)
    {
        return new ClientContext().aeron(aeron).serverChannel(channel).responseChannel("aeron:ipc")
            .responseStreamId(responseStreamId).connectTimeoutMs(NetIngressTest.DEADLINE_MS);
    }

    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static UnsafeBuffer trade(final UnsafeBuffer buffer, final long account, final long seq)
    {
        new EventFlyweight(TRADE).wrapForWrite(buffer, 0).putLong(0, account).putDouble(1, seq * 0.5).putLong(2, seq)
            .putLong(3, 1_000 + seq);
        return buffer;
    }

    Path dir()
    {
        return dir;
    }

    /**
     * The engine's error log (the server's errors go there), one entry per distinct error.
     *
     * @return the entries' texts.
     */
    java.util.List<String> errorLog()
    {
        final java.util.List<String> entries = new java.util.ArrayList<>();
        org.agrona.concurrent.errors.ErrorLogReader.read(engine.errorLog().buffer(), (count, first, last, text) -> entries.add(text));
        return entries;
    }

    /**
     * Waits until a condition holds, failing after {@link NetIngressTest#DEADLINE_MS}: a bound for a hang, never a measurement.
     *
     * @param condition to wait for.
     * @param what      the condition means, for the failure.
     */
    static void await(final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            org.assertj.core.api.Assertions.assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
            Thread.yield();
        }
    }

    /**
     * Where each partition of the test topic stands, for a failure's message: the ring sequence its processing thread is
     * done with, its journal's end and durable offsets, and the error that stopped its journal, if any.
     *
     * @param engine of the fixture.
     * @return one line.
     */
    static String describePartitions(final Engine engine)
    {
        final io.sluice.journal.Topic topic = engine.journal().topic(TOPIC);
        final StringBuilder text = new StringBuilder();
        for (int p = 0; p < topic.partitionCount(); p++)
        {
            final io.sluice.journal.Partition partition = topic.partition(p);
            text.append(p == 0 ? "" : "; ").append("partition ").append(p).append(": processed ring sequence ")
                .append(engine.processedSequence(TOPIC, p)).append(", journal end ").append(partition.endOffset())
                .append(", durable ").append(partition.durableOffset()).append(", journal stopped by ").append(partition.fatalError());
        }
        return text.toString();
    }

    /**
     * Launches a media driver of its own in {@code aeronDir} whose clients are declared dead after {@code livenessNs}
     * without a keepalive: for the tests that hold a disk duty for longer than that while the server must live.
     *
     * @param aeronDir   the driver's directory.
     * @param livenessNs the client liveness timeout.
     * @return the launched driver (the caller closes it).
     */
    static io.aeron.driver.MediaDriver launchDriver(final String aeronDir, final long livenessNs)
    {
        return io.aeron.driver.MediaDriver.launch(
            SharedMediaDriver.driverContext(aeronDir, 256 * 1024, Throwable::printStackTrace, false).clientLivenessTimeoutNs(livenessNs));
    }

    /**
     * Holds the calling thread (a disk duty inside a {@code StorageFaults} hook) until the test releases it, at most
     * {@link NetIngressTest#DEADLINE_MS}.
     *
     * @param released set by the test to release the hold.
     * @param what     what is held, for the failure.
     * @throws IOException when the test never released it.
     */
    static void holdUntil(final java.util.concurrent.atomic.AtomicBoolean released, final String what) throws IOException
    {
        final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
        while (!released.get())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IOException("the test never released the held " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll interval of a wait with a deadline
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(aeron, server, engine);
    }
}
