package io.sluice.loadgen;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The open-loop sender: sends each event of the scenario when the {@link RatePlan} says it is due,
 * stamps it with that SCHEDULED time (not the time it actually left), and never waits for a reply.
 * If the target pushes back, the sender falls behind and then sends as fast as it can until it has
 * caught up; every event sent late carries its earlier scheduled time, so the delay shows in the
 * latency histogram rather than vanishing (coordinated omission).
 *
 * <p>The per-event path reads and writes only pre-allocated buffers and primitive fields: no
 * allocation, no boxing, no logging.
 *
 * <p>Threading: {@link #run()} on the sender's own thread; the progress accessors from any thread.
 */
final class OpenLoopSender implements Runnable
{
    private static final long SPIN_NS = 100_000;
    private static final long IDLE_POLL_NS = 20_000;
    /**
     * A gap at least this long between two consecutive clock reads of the send loop's wait for the next event
     * (not a planned nap) is an absence: the thread was off its cpu (another task ran there, or an interrupt or
     * the hypervisor held the cpu); the wait reads the clock every few hundred nanoseconds. A send (the
     * scenario's next event and the target's send, about a microsecond) that takes this long or more is counted
     * apart, as held: a full ring holds it, or the thread was taken off its cpu during it.
     */
    static final long ABSENCE_NS = 20_000;

    private final Scenario scenario;
    private final RatePlan plan;
    private final LoadTarget target;
    private final LatencyRecorder recorder;
    private final long leadInNs;
    private final Runnable onStart;
    /** Run on this thread after the last send (or a failure), before {@link #done} is set. */
    private final Runnable onEnd;
    private final UnsafeBuffer buffer;
    private final int[] sentNsOffsets;
    private final long[] phaseSent;
    private final long[] phaseLastSendNs;
    // Progress for the reporter: single writer (this thread), ordered stores, read from elsewhere.
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong maxLagNs = new AtomicLong();
    /** Per measured event (warm-up excluded): actual send time minus scheduled, ns; read after the sender is done. */
    private final Histogram lag = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    /**
     * The same for the warm-up's events. Recorded, not skipped, so that the warm-up runs exactly the code the
     * measured phases run: a branch the warm-up never took is compiled as an uncommon trap, and the first
     * measured event would then deoptimise the send loop and run it interpreted until the JIT, on the
     * sender's own CPU, compiled it again (seen at the warm-up's end with -XX:+PrintCompilation).
     */
    private final Histogram warmUpLag = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    /**
     * Per absence of the measured phases (a gap of at least {@link #ABSENCE_NS} between two clock reads of the
     * send loop, not a planned nap), its length, ns; read after the sender is done. Every event due during an
     * absence leaves late: these are where the sender's lag comes from.
     */
    private final Histogram absences = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    /** The same for the warm-up (recorded for the reason {@link #warmUpLag} is). */
    private final Histogram warmUpAbsences = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    /** Per send of the measured phases that took {@link #ABSENCE_NS} or more, its length, ns; read after the sender is done. */
    private final Histogram heldSends = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    /** The same for the warm-up. */
    private final Histogram warmUpHeldSends = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private volatile boolean stop;
    private volatile long originNs;
    private volatile Throwable failure;
    private volatile boolean done;
    private volatile Thread waiter;

    OpenLoopSender(
        final Scenario scenario, final RatePlan plan, final LoadTarget target, final LatencyRecorder recorder, final long leadInNs)
    {
        this(scenario, plan, target, recorder, leadInNs, () -> { }, () -> { });
    }

    OpenLoopSender(
        final Scenario scenario, final RatePlan plan, final LoadTarget target, final LatencyRecorder recorder, final long leadInNs,
        final Runnable onStart, final Runnable onEnd)
    {
        this.onStart = onStart;
        this.onEnd = onEnd;
        this.scenario = scenario;
        this.plan = plan;
        this.target = target;
        this.recorder = recorder;
        this.leadInNs = leadInNs;
        final List<ScenarioTopic> topics = scenario.topics();
        int longest = 0;
        sentNsOffsets = new int[topics.size()];
        for (int t = 0; t < topics.size(); t++)
        {
            longest = Math.max(longest, topics.get(t).schema().length());
            sentNsOffsets[t] = topics.get(t).sentNsOffset();
        }
        buffer = new UnsafeBuffer(new byte[longest]);
        phaseSent = new long[plan.phases().size()];
        phaseLastSendNs = new long[plan.phases().size()];
        if (plan.totalEvents() != scenario.eventCount())
        {
            throw new IllegalArgumentException("the plan has " + plan.totalEvents() + " events, the scenario " +
                scenario.eventCount() + ": build the scenario with plan.totalEvents()");
        }
    }

    @Override
    public void run()
    {
        try
        {
            onStart.run();
            target.open(scenario.topics());
            final long origin = System.nanoTime() + leadInNs;
            recorder.start(origin);
            originNs = origin;
            sendAll(origin);
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            try
            {
                onEnd.run();
            }
            catch (final Throwable ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
            }
            done = true;
            final Thread waiting = waiter;
            if (waiting != null)
            {
                LockSupport.unpark(waiting);
            }
        }
    }

    private void sendAll(final long origin)
    {
        final List<RatePlan.Phase> phases = plan.phases();
        final UnsafeBuffer buffer = this.buffer;
        final int[] sentNsOffsets = this.sentNsOffsets;
        long phaseStart = origin;
        long count = 0;
        long maxLag = 0;
        long lastRead = System.nanoTime();
        for (int p = 0; p < phases.size() && !stop; p++)
        {
            final RatePlan.Phase phase = phases.get(p);
            final long events = phase.events();
            final boolean warmUp = RatePlan.WARM_UP.equals(phase.group());
            final Histogram phaseLag = warmUp ? warmUpLag : lag;
            final Histogram phaseAbsences = warmUp ? warmUpAbsences : absences;
            final Histogram phaseHeldSends = warmUp ? warmUpHeldSends : heldSends;
            long last = 0;
            long i = 0;
            for (; i < events; i++)
            {
                final long scheduled = phaseStart + phase.dueNs(i);
                long now = System.nanoTime();
                lastRead = absence(phaseHeldSends, lastRead, now); // the previous send's time
                while (now - scheduled < 0)
                {
                    final long wait = scheduled - now;
                    if (wait > 2 * SPIN_NS)
                    {
                        // A target measuring latency on acknowledgements takes them while we wait, in short naps.
                        LockSupport.parkNanos(target.idle() ? Math.min(wait - SPIN_NS, IDLE_POLL_NS) : wait - SPIN_NS);
                        now = System.nanoTime();
                        lastRead = now; // a planned nap, not an absence
                    }
                    else
                    {
                        Thread.onSpinWait();
                        now = System.nanoTime();
                        lastRead = absence(phaseAbsences, lastRead, now);
                    }
                }
                phaseLag.recordValue(Math.min(LatencyRecorder.HIGHEST_TRACKABLE_NS, now - scheduled));
                if (now - scheduled > maxLag)
                {
                    maxLag = now - scheduled;
                    maxLagNs.lazySet(maxLag);
                }
                final int topic = scenario.next(buffer, 0);
                if (sentNsOffsets[topic] >= 0)
                {
                    buffer.putLong(sentNsOffsets[topic], scheduled);
                }
                target.send(topic, buffer, 0, scheduled);
                last = now;
                count++;
                // Ordered store: the reporter reads a count no larger than what was handed over.
                sent.lazySet(count);
                if (stop)
                {
                    i++;
                    break;
                }
            }
            phaseSent[p] = i;
            phaseLastSendNs[p] = last;
            phaseStart += phase.durationNs();
        }
    }

    /**
     * Records the gap between two consecutive clock reads of the send loop if it is {@link #ABSENCE_NS} or more.
     *
     * @return {@code now}, the next gap's start.
     */
    private static long absence(final Histogram into, final long lastRead, final long now)
    {
        final long gap = now - lastRead;
        if (gap >= ABSENCE_NS)
        {
            into.recordValue(Math.min(LatencyRecorder.HIGHEST_TRACKABLE_NS, gap));
        }
        return now;
    }

    void stop()
    {
        stop = true;
    }

    boolean done()
    {
        return done;
    }

    /**
     * Unparks this thread once the sender is done, so that it can park until then (or its next duty)
     * instead of waking every few milliseconds to look: on a 2-core machine every such wake-up takes the
     * spinning sender's cpu from it.
     *
     * @param thread to unpark; set before the sender starts.
     */
    void wakeWhenDone(final Thread thread)
    {
        waiter = thread;
    }

    Throwable failure()
    {
        return failure;
    }

    long sent()
    {
        return sent.get();
    }

    long maxLagNs()
    {
        return maxLagNs.get();
    }

    /**
     * How late each measured event left (actual send minus scheduled time), ns; read after the sender is done.
     */
    Histogram lag()
    {
        return lag;
    }

    /**
     * The measured phases' absences: gaps of at least {@link #ABSENCE_NS} between two clock reads of the send
     * loop's wait for the next event, outside its planned naps, ns; read after the sender is done.
     */
    Histogram absences()
    {
        return absences;
    }

    /**
     * The measured phases' sends that took {@link #ABSENCE_NS} or more (a full ring, or the sender taken off its
     * cpu during the send), ns; read after the sender is done.
     */
    Histogram heldSends()
    {
        return heldSends;
    }

    long originNs()
    {
        return originNs;
    }

    /**
     * Events sent in a phase; read after the sender is done.
     */
    long phaseSent(final int phase)
    {
        return phaseSent[phase];
    }

    /**
     * When the last event of a phase actually left; read after the sender is done.
     */
    long phaseLastSendNs(final int phase)
    {
        return phaseLastSendNs[phase];
    }
}
