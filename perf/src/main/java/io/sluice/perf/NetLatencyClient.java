package io.sluice.perf;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.client.RecordListener;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.PublishFlyweight;
import io.sluice.loadgen.PercentilePlot;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * The client process of {@link NetLatencyMain}: one thread that sends at scheduled times (open loop) and
 * measures, per medium (Aeron IPC, Aeron UDP on loopback), alternating phases of
 * <ul>
 *   <li>{@code raw}: a raw Aeron ping-pong through {@link NetLatencyPong}: a 72-byte message (the size of
 *   Sluice's PUBLISH frame of the benchmark's 32-byte event) to the pong process and back;</li>
 *   <li>{@code sluice}: a {@link SluiceProducer} publishing the 32-byte event at JOURNALED to the daemon
 *   ({@code ack}: scheduled send -> the cumulative JOURNALED ACK that covers it) and a
 *   {@link SluiceConsumer} of the pipeline's output topic ({@code result}: scheduled send -> the
 *   pipeline's result for that event received from the daemon's egress).</li>
 * </ul>
 * Latency is taken from each message's scheduled send time {@code t0 + i / rate}: a sender that falls
 * behind (back-pressure, descheduled) is charged for it (corrected for coordinated omission). The first
 * {@code warmup} seconds of a phase ({@code firstWarmup} in a medium's first round) are sent but not recorded. The loop polls everything it reads and,
 * when nothing was read and nothing is due, calls {@link Thread#yield()}: it gives its core to whatever
 * else is runnable on a machine with few cores.
 *
 * <p>Writes, in {@code reports}, {@code net-<medium>-<raw|ack|result>.hgrm} (microseconds) and
 * {@code net-<medium>.png}, and prints one {@code ROUND} line per medium and round (each path's p50 and p99 in
 * that round, the p99 ratios to that round's raw p99, and the media driver's loss, repair and flow-control
 * counts during its raw and its Sluice phase, {@link NetDriverCounts}), one {@code RESULT} line per medium and
 * path with its ratio to the raw ping-pong of the same run (all rounds), and one {@code COUNTS} line per medium
 * with the daemon's network work per event during the Sluice phases ({@link NetDutyCounts}).
 */
public final class NetLatencyClient
{
    /** The benchmark's event: account LONG (partition key), amount DOUBLE, seq LONG (phase and index), ts TIMESTAMP. */
    static final Schema TRADE = Schema.builder("trade")
        .longField("account").doubleField("amount").longField("seq").timestampField("ts").build();
    /** Raw message length: Sluice's PUBLISH frame of one {@link #TRADE} event. */
    static final int MESSAGE_LENGTH = PublishFlyweight.EVENT_OFFSET + TRADE.length();
    private static final int SEQ = 2;
    private static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);
    private static final long COMPLETION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** How long the client and the pong wait for the daemon's media driver's keepalive. */
    static final long DRIVER_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(60);
    /** After a failed round: how long nothing must arrive before the next round (the failed phase's results drained). */
    private static final long QUIET_AFTER_FAILURE_NS = TimeUnit.SECONDS.toNanos(1);
    /** The client's exit code when some round failed (each named by a {@code ROUND FAILED} line). */
    static final int FAILED_ROUNDS_EXIT = 3;
    /**
     * The client JVM's flag that keeps its JIT out of the recorded seconds. A phase's loop, compiled by C2 on stack (OSR)
     * during its first phase, had never seen the loop end: the phase's end deoptimized it, and the next phase of that kind
     * (round 2's) ran its first second in profiled C1 code while C2 compiled the loop again (0.2-0.25 s of a compiler
     * thread on this 2-core machine), inside the recorded seconds; the Sluice loop, larger, lost more (section 89). Without
     * OSR the loops ({@link #raw}, {@link #sluice}: a few bytecodes a turn) stay interpreted, and their turns
     * ({@link #rawTurn}, {@link #sluiceTurn}: all the work), compiled whole by their invocation counts during the first
     * warm-up, never deoptimize at a phase's end, once {@link #prime} has shown them phase ends.
     */
    static final String NO_OSR = "-XX:-UseOnStackReplacement";
    /** Short phases of each kind before a medium's first round ({@link #prime}). */
    private static final int PRIMING_PHASES = 40;
    /** The length of a priming phase: a hundred messages at the default rate. */
    private static final long PRIMING_PHASE_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Whether the consumer commits its group after each Sluice phase ({@code commit=phase}). */
    private final boolean commitPerPhase;
    private final long rate;
    private final long warmupNs;
    private final long firstWarmupNs;
    private final long measureNs;
    /** Raw and Sluice slices per round in the interleaved view ({@code slices}), 0 for none. */
    private final int slices;
    private final long[] sched;
    private final NetRoundProfile rawProfile;
    private final NetRoundProfile ackProfile;
    private final NetRoundProfile resultProfile;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[BitUtil.align(MESSAGE_LENGTH, 8)]);
    private final EventFlyweight writer = new EventFlyweight(TRADE);
    private final EventFlyweight reader = new EventFlyweight(TRADE);
    private long phaseId;
    private int total;
    private int warm;
    private long completions;
    private Histogram recording;
    private Histogram resultRecording;
    private long results;
    /** The current phase's first send time, interval, messages sent and when the last went out ({@link #startSending}). */
    private long sendT0Ns;
    private long sendIntervalNs;
    private int sent;
    private long lastSendNs;
    /** The producer's last sequence before the current Sluice phase, and the highest JOURNALED sequence recorded since. */
    private long ackBase;
    private long acked;
    private final FragmentHandler onPong = this::onPong;
    private final RecordListener onResult = this::onResult;
    /** When the current send first found its publication not connected, 0 while connected. */
    private long disconnectedSinceNs;
    private String disconnectedWhat;
    /** Results of every Sluice phase so far, all media: what a new consumer group finds in the topic before its first phase. */
    private long resultsSoFar;
    private int nextResponseStream = 4001;
    private final IntSupplier responseStreams = () -> nextResponseStream++;

    private NetLatencyClient(final long rate, final long warmupNs, final long firstWarmupNs, final long measureNs,
        final boolean commitPerPhase, final int slices)
    {
        this.commitPerPhase = commitPerPhase;
        this.slices = slices;
        this.rate = rate;
        this.warmupNs = warmupNs;
        this.firstWarmupNs = firstWarmupNs;
        this.measureNs = measureNs;
        this.sched = new long[(int)((Math.max(warmupNs, firstWarmupNs) + measureNs) * rate / 1_000_000_000L) + 1];
        this.rawProfile = new NetRoundProfile(rate, sched.length);
        this.ackProfile = new NetRoundProfile(rate, sched.length);
        this.resultProfile = new NetRoundProfile(rate, sched.length);
        writer.wrapForWrite(message, 0);
    }

    /**
     * Runs the phases and writes the reports.
     *
     * @param args {@code name=value}: aeronDir, daemonDir (the daemon's data directory, for its counters), rate,
     *             seconds, warmup, firstWarmup (a medium's first round's warm-up, at least warmup), rounds, reports, media
     *             (comma-separated names), commit ({@code phase}: the consumer commits after each Sluice phase; default
     *             {@code none}), slices (per round, after its phases in sequence, this many raw and as many Sluice slices
     *             of {@code seconds / slices} each, interleaved: the round's second view; default 0, none), and per medium {@code <m>.server},
     *             {@code <m>.response}, {@code <m>.ping}, {@code <m>.pong}, {@code <m>.item} (the index of the
     *             medium's ingress and egress items in the daemon's configuration).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        // Every argument is name=value, as NetLatencyMain passes them (the per-medium channel names are open-ended).
        final Map<String, String> a = new LinkedHashMap<>(Map.of("rate", "10000", "seconds", "5", "warmup", "1", "rounds", "2",
            "reports", "perf/reports"));
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("expected name=value, was '" + arg + "'");
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final long rate = Long.parseLong(a.get("rate"));
        final long warmupNs = TimeUnit.SECONDS.toNanos(Long.parseLong(a.get("warmup")));
        final NetLatencyClient client = new NetLatencyClient(rate, warmupNs,
            Math.max(warmupNs, TimeUnit.SECONDS.toNanos(Long.parseLong(a.getOrDefault("firstWarmup", "0")))),
            TimeUnit.SECONDS.toNanos(Long.parseLong(a.get("seconds"))), "phase".equals(a.getOrDefault("commit", "none")),
            Integer.parseInt(a.getOrDefault("slices", "0")));
        final int rounds = Integer.parseInt(a.get("rounds"));
        final Path reports = Path.of(a.get("reports"));
        Files.createDirectories(reports);
        boolean failed = false;
        for (final String media : a.get("media").split(","))
        {
            try
            {
                failed |= client.measure(a, media, rounds, reports);
            }
            catch (final RuntimeException ex)
            {
                // A medium that cannot be measured at all (its links never came up) does not stop the next one.
                failed = true;
                System.out.println("MEDIUM FAILED media=" + media + ": " + ex);
                ex.printStackTrace(System.out);
            }
        }
        System.exit(failed ? FAILED_ROUNDS_EXIT : 0);
    }

    /**
     * One medium's rounds. A round that fails (its links lost, nothing received for a minute) is reported as a
     * {@code ROUND FAILED} line with its cause and counted in the {@code ROUNDS} line as not within the target;
     * the links are opened again and the next round goes on.
     *
     * @return whether a round failed.
     */
    private boolean measure(final Map<String, String> a, final String media, final int rounds, final Path reports)
        throws IOException
    {
        final Histogram raw = new Histogram(HIGHEST, 3);
        final Histogram ack = new Histogram(HIGHEST, 3);
        final Histogram result = new Histogram(HIGHEST, 3);
        final String item = a.get(media + ".item");
        boolean failed = false;
        try (NetDutyCounts counts = new NetDutyCounts(Path.of(a.get("daemonDir")), "ingress[" + item + "]", "egress[" + item + "]");
            NetLinks links = new NetLinks(a.get("aeronDir"), a, media, responseStreams))
        {
            awaitReady(links, 0);
            prime(links);
            final Histogram rawRound = new Histogram(HIGHEST, 3);
            final Histogram ackRound = new Histogram(HIGHEST, 3);
            final Histogram resultRound = new Histogram(HIGHEST, 3);
            final NetRounds perRound = new NetRounds(media, rounds);
            final NetRounds perRoundInterleaved = new NetRounds(media, NetSlices.VIEW, rounds);
            final NetSlices interleaved = new NetSlices(media, slices, HIGHEST);
            for (int round = 1; round <= rounds; round++)
            {
                rawRound.reset();
                ackRound.reset();
                resultRound.reset();
                try
                {
                    // On the links' Aeron client of this round: a failed round may have replaced it (its counters with it).
                    final NetDriverCounts rawDriver = new NetDriverCounts(links.aeron().countersReader());
                    final NetDriverCounts sluiceDriver = new NetDriverCounts(links.aeron().countersReader());
                    final long gcsBeforeRaw = collections();
                    rawDriver.begin();
                    // A medium's first round warms up longer: the daemon's JIT compiles its path on the first traffic (section 73).
                    final long roundWarmupNs = round == 1 ? firstWarmupNs : warmupNs;
                    raw(links.ping(), links.pong(), rawRound, roundWarmupNs, measureNs);
                    rawDriver.end();
                    final long rawGcs = collections() - gcsBeforeRaw;
                    // Late = over the target's limit, twice this round's raw p99; the raw phase's times before the next phase reuses them.
                    final long limitNs = 2 * rawRound.getValueAtPercentile(99);
                    final String rawLate = rawProfile.text("raw", limitNs, sched);
                    final long gcsBeforeSluice = collections();
                    counts.begin();
                    sluiceDriver.begin();
                    sluice(links.producer(), links.consumer(), ackRound, resultRound, roundWarmupNs, measureNs);
                    sluiceDriver.end();
                    counts.end();
                    final long sluiceGcs = collections() - gcsBeforeSluice;
                    raw.add(rawRound);
                    ack.add(ackRound);
                    result.add(resultRound);
                    System.out.println(roundLine(media, round, rawRound, ackRound, resultRound) + "; media driver during raw: " +
                        rawDriver.text() + "; during sluice: " + sluiceDriver.text());
                    System.out.println("LATE media=" + media + " round=" + round + ": " + rawLate + "; " +
                        ackProfile.text("ack", limitNs, sched) + "; " + resultProfile.text("result", limitNs, sched) +
                        "; client GCs during raw " + rawGcs + ", during sluice " + sluiceGcs);
                    perRound.add(rawRound, ackRound, resultRound);
                    if (slices > 0)
                    {
                        interleave(links, interleaved, round);
                        perRoundInterleaved.add(interleaved.raw(), interleaved.ack(), interleaved.result());
                    }
                }
                catch (final RuntimeException ex)
                {
                    failed = true;
                    System.out.println("ROUND FAILED media=" + media + " round=" + round + " (phase " + phaseId + ", " +
                        Instant.now() + "): " + ex);
                    ex.printStackTrace(System.out);
                    // The view that had not counted this round yet fails (the interleaved slices follow the phases in sequence).
                    if (perRound.count() < round)
                    {
                        perRound.addFailed();
                    }
                    if (slices > 0 && perRoundInterleaved.count() < round)
                    {
                        perRoundInterleaved.addFailed();
                    }
                    disconnectedSinceNs = 0;
                    links.reopen();
                    awaitReady(links, QUIET_AFTER_FAILURE_NS);
                }
            }
            System.out.println(perRound.line());
            if (slices > 0)
            {
                System.out.println(perRoundInterleaved.line());
            }
            System.out.println(counts.line(media));
        }
        report(media, rate, raw, ack, result, reports);
        return failed;
    }

    /**
     * Waits until the raw path and the consumer are connected, and reads, before any phase, what the consumer's
     * new group finds already in the results topic: the results of the media measured before (its group starts at
     * the topic's start). Left there, they would be streamed to it during its first phase, ahead of that phase's
     * results (over UDP, under load, for longer than the warm-up: the result path's outliers of section 63). After a
     * failed round the count is a lower bound (events of the failed phase may still be journaled): then it reads on
     * until nothing has come for {@code quietNs}.
     *
     * @param quietNs how long nothing must come after the known results, 0 to stop at them.
     */
    private void awaitReady(final NetLinks links, final long quietNs)
    {
        final long deadline = System.nanoTime() + COMPLETION_TIMEOUT_NS;
        final long[] earlier = {0};
        final RecordListener countEarlier = (p, o, t, k, b, at, l) -> earlier[0]++;
        final SluiceConsumer consumer = links.consumer();
        long lastReadNs = System.nanoTime();
        while (!links.ping().isConnected() || !links.pong().isConnected() ||
            consumer.ownedCount() == 0 || earlier[0] < resultsSoFar || System.nanoTime() - lastReadNs < quietNs)
        {
            final int read = consumer.poll(countEarlier, 64) + links.producer().poll();
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("not ready within 60 s: ping connected " + links.ping().isConnected() + ", pong connected " +
                    links.pong().isConnected() + ", partitions owned " +
                    consumer.ownedCount() + ", earlier results read " + earlier[0] + " of " + resultsSoFar);
            }
            if (read == 0)
            {
                Thread.yield();
            }
            else
            {
                lastReadNs = System.nanoTime();
            }
        }
        resultsSoFar = Math.max(resultsSoFar, earlier[0]);
    }

    /**
     * Runs many short phases of each kind, unrecorded, before a medium's first round, so that the turns' profiles hold
     * the branches a phase takes only at its end (everything sent, waiting for the last answers) before C2 compiles them:
     * a branch never taken when C2 compiled is a trap, and the first phase's end then deoptimized the turn, which C2
     * compiled again at the start of the next phase of its kind, in its recorded seconds (section 89).
     */
    private void prime(final NetLinks links)
    {
        final Histogram ignored = new Histogram(HIGHEST, 3);
        for (int i = 0; i < PRIMING_PHASES; i++)
        {
            raw(links.ping(), links.pong(), ignored, 0, PRIMING_PHASE_NS);
            sluice(links.producer(), links.consumer(), ignored, ignored, 0, PRIMING_PHASE_NS);
        }
    }

    /**
     * The round's interleaved view: {@code slices} raw and as many Sluice slices of {@code seconds / slices} each,
     * alternating, the pairs' order swapped every other pair (raw, Sluice, Sluice, raw, ...) so that neither kind always
     * follows the other. Both paths are warm (the round's phases in sequence came just before): nothing is unrecorded.
     * Noise of the machine (the other processes' bursts, on this shared VM tens of milliseconds to seconds long) then
     * falls on both paths' slices alike, where in sequence it fell on one 5-second phase and not the other.
     */
    private void interleave(final NetLinks links, final NetSlices view, final int round)
    {
        final long sliceNs = measureNs / slices;
        view.beginRound();
        for (int pair = 0; pair < slices; pair++)
        {
            final boolean rawFirst = (pair & 1) == 0;
            for (int turn = 0; turn < 2; turn++)
            {
                if (rawFirst == (turn == 0))
                {
                    raw(links.ping(), links.pong(), view.rawSlice(), 0, sliceNs);
                    view.endRawSlice();
                }
                else
                {
                    sluice(links.producer(), links.consumer(), view.ackSlice(), view.resultSlice(), 0, sliceNs);
                    view.endSluiceSlice();
                }
            }
        }
        System.out.println(roundLine(view.media() + " view=" + NetSlices.VIEW, round, view.raw(), view.ack(), view.result()));
        System.out.println(view.line(round));
    }

    private void startPhase(final long phaseWarmupNs, final long phaseMeasureNs, final Histogram h, final NetRoundProfile... profiles)
    {
        phaseId++;
        total = (int)((phaseWarmupNs + phaseMeasureNs) * rate / 1_000_000_000L);
        warm = (int)(phaseWarmupNs * rate / 1_000_000_000L);
        completions = 0;
        recording = h;
        for (final NetRoundProfile profile : profiles)
        {
            profile.begin(warm, total);
        }
    }

    /** Records the latency of message {@code index} of the phase, unless it was sent during the warm-up. */
    private void record(final Histogram h, final NetRoundProfile profile, final long index, final long now)
    {
        if (index >= warm && index < total)
        {
            final long latency = Math.min(HIGHEST, Math.max(0, now - sched[(int)index]));
            h.recordValue(latency);
            profile.record((int)index, latency);
        }
    }

    /** The message index of a seq field, or -1 if it belongs to another phase. */
    private long indexOf(final long seq)
    {
        return seq >>> 32 == phaseId ? seq & 0xFFFF_FFFFL : -1;
    }

    /**
     * The raw phase: the loop only; each turn is {@link #rawTurn} (see {@link #NO_OSR} for why the two are apart).
     */
    private void raw(final ExclusivePublication ping, final Subscription pong, final Histogram h, final long phaseWarmupNs,
        final long phaseMeasureNs)
    {
        startPhase(phaseWarmupNs, phaseMeasureNs, h, rawProfile);
        startSending();
        while (completions < total)
        {
            if (!rawTurn(ping, pong))
            {
                if (timedOut())
                {
                    throw incomplete("raw pongs (" + completions + ")");
                }
                Thread.yield();
            }
        }
    }

    /**
     * One turn of the raw phase: the next ping if it is due, then the pongs that came.
     *
     * @return whether it sent or read anything.
     */
    private boolean rawTurn(final ExclusivePublication ping, final Subscription pong)
    {
        final long now = System.nanoTime();
        final long due = sendT0Ns + sent * sendIntervalNs;
        boolean worked = false;
        if (sent < total && now - due >= 0)
        {
            sched[sent] = due;
            message.putLong(0, phaseId << 32 | sent);
            final long result = ping.offer(message, 0, MESSAGE_LENGTH);
            if (result > 0)
            {
                sent(now);
                worked = true;
            }
            else if (result == Publication.NOT_CONNECTED)
            {
                notConnected("the ping publication", sent);
            }
            else if (result == Publication.CLOSED)
            {
                throw new IllegalStateException("ping publication: " + result);
            }
        }
        return pong.poll(onPong, 64) > 0 || worked;
    }

    private void onPong(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final long index = indexOf(buffer.getLong(offset));
        if (index >= 0)
        {
            record(recording, rawProfile, index, System.nanoTime());
            completions++;
        }
    }

    /**
     * The Sluice phase: the loop only; each turn is {@link #sluiceTurn} (see {@link #NO_OSR} for why the two are apart).
     */
    private void sluice(final SluiceProducer producer, final SluiceConsumer consumer, final Histogram ack, final Histogram result,
        final long phaseWarmupNs, final long phaseMeasureNs)
    {
        startPhase(phaseWarmupNs, phaseMeasureNs, ack, ackProfile, resultProfile);
        resultRecording = result;
        results = 0;
        ackBase = producer.lastSequence();
        acked = ackBase;
        startSending();
        while (acked - ackBase < total || results < total)
        {
            if (!sluiceTurn(producer, consumer))
            {
                if (timedOut())
                {
                    // The message is built here only: built every idle turn, it was the client's garbage (section 73).
                    throw incomplete("sluice acks (" + (acked - ackBase) + ") and results (" + results + ")");
                }
                if (producer.sessionLost() || consumer.sessionLost())
                {
                    // No ACK or result follows on a session the daemon dropped (section 73: a run at load 58 waited 60 s for them).
                    throw new IllegalStateException("the daemon dropped the " + (producer.sessionLost() ? "producer's" : "consumer's") +
                        " session during phase " + phaseId + " after " + (acked - ackBase) + " acks and " + results + " results");
                }
                Thread.yield();
            }
        }
        // COMMIT per phase only when asked (commit=phase): nothing here needs the group's offsets (each phase's results are
        // told apart by their phase, a reopened consumer joins a group of its own). Until section 81 the daemon stored a
        // commit on the egress duty's thread, the processing thread here, and a force on a busy disk held it past the
        // driver's 10 s client liveness timeout: every session dropped (section 78). The mode shows that this no longer happens.
        if (commitPerPhase)
        {
            consumer.commit();
        }
        resultsSoFar += total;
    }

    /**
     * One turn of the Sluice phase: the next event if it is due, then the ACKs and the results that came.
     *
     * @return whether it sent or read anything.
     */
    private boolean sluiceTurn(final SluiceProducer producer, final SluiceConsumer consumer)
    {
        final long now = System.nanoTime();
        final long due = sendT0Ns + sent * sendIntervalNs;
        boolean worked = false;
        if (sent < total && now - due >= 0)
        {
            sched[sent] = due;
            writer.putLong(0, sent).putDouble(1, 1.0).putLong(SEQ, phaseId << 32 | sent).putLong(3, System.currentTimeMillis());
            final long sequence = producer.offer(message, 0, Durability.JOURNALED);
            if (sequence > 0)
            {
                sent(now);
                worked = true;
            }
            else if (sequence == SluiceProducer.NOT_CONNECTED)
            {
                notConnected("the producer's publication", sent);
            }
            else if (sequence == SluiceProducer.CLOSED)
            {
                throw new IllegalStateException("producer: " + sequence);
            }
        }
        int read = producer.poll();
        final long journaled = producer.journaledSequence();
        if (journaled > acked)
        {
            final long at = System.nanoTime();
            while (acked < journaled)
            {
                acked++;
                record(recording, ackProfile, acked - ackBase - 1, at);
            }
        }
        read += consumer.poll(onResult, 64);
        return read > 0 || worked;
    }

    private void onResult(final int partition, final long offset, final long timestamp, final long key, final DirectBuffer buffer,
        final int at, final int length)
    {
        final long index = indexOf(reader.wrap(buffer, at).getLong(SEQ));
        if (index >= 0)
        {
            record(resultRecording, resultProfile, index, System.nanoTime());
            results++;
        }
    }

    /** A phase's first message is due in a millisecond; the others follow at the rate's interval. */
    private void startSending()
    {
        sendT0Ns = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        sendIntervalNs = 1_000_000_000L / rate;
        sent = 0;
        lastSendNs = sendT0Ns;
    }

    /** The phase's next message went out at {@code now}. */
    private void sent(final long now)
    {
        connected();
        sent++;
        lastSendNs = now;
    }


    /**
     * A send found its publication not connected (Aeron heard no status message for its connection timeout: on a
     * loaded machine, the shared media driver starved for seconds). The message is sent once it is connected again,
     * its wait charged to its latency as any other delay; a publication not connected for 60 s fails the run.
     */
    private void notConnected(final String what, final int message)
    {
        final long now = System.nanoTime();
        if (disconnectedSinceNs == 0)
        {
            disconnectedSinceNs = now;
            disconnectedWhat = what + " before message " + message + " of phase " + phaseId;
        }
        else if (now - disconnectedSinceNs > COMPLETION_TIMEOUT_NS)
        {
            throw new IllegalStateException(disconnectedWhat + ": not connected for 60 s");
        }
    }

    /** A send went through: says how long its publication had not been connected, if it had not. */
    private void connected()
    {
        if (disconnectedSinceNs != 0)
        {
            System.out.printf(Locale.ROOT, "NOT CONNECTED %s for %.1f ms, then connected again (the wait is in the latencies)%n",
                disconnectedWhat, (System.nanoTime() - disconnectedSinceNs) / 1e6);
            disconnectedSinceNs = 0;
        }
    }

    /** The client JVM's garbage collections so far (all collectors). */
    private static long collections()
    {
        long count = 0;
        for (final GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, collector.getCollectionCount());
        }
        return count;
    }

    /** Whether every message was sent and the last of them more than a minute ago (the phase cannot complete). */
    private boolean timedOut()
    {
        return sent == total && System.nanoTime() - lastSendNs > COMPLETION_TIMEOUT_NS;
    }

    private IllegalStateException incomplete(final String what)
    {
        return new IllegalStateException(what + " incomplete 60 s after the last of " + total + " messages was sent");
    }

    private void report(final String media, final long rate, final Histogram raw, final Histogram ack, final Histogram result,
        final Path reports) throws IOException
    {
        final Map<String, Histogram> series = new LinkedHashMap<>();
        series.put("raw", raw);
        series.put("ack", ack);
        series.put("result", result);
        final Map<String, Histogram> plotted = new LinkedHashMap<>();
        for (final Map.Entry<String, Histogram> entry : series.entrySet())
        {
            final Histogram h = entry.getValue();
            final Path hgrm = reports.resolve("net-" + media + "-" + entry.getKey() + ".hgrm");
            try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8))
            {
                h.outputPercentileDistribution(out, 1000.0);
            }
            plotted.put(String.format(Locale.ROOT, "%s  p50 %.1f us, p99 %.1f us", label(entry.getKey()), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3), h);
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "RESULT media=%s path=%s rate=%d count=%d %s",
                media, entry.getKey(), rate, h.getTotalCount(), LatencyMain.percentiles(h)));
            if (h != raw)
            {
                line.append("; raw ").append(LatencyMain.percentiles(raw)).append("; ratio ").append(LatencyMain.ratios(h, raw));
            }
            System.out.println(line);
        }
        final Path png = PercentilePlot.write(reports.resolve("net-" + media + ".png"), String.format(Locale.ROOT,
            "Client -> daemon -> client over Aeron %s, %,d msg/s open loop (scheduled send -> received)", media.toUpperCase(Locale.ROOT),
            rate), plotted);
        System.out.println("report: " + PerfFiles.shown(png));
    }

    /**
     * One round of a medium: each path's p50 and p99, and the paths' p99 over the same round's raw p99, so that
     * the rounds of a run can be compared (a run's RESULT lines merge its rounds).
     */
    private static String roundLine(final String media, final int round, final Histogram raw, final Histogram ack, final Histogram result)
    {
        final double rawP99 = raw.getValueAtPercentile(99);
        return String.format(Locale.ROOT, "ROUND media=%s round=%d p50/p99 us: raw %.1f/%.1f, ack %.1f/%.1f, result %.1f/%.1f; " +
            "p99 / raw p99: ack %.2f, result %.2f", media, round, raw.getValueAtPercentile(50) / 1e3, rawP99 / 1e3,
            ack.getValueAtPercentile(50) / 1e3, ack.getValueAtPercentile(99) / 1e3, result.getValueAtPercentile(50) / 1e3,
            result.getValueAtPercentile(99) / 1e3, ack.getValueAtPercentile(99) / rawP99, result.getValueAtPercentile(99) / rawP99);
    }

    private static String label(final String path)
    {
        return switch (path)
        {
            case "raw" -> "raw Aeron ping-pong";
            case "ack" -> "publish -> JOURNALED ack";
            default -> "publish -> egress result";
        };
    }
}
