package io.sluice.perf;

import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;

/**
 * The echo side of the raw Aeron ping-pong {@link NetLatencyMain} measures beside the daemon: a child
 * process that connects to the daemon's media driver (so the driver, its threading mode, idle strategy
 * and term buffers are the very ones the daemon's network path uses) and sends every message it receives
 * back, unchanged, on the pong stream. It waits the way the daemon's network duty does: a few yields,
 * then parks doubling from 1 us to {@code maxIdleNs} ({@link io.sluice.ops.net.NetServerContext#maxIdleNs}).
 * <pre>{@code
 *   NetLatencyPong <aeron dir> <maxIdleNs> <ping channel> <pong channel> [<ping channel> <pong channel> ...]
 * }</pre>
 * Runs until killed. Pairs use streams {@link #PING_STREAM} and {@link #PONG_STREAM}.
 */
public final class NetLatencyPong
{
    /** Stream of the pings. */
    static final int PING_STREAM = 3001;
    /** Stream of the pongs. */
    static final int PONG_STREAM = 3002;
    /** Yields before the first park, as the engine's duties thread. */
    static final int YIELDS = 20;

    private NetLatencyPong()
    {
    }

    /**
     * Echoes until killed.
     *
     * @param args aeron directory, max idle ns, then ping/pong channel pairs.
     */
    public static void main(final String[] args)
    {
        final long maxIdleNs = Long.parseLong(args[1]);
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(args[0]).driverTimeoutMs(NetLatencyClient.DRIVER_TIMEOUT_MS)))
        {
            final int pairs = (args.length - 2) / 2;
            final Subscription[] pings = new Subscription[pairs];
            final FragmentHandler[] echoes = new FragmentHandler[pairs];
            for (int i = 0; i < pairs; i++)
            {
                pings[i] = aeron.addSubscription(args[2 + 2 * i], PING_STREAM);
                final ExclusivePublication pong = aeron.addExclusivePublication(args[3 + 2 * i], PONG_STREAM);
                echoes[i] = (buffer, offset, length, header) -> echo(pong, buffer, offset, length, header);
            }
            System.out.println("pong ready: " + pairs + " pair(s), idle: " + YIELDS + " yields, then parks 1 us doubling to " +
                TimeUnit.NANOSECONDS.toMicros(maxIdleNs) + " us");
            final IdleStrategy idle = new BackoffIdleStrategy(0, YIELDS, 1_000, maxIdleNs);
            while (!Thread.currentThread().isInterrupted())
            {
                int work = 0;
                for (int i = 0; i < pairs; i++)
                {
                    work += pings[i].poll(echoes[i], 16);
                }
                idle.idle(work);
            }
        }
    }

    private static void echo(final ExclusivePublication pong, final DirectBuffer buffer, final int offset, final int length,
        final Header header)
    {
        long result;
        while ((result = pong.offer(buffer, offset, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("pong publication " + pong.channel() + " failed: " + result);
            }
            Thread.yield(); // not connected yet, or back-pressured: the ping side reads as fast as it can
        }
    }
}
