package io.sluice.perf;

import java.util.Locale;
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
import io.sluice.engine.runtime.WaitStrategyKind;

/**
 * The echo side of the raw Aeron ping-pong {@link NetLatencyMain} measures beside the daemon: a child
 * process that connects to the daemon's media driver (so the driver, its threading mode, idle strategy
 * and term buffers are the very ones the daemon's network path uses) and sends every message it receives
 * back, unchanged, on the pong stream. It waits the way the thread of the daemon's network duty does:
 * {@code backoff:<maxIdleNs>} as the background duties thread (a few yields, then parks doubling from 1 us
 * to {@code maxIdleNs}, {@link io.sluice.ops.net.NetServerContext#maxIdleNs}), or the name of the processing
 * threads' wait strategy ({@code yield}, {@code busy_spin}, {@code sleep}: {@link WaitStrategyKind}) when the
 * duty runs on a processing thread.
 * <pre>{@code
 *   NetLatencyPong <aeron dir> <idle> <ping channel> <pong channel> [<ping channel> <pong channel> ...]
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
    /** Prefix of the idle argument that waits as the background duties thread. */
    static final String BACKOFF = "backoff:";

    private NetLatencyPong()
    {
    }

    /**
     * Echoes until killed.
     *
     * @param args aeron directory, idle ({@code backoff:<maxIdleNs>} or a wait strategy's name), then ping/pong channel pairs.
     */
    public static void main(final String[] args)
    {
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
            final IdleStrategy idle = idleStrategy(args[1]);
            System.out.println("pong ready: " + pairs + " pair(s), idle: " + describe(args[1]));
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

    /**
     * The pong's idle strategy.
     *
     * @param idle {@code backoff:<maxIdleNs>}, or a {@link WaitStrategyKind}'s configuration name.
     * @return the strategy.
     */
    static IdleStrategy idleStrategy(final String idle)
    {
        return idle.startsWith(BACKOFF) ? new BackoffIdleStrategy(0, YIELDS, 1_000, Long.parseLong(idle.substring(BACKOFF.length()))) :
            WaitStrategyKind.valueOf(idle.toUpperCase(Locale.ROOT)).newIdleStrategy();
    }

    private static String describe(final String idle)
    {
        return idle.startsWith(BACKOFF) ? YIELDS + " yields, then parks 1 us doubling to " +
            TimeUnit.NANOSECONDS.toMicros(Long.parseLong(idle.substring(BACKOFF.length()))) + " us" :
            "as a processing thread with wait_strategy: " + idle;
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
