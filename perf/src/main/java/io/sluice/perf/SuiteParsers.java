package io.sluice.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the figures of the suite report from what each benchmark printed (its RESULT and median lines),
 * puts each beside its same-run baseline and the performance target, and decides met / not met. If a line
 * is missing the figure is reported as failed, never guessed.
 */
final class SuiteParsers
{
    private static final String NUM = "(-?[0-9][0-9.,]*|NaN)";
    private static final Pattern JOURNAL_CPU = Pattern.compile("append by CPU time of the measuring thread journal/raw median=" +
        NUM + " \\(min " + NUM + ", max " + NUM + "\\)");
    private static final Pattern JOURNAL_RESULT = Pattern.compile("RESULT payload=(\\d+) append journal/raw median=" + NUM +
        " \\(min " + NUM + ", max " + NUM + "\\); replay poll/scan median=" + NUM + " \\(min " + NUM + ", max " + NUM + "\\)");
    private static final Pattern REPLAY_CPU_RESULT = Pattern.compile("RESULT payload=(\\d+) replay/scan by CPU time, warm mappings: " +
        "poll median=" + NUM + " \\(min " + NUM + ", max " + NUM + "\\); batch median=" + NUM + " \\(min " + NUM + ", max " + NUM +
        "\\); checked batch median=" + NUM + " \\(min " + NUM + ", max " + NUM + "\\); CPU ns per record median scan=" + NUM +
        " poll=" + NUM + " batch=" + NUM + " checked=" + NUM);
    private static final Pattern REPLAY_FRESH = Pattern.compile("a reopened journal's first read / the scan of a fresh mapping median=" +
        NUM + " \\(min " + NUM + ", max " + NUM + "\\), fresh scan " + NUM + " ns, first read " + NUM + " ns");
    private static final Pattern JOURNAL_PAYLOAD = Pattern.compile("^payload (\\d+) B, aligned frame (\\d+) B");
    private static final Pattern ENGINE_RESULT = Pattern.compile("RESULT wait=(\\w+) engine/plain median=" + NUM +
        " \\(min " + NUM + " max " + NUM + "\\) engine/raw median=" + NUM + " \\(min " + NUM + " max " + NUM + "\\)");
    private static final Pattern LIVE_RESULT = Pattern.compile("RESULT live partitions=(\\d+) threads=(\\d+) wait=(\\w+) batch=(\\d+) " +
        "median=" + NUM + " Mev/s live/plain median=" + NUM + " \\(min " + NUM + " max " + NUM + "\\) first=" + NUM + " Mev/s first/plain=" +
        NUM + " plain median=" + NUM + " Mev/s");
    private static final Pattern LIVE_VERSUS = Pattern.compile("RESULT live (\\d+x\\d+)/(\\d+x\\d+) median=" + NUM + " \\(min " + NUM +
        " max " + NUM + "\\)");
    private static final Pattern LIVE_CPU = Pattern.compile("RESULT cpu partitions=(\\d+) threads=(\\d+) publisher=" + NUM +
        " ns/event processing=" + NUM + " ns/event processing/plain=" + NUM);
    private static final String PERCENTILES = "p50=" + NUM + " p99=" + NUM + " p99.9=" + NUM + " p99.99=" + NUM + " max=" + NUM;
    private static final Pattern LATENCY_RESULT = Pattern.compile("^RESULT rate=(\\d+) wait=(\\w+) pinned=(\\w+) mode=(\\w+) count=(\\d+) " +
        PERCENTILES + " us; raw " + PERCENTILES + " us; ratio " + PERCENTILES);
    private static final Pattern NET_RESULT = Pattern.compile("^RESULT media=(\\w+) path=(ack|result) rate=(\\d+) count=(\\d+) " +
        PERCENTILES + " us; raw " + PERCENTILES + " us; ratio " + PERCENTILES);
    private static final String NET_ROUND_RATIOS = "\\[([^\\]]*)\\] median " + NUM + " \\((\\d+) of (\\d+) within 2x\\)";
    /** Group 2 is the view ({@code view=interleaved}), absent for the phases in sequence. */
    private static final Pattern NET_ROUNDS = Pattern.compile("^ROUNDS media=(\\w+)(?: view=(\\w+))? rounds=(\\d+) p99 / raw p99: ack " +
        NET_ROUND_RATIOS + ", result " + NET_ROUND_RATIOS);
    private static final Pattern NET_COUNTS = Pattern.compile("^COUNTS media=(\\w+) events=(\\d+) per event: (.*)$");
    private static final Pattern PAUSE_RESULT = Pattern.compile("RESULT (\\w+) keys=(\\d+) sliced pause p99 " + NUM + " us max " + NUM +
        " us; whole state at the barrier pause p99 " + NUM + " us max " + NUM + " us; barrier/sliced p99 " + NUM + "x");
    private static final Pattern RESTART_RESULT = Pattern.compile("RESULT keys=(\\d+) history=(\\d+) tail=(\\d+) restart median " +
        NUM + " s, full replay median " + NUM + " s, full/restart median " + NUM);
    private static final Pattern RESTART_DERIVED = Pattern.compile("capped at " + NUM + " by the sizes; derived: 20x at a history of " +
        NUM + " M events before the checkpoint");
    private static final Pattern ALLOCATION_MEASURED = Pattern.compile("measured ([0-9,]+) events in " + NUM + " s \\(" + NUM +
        " M ev/s\\); heap used before ([0-9,]+) B, after ([0-9,]+) B: (-?[0-9,]+) B over the run = " + NUM +
        " B/event; max heap ([0-9,]+) B");
    private static final Pattern BATCH_ROW = Pattern.compile("^\\s*(\\d+)\\s+" + NUM + "\\s+" + NUM + " \\|\\s+" + NUM + "\\s+" +
        NUM + "\\s+" + NUM + "\\s+" + NUM);

    /** Above this many bytes per operation {@code gc.alloc.rate.norm} is not 0: see perf/README.md, "Suite". */
    static final double ALLOC_NOISE_BYTES_PER_OP = 0.1;

    private SuiteParsers()
    {
    }

    static double num(final String text)
    {
        return Double.parseDouble(text.replace(",", ""));
    }

    static String f(final String format, final Object... args)
    {
        return String.format(Locale.ROOT, format, args);
    }

    /**
     * {@link JournalThroughputMain}: append vs raw memcpy into an mmap, poll vs raw scan, per payload.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> journal(final List<String> lines)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        String payload = null;
        String[] median = null;
        for (final String line : lines)
        {
            final Matcher p = JOURNAL_PAYLOAD.matcher(line);
            if (p.find())
            {
                payload = p.group(1);
                median = null;
            }
            else if (line.startsWith("median "))
            {
                median = line.replace("|", " ").trim().split("\\s+");
            }
            final Matcher m = JOURNAL_RESULT.matcher(line);
            // median row: raw, raw GB/s, raw+crc, jnl, jnl GB/s, jnl/raw, ckd/raw, crc/raw | cpu raw, jnl, j/r | scan, poll, pol/scn
            if (m.find() && null != median && median.length >= 15 && m.group(1).equals(payload))
            {
                final double append = num(m.group(2));
                final double replay = num(m.group(5));
                figures.add(new SuiteFigure("Journal append (JOURNALED), payload " + payload + " B, append path alone",
                    f("%s M rec/s (%s GB/s)", median[4], median[5]),
                    f("raw memcpy into the same kind of mmap: %s M rec/s (%s GB/s)", median[1], median[2]),
                    f("%.3f (min %s, max %s)", append, m.group(3), m.group(4)), ">= 0.80 of raw",
                    SuiteFigure.verdict(append >= 0.8)));
                figures.add(new SuiteFigure("Journal replay (`PartitionReader.poll`), payload " + payload + " B",
                    f("%s M rec/s", median[13]), f("raw scan of the same file: %s M rec/s", median[12]),
                    f("%.3f (min %s, max %s)", replay, m.group(6), m.group(7)), ">= 1.0 of raw (\"at least as fast\")",
                    SuiteFigure.verdict(replay >= 1.0)));
                final Matcher cpu = JOURNAL_CPU.matcher(line);
                if (cpu.find())
                {
                    final double cpuRatio = num(cpu.group(1));
                    figures.add(new SuiteFigure("Journal append, payload " + payload + " B, by CPU time of the writing thread",
                        f("%s ns per record", median[10]), f("raw memcpy: %s ns per record", median[9]),
                        f("%.3f (min %s, max %s)", cpuRatio, cpu.group(2), cpu.group(3)), ">= 0.80 of raw",
                        SuiteFigure.verdict(cpuRatio >= 0.8)));
                }
            }
        }
        if (figures.isEmpty())
        {
            figures.add(SuiteFigure.missing("Journal append and replay", ">= 0.80 / >= 1.0 of raw", "no RESULT line"));
        }
        return figures;
    }

    /**
     * {@link JournalReplayMain}: the reader's three reads vs the raw scan of the same bytes, all on warm mappings, by the
     * reading thread's CPU time; and a reopened journal's first read beside the raw scan of the same file mapped afresh,
     * both first reads of a fresh mapping (no target: attribution).
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> journalReplayCpu(final List<String> lines)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        final String[] names = {
            "`poll` through a handler (records this process wrote), warm mapping",
            "batch read, as recovery's replay reads (records this process wrote), warm mapping",
            "batch read of a reopened journal, every record CRC32C-checked (what a restart reads), warm mapping"};
        for (final String line : lines)
        {
            final Matcher m = REPLAY_CPU_RESULT.matcher(line);
            if (m.find())
            {
                for (int i = 0; i < names.length; i++)
                {
                    final double ratio = num(m.group(2 + 3 * i));
                    figures.add(new SuiteFigure("Journal replay by CPU time, payload " + m.group(1) + " B: " + names[i],
                        f("%s ns of CPU per record", m.group(12 + i)),
                        f("raw scan of the same bytes, warm mapping: %s ns per record", m.group(11)),
                        f("%.3f (min %s, max %s)", ratio, m.group(3 + 3 * i), m.group(4 + 3 * i)), ">= 1.0 of raw",
                        SuiteFigure.verdict(ratio >= 1.0)));
                }
                final Matcher fresh = REPLAY_FRESH.matcher(line);
                if (fresh.find())
                {
                    figures.add(new SuiteFigure("Journal replay by CPU time, payload " + m.group(1) + " B: a reopened journal's " +
                        "first read, every record CRC32C-checked (a restart's first read), fresh mapping", f("%s ns of CPU per record",
                        fresh.group(5)), f("raw scan of the same file, fresh mapping: %s ns per record", fresh.group(4)),
                        f("%s (min %s, max %s)", fresh.group(1), fresh.group(2), fresh.group(3)), SuiteFigure.NO_TARGET,
                        SuiteFigure.NO_TARGET));
                }
            }
        }
        if (figures.isEmpty())
        {
            figures.add(SuiteFigure.missing("Journal replay by CPU time", ">= 1.0 of raw", "no RESULT line"));
        }
        return figures;
    }

    /**
     * {@link EngineThroughputMain}: the engine vs the plain loop (target) and the raw Disruptor hand-off.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> engine(final List<String> lines)
    {
        String[] median = null;
        for (final String line : lines)
        {
            if (line.startsWith("median "))
            {
                median = line.trim().split("\\s+");
            }
            final Matcher m = ENGINE_RESULT.matcher(line);
            if (m.find() && null != median && median.length >= 6)
            {
                final double plain = num(m.group(2));
                final String what = "Engine, 1 partition, journal on, 64 B events, tumbling count+sum, 10k keys, wait " + m.group(1);
                return List.of(
                    new SuiteFigure(what, median[3] + " M ev/s", "plain single-threaded loop, same query: " + median[1] + " M ev/s",
                        f("%.3f (min %s, max %s)", plain, m.group(3), m.group(4)), ">= 0.5 of the plain loop",
                        SuiteFigure.verdict(plain >= 0.5)),
                    new SuiteFigure(what, median[3] + " M ev/s", "raw Disruptor hand-off, same producer and ring: " + median[2] +
                        " M ev/s", f("%s (min %s, max %s)", m.group(5), m.group(6), m.group(7)), "none (reference)",
                        SuiteFigure.NO_TARGET));
            }
        }
        return List.of(SuiteFigure.missing("Engine throughput", ">= 0.5 of the plain loop", "no RESULT line"));
    }

    /**
     * {@link LatencyMain}: CO-corrected in-process latency per rate of the tumbling pipeline (firing sliced, and
     * paced by event time) and the empty pipeline, each beside the raw Disruptor hand-off of the same events in the same run.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> latency(final List<String> lines)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        for (final String line : lines)
        {
            final Matcher m = LATENCY_RESULT.matcher(line);
            if (!m.find())
            {
                continue;
            }
            // The window pipeline, its firing sliced (tumbling) or paced by event time (paced), has the target.
            final boolean tumbling = "tumbling".equals(m.group(4)) || "paced".equals(m.group(4));
            final double p99 = num(m.group(7));
            final double p9999 = num(m.group(9));
            final double worstRatio = Math.max(Math.max(num(m.group(16)), num(m.group(17))), Math.max(num(m.group(18)), num(m.group(19))));
            figures.add(new SuiteFigure("Latency in process, " + m.group(4) + " pipeline, open loop at " + f("%,d", Long.parseLong(m.group(1))) +
                " ev/s, " + m.group(2) + ("true".equals(m.group(3)) ? " pinned" : "") + ", CO-corrected (scheduled -> processed), " +
                m.group(5) + " events",
                f("p50 %s, p99 %s, p99.9 %s, p99.99 %s, max %s us", m.group(6), m.group(7), m.group(8), m.group(9), m.group(10)),
                f("raw Disruptor 1P1C hand-off, same events: p50 %s, p99 %s, p99.9 %s, p99.99 %s, max %s us",
                    m.group(11), m.group(12), m.group(13), m.group(14), m.group(15)),
                f("p50 %s, p99 %s, p99.9 %s, p99.99 %s", m.group(16), m.group(17), m.group(18), m.group(19)),
                tumbling ? "p99 <= 5 us, p99.99 <= 50 us (dedicated core), <= 2x raw at every percentile" : "none (reference)",
                tumbling ? SuiteFigure.verdict(p99 <= 5.0 && p9999 <= 50.0 && worstRatio <= 2.0) : SuiteFigure.NO_TARGET));
        }
        if (figures.isEmpty())
        {
            figures.add(SuiteFigure.missing("Latency", "p99 <= 5 us, p99.99 <= 50 us", "no RESULT lines"));
        }
        return figures;
    }

    /**
     * {@link NetLatencyMain}: client -> daemon -> client over Aeron IPC and UDP, publish -> JOURNALED ack
     * and publish -> egress result, vs the raw Aeron ping-pong of the same run.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> net(final List<String> lines)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        for (final String line : lines)
        {
            final Matcher counts = NET_COUNTS.matcher(line);
            if (counts.find())
            {
                figures.add(new SuiteFigure(f("Network work per event in the daemon over Aeron %s (its counters, %s events of the " +
                    "Sluice phases)", counts.group(1).toUpperCase(java.util.Locale.ROOT), counts.group(2)), counts.group(3),
                    "raw ping-pong: 2 thread hand-offs per message; Sluice: 2 with the network duties on the processing thread (the " +
                    "default: client -> processing thread -> client), 4 with them on the duties thread", "-", "none (explains the latencies)", SuiteFigure.NO_TARGET));
                continue;
            }
            final Matcher rounds = NET_ROUNDS.matcher(line);
            if (rounds.find())
            {
                figures.add(netRounds(rounds, "JOURNALED ack", 4));
                figures.add(netRounds(rounds, "egress result", 8));
                continue;
            }
            final Matcher m = NET_RESULT.matcher(line);
            if (!m.find())
            {
                continue;
            }
            final boolean ipc = "ipc".equals(m.group(1));
            figures.add(new SuiteFigure(f("Network latency, separate client process -> daemon -> client over Aeron %s, publish -> %s, " +
                "open loop at %,d msg/s, CO-corrected, %s messages", m.group(1).toUpperCase(java.util.Locale.ROOT),
                "ack".equals(m.group(2)) ? "JOURNALED ack" : "egress result", Long.parseLong(m.group(3)), m.group(4)),
                f("p50 %s, p99 %s, p99.9 %s, p99.99 %s, max %s us", m.group(5), m.group(6), m.group(7), m.group(8), m.group(9)),
                f("raw Aeron ping-pong, same message size, driver and idle strategies: p50 %s, p99 %s, p99.9 %s, p99.99 %s, max %s us",
                    m.group(10), m.group(11), m.group(12), m.group(13), m.group(14)),
                f("p50 %s, p99 %s, p99.9 %s, p99.99 %s", m.group(15), m.group(16), m.group(17), m.group(18)),
                ipc ? "p99 <= 2x raw Aeron ping-pong (IPC)" : "none (reference)",
                ipc ? SuiteFigure.verdict(num(m.group(16)) <= 2.0) : SuiteFigure.NO_TARGET));
        }
        if (figures.isEmpty())
        {
            figures.add(SuiteFigure.missing("Network latency over Aeron", "p99 <= 2x raw Aeron ping-pong (IPC)", "no RESULT lines"));
        }
        return figures;
    }

    /**
     * A path's p99 over the raw p99 of the same round, per round ({@link NetRounds}): the target holds in every round. A
     * run gives two views of its rounds, each judged on its own: the phases in sequence, and the raw and Sluice slices
     * interleaved ({@link NetSlices}).
     *
     * @param m     a matched {@code ROUNDS} line.
     * @param path  the path's name.
     * @param group of the path's ratios in the match (its median, rounds within 2x and rounds follow).
     * @return the figure.
     */
    private static SuiteFigure netRounds(final Matcher m, final String path, final int group)
    {
        final boolean ipc = "ipc".equals(m.group(1));
        final boolean interleaved = m.group(2) != null;
        return new SuiteFigure(f("Network latency over Aeron %s, publish -> %s, p99 / raw p99 of the same round, per round (%s rounds)%s",
            m.group(1).toUpperCase(java.util.Locale.ROOT), path, m.group(3), interleaved ?
                ", raw and Sluice slices interleaved within each round" : ""), f("[%s], median %s", m.group(group), m.group(group + 1)),
            interleaved ? "each round's raw Aeron ping-pong p99, over its slices between the Sluice slices" : "each round's raw Aeron ping-pong p99", f("%s of %s rounds within 2x", m.group(group + 2), m.group(group + 3)),
            ipc ? "p99 <= 2x raw Aeron ping-pong in every round (IPC)" : "none (reference)",
            ipc ? SuiteFigure.verdict(m.group(group + 2).equals(m.group(group + 3))) : SuiteFigure.NO_TARGET);
    }

    /**
     * {@link CheckpointPauseMain}: the partition's checkpoint pause with a checkpoint a second, copied in
     * slices vs the whole state at the barrier, per state size.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> checkpointPause(final List<String> lines)
    {
        final String target = "pause p99 in microseconds (<= 100 us), independent of the state size (issue 13)";
        final List<SuiteFigure> figures = new ArrayList<>();
        for (final String line : lines)
        {
            final Matcher m = PAUSE_RESULT.matcher(line);
            if (m.find())
            {
                figures.add(new SuiteFigure(f("Checkpoint pause of the partition thread, %s, %,d keys, a checkpoint a second",
                    m.group(1), Long.parseLong(m.group(2))), "p99 " + m.group(3) + " us, max " + m.group(4) + " us (copied in slices)",
                    "whole state copied at the barrier: p99 " + m.group(5) + " us, max " + m.group(6) + " us",
                    m.group(7) + "x shorter at p99", target, SuiteFigure.verdict(num(m.group(3)) <= 100)));
            }
        }
        return figures.isEmpty() ? List.of(SuiteFigure.missing("Checkpoint pause", target, "no RESULT line")) : figures;
    }

    /**
     * {@link RestartMain}: restart from a checkpoint vs full replay from offset zero.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> restart(final List<String> lines)
    {
        final String target = "ready <= 1 s and >= 20x faster than a full replay (1M keys, 10M events since the checkpoint)";
        String derived = "";
        for (final String line : lines)
        {
            final Matcher d = RESTART_DERIVED.matcher(line);
            if (d.find())
            {
                // A restart replays the tail at the full replay's speed: the sizes cap the ratio, whatever either costs.
                derived = "; the ratio is capped at " + d.group(1) + "x by these sizes, 20x would need " + d.group(2) +
                    "M events before the checkpoint at this run's rates (derived)";
            }
        }
        for (final String line : lines)
        {
            final Matcher m = RESTART_RESULT.matcher(line);
            if (m.find())
            {
                final double restart = num(m.group(4));
                final double ratio = num(m.group(6));
                final boolean targetSizes = Long.parseLong(m.group(1)) >= 1_000_000 && Long.parseLong(m.group(3)) >= 10_000_000;
                return List.of(new SuiteFigure(f("Restart from a checkpoint: %,d keys, %,d events before it, %,d after it",
                    Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))),
                    "ready in " + m.group(4) + " s (median)", "full replay from offset 0: " + m.group(5) + " s (median)",
                    m.group(6) + "x faster (median of full/restart)", target,
                    "ready <= 1 s " + SuiteFigure.verdict(restart <= 1.0) + ", >= 20x " + SuiteFigure.verdict(ratio >= 20.0) +
                        (targetSizes ? "" : " (at this run's smaller sizes)") + derived));
            }
        }
        return List.of(SuiteFigure.missing("Restart vs full replay", target, "no RESULT line"));
    }

    /**
     * {@link AllocationMain} under Epsilon: completes without OutOfMemoryError after the events.
     *
     * @param lines printed by the main.
     * @return the figure.
     */
    static List<SuiteFigure> allocation(final List<String> lines)
    {
        final String target = "0 B/event: >= 50M events under -XX:+UseEpsilonGC with a small heap, no OutOfMemoryError";
        Matcher measured = null;
        boolean completed = false;
        for (final String line : lines)
        {
            final Matcher m = ALLOCATION_MEASURED.matcher(line);
            if (m.find())
            {
                measured = m;
            }
            completed |= line.startsWith("RESULT completed without OutOfMemoryError");
        }
        if (null == measured || !completed)
        {
            return List.of(SuiteFigure.missing("Allocation proof under Epsilon", target,
                null == measured ? "no 'measured' line (OutOfMemoryError or failure: see the output)" : "no RESULT line"));
        }
        final long events = (long)num(measured.group(1));
        return List.of(new SuiteFigure(
            f("Allocation proof: %,d events through the engine (journal on) under Epsilon, max heap %,d B", events,
                (long)num(measured.group(8))),
            f("heap used %s B after the events (%s B over the run = %s B/event); completed, no OutOfMemoryError",
                measured.group(5), measured.group(6), measured.group(7)),
            "heap used before the measured events: " + measured.group(4) + " B", "-", target,
            SuiteFigure.verdict(events >= 50_000_000L)));
    }

    /**
     * {@link MicroBatchingMain}: events/s per batch size relative to one-at-a-time publication.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> microBatching(final List<String> lines)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        String one = null;
        for (final String line : lines)
        {
            final Matcher m = BATCH_ROW.matcher(line);
            if (m.find())
            {
                if ("1".equals(m.group(1)))
                {
                    one = m.group(2);
                }
                figures.add(new SuiteFigure("Micro-batching, batch " + m.group(1) + " (max throughput; p50/p99 at the fixed rate)",
                    f("%s M ev/s; p50 %s us, p99 %s us", m.group(2), m.group(4), m.group(5)),
                    "batch 1 in the same run: " + (null == one ? "-" : one + " M ev/s"), m.group(3), "none (reference)",
                    SuiteFigure.NO_TARGET));
            }
        }
        return figures;
    }

    /**
     * {@link LiveEngineThroughputMain}: the live engine from the first publish to the last result, per
     * configuration of partitions and processing threads, against the plain loop of the same run; the
     * configurations against the first (2 partitions must never be slower than 1); CPU per event.
     *
     * @param lines printed by the main.
     * @return the figures.
     */
    static List<SuiteFigure> live(final List<String> lines)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        for (final String line : lines)
        {
            final Matcher m = LIVE_RESULT.matcher(line);
            if (m.find())
            {
                figures.add(new SuiteFigure("Live engine W1 (tumbling 6 s count+sum, 500 ms out of order), journal on, " + m.group(1) +
                    " partition(s) on " + m.group(2) + " processing thread(s), wait " + m.group(3) + ", first publish -> last result",
                    f("%s M ev/s (first run in the JVM: %s M ev/s)", m.group(5), m.group(9)),
                    "plain single-threaded loop, same query and events: " + m.group(11) + " M ev/s",
                    f("%s (min %s, max %s); first run %s", m.group(6), m.group(7), m.group(8), m.group(10)), "none (reference)",
                    SuiteFigure.NO_TARGET));
            }
            final Matcher v = LIVE_VERSUS.matcher(line);
            if (v.find())
            {
                final double ratio = num(v.group(3));
                figures.add(new SuiteFigure("Live engine W1, " + v.group(1) + " (partitions x threads) against " + v.group(2),
                    v.group(1), v.group(2) + ", same run", f("%.3f (min %s, max %s)", ratio, v.group(4), v.group(5)),
                    "2 partitions never slower than 1: >= 0.95", SuiteFigure.verdict(ratio >= 0.95)));
            }
            final Matcher c = LIVE_CPU.matcher(line);
            if (c.find())
            {
                figures.add(new SuiteFigure("Live engine W1, CPU per event, " + c.group(1) + " partition(s) on " + c.group(2) + " thread(s)",
                    f("processing %s ns/event, publisher %s ns/event", c.group(4), c.group(3)), "plain loop CPU per event, same run",
                    c.group(5), "none (reference)", SuiteFigure.NO_TARGET));
            }
        }
        return figures.isEmpty() ? List.of(SuiteFigure.missing("Live engine end to end", "none", "no RESULT line")) : figures;
    }

    /**
     * Mains whose output is reported verbatim without summary figures.
     *
     * @param lines printed by the main.
     * @return no figures.
     */
    static List<SuiteFigure> none(final List<String> lines)
    {
        return List.of();
    }

    /**
     * {@link WindowOperatorBenchmark}: tumbling vs the plain loop, sliding vs tumbling per event, allocation.
     *
     * @param rows of the JMH run.
     * @return the figures.
     */
    static List<SuiteFigure> windows(final List<SuiteJmh.Row> rows)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        for (final String density : List.of("1", "128"))
        {
            final SuiteJmh.Row plain = find(rows, "plain", density);
            final SuiteJmh.Row tumbling = find(rows, "tumbling", density);
            final SuiteJmh.Row sliding = find(rows, "sliding", density);
            if (null != plain && null != tumbling)
            {
                figures.add(new SuiteFigure("Window operator alone (no ring, no journal), tumbling 1 s, " + density + " events/ms",
                    ops(tumbling), "plain loop, same query: " + ops(plain), f("%.3f", tumbling.score() / plain.score()),
                    "none (reference for the engine's >= 0.5)", SuiteFigure.NO_TARGET));
            }
            if (null != tumbling && null != sliding)
            {
                final double costRatio = tumbling.score() / sliding.score();
                figures.add(new SuiteFigure("Sliding 1 h / 1 s per-event cost, " + density + " events/ms",
                    f("%.1f ns/event", 1e9 / sliding.score()), f("tumbling 1 s: %.1f ns/event", 1e9 / tumbling.score()),
                    f("%.2fx the tumbling cost", costRatio), "<= 1.5x tumbling", SuiteFigure.verdict(costRatio <= 1.5)));
            }
        }
        figures.addAll(jmhAllocation(rows));
        return figures;
    }

    /**
     * {@link JournalReplayBenchmark} or {@link JournalAppendBenchmark}: journal vs raw per payload, allocation.
     *
     * @param rows      of the JMH run.
     * @param journal   method of the journal ({@code .journalPoll}).
     * @param raw       method of the raw baseline ({@code .rawScan}).
     * @param what      is measured.
     * @param minRatio  the target ratio.
     * @return the figures.
     */
    static List<SuiteFigure> journalJmh(
        final List<SuiteJmh.Row> rows, final String journal, final String raw, final String what, final double minRatio)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        for (final String payload : List.of("64", "256"))
        {
            final SuiteJmh.Row j = findParam(rows, journal, payload);
            final SuiteJmh.Row r = findParam(rows, raw, payload);
            if (null != j && null != r)
            {
                final double ratio = j.score() / r.score();
                figures.add(new SuiteFigure(what + ", payload " + payload + " B (JMH)", ops(j),
                    raw.substring(1) + ": " + ops(r), f("%.3f", ratio), f(">= %.2f of raw", minRatio),
                    SuiteFigure.verdict(ratio >= minRatio)));
            }
        }
        figures.addAll(jmhAllocation(rows));
        return figures;
    }

    /**
     * {@link JournalReplayBenchmark}: each of the reader's ways to replay (a record at a time as a tailing consumer, a
     * batch at a time as recovery, and that batch read over a reopened journal, CRC32C-checked as a restart reads it)
     * against the raw scan of the same bytes, and their allocation.
     *
     * @param rows of the JMH run.
     * @return the figures.
     */
    static List<SuiteFigure> journalReplayJmh(final List<SuiteJmh.Row> rows)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        figures.addAll(withoutAllocation(journalJmh(rows, ".journalPoll", ".rawScan", "Journal replay, poll vs raw scan", 1.0)));
        figures.addAll(withoutAllocation(journalJmh(rows, ".journalBatch", ".rawScan",
            "Journal replay, batch read (recovery's) vs raw scan", 1.0)));
        figures.addAll(withoutAllocation(journalJmh(rows, ".recoveryBatch", ".rawScan",
            "Journal replay after a reopen, batch read with each record's CRC32C checked (what a restart reads) vs raw scan " +
            "(no check)", 1.0)));
        figures.addAll(jmhAllocation(rows));
        return figures;
    }

    private static List<SuiteFigure> withoutAllocation(final List<SuiteFigure> figures)
    {
        figures.removeIf(f -> f.what().startsWith("Allocation per event/record"));
        return figures;
    }

    /**
     * {@code gc.alloc.rate.norm} of every row that has it, against 0 B per operation.
     *
     * @param rows of the JMH run.
     * @return one figure per row with the profiler's figure.
     */
    static List<SuiteFigure> jmhAllocation(final List<SuiteJmh.Row> rows)
    {
        final List<SuiteFigure> figures = new ArrayList<>();
        for (final SuiteJmh.Row r : rows)
        {
            if (!Double.isNaN(r.allocNorm()))
            {
                figures.add(new SuiteFigure("Allocation per event/record, " + r.method() + " (" + r.params() + ")",
                    f("%.4f B/op (gc.alloc.rate.norm)", r.allocNorm()), "-", "-",
                    f("0 B/op (below %.1f B/op: no per-event object)", ALLOC_NOISE_BYTES_PER_OP),
                    SuiteFigure.verdict(r.allocNorm() < ALLOC_NOISE_BYTES_PER_OP)));
            }
        }
        return figures;
    }

    private static SuiteJmh.Row find(final List<SuiteJmh.Row> rows, final String kind, final String density)
    {
        for (final SuiteJmh.Row r : rows)
        {
            if (r.has("kind", kind) && r.has("eventsPerMs", density))
            {
                return r;
            }
        }
        return null;
    }

    private static SuiteJmh.Row findParam(final List<SuiteJmh.Row> rows, final String method, final String payload)
    {
        for (final SuiteJmh.Row r : rows)
        {
            if (r.method().endsWith(method) && (r.has("payloadLength", payload) || r.has("payload", payload)))
            {
                return r;
            }
        }
        return null;
    }

    private static String ops(final SuiteJmh.Row r)
    {
        return Double.isNaN(r.error()) ? f("%,.0f %s", r.score(), r.unit()) : f("%,.0f ± %,.0f %s", r.score(), r.error(), r.unit());
    }
}
