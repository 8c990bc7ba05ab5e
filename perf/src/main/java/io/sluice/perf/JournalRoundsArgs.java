package io.sluice.perf;

import java.util.Arrays;

/**
 * The arguments of the journal mains that time rounds of frames in one mapped segment ({@link JournalThroughputMain},
 * {@link JournalReplayMain}): {@code rounds=N} measured rounds, {@code warmup=W} rounds discarded first,
 * {@code mib=M} MiB of frames per round (below the 512 MiB segment), {@code payloads=64,256} payload lengths, and for
 * the appending main {@code staged=true} (the journal's writer in staged mode, {@code JournalContext.stagedWrites}) and
 * {@code turn=N} (records appended unpublished, then published at once, as the engine's processing thread does per turn).
 */
final class JournalRoundsArgs
{
    /** Length of the one segment a round writes or reads. */
    static final int SEGMENT_LENGTH = 512 * 1024 * 1024;

    final int rounds;
    final int warmups;
    final int mib;
    final int[] payloads;
    /** Whether the journal's writer stages its frames and writes each published run with one {@code pwrite}. */
    final boolean staged;
    /** Records per published run: 1 appends each record published. */
    final int turn;

    private JournalRoundsArgs(
        final int rounds, final int warmups, final int mib, final int[] payloads, final boolean staged, final int turn)
    {
        this.rounds = rounds;
        this.warmups = warmups;
        this.mib = mib;
        this.payloads = payloads;
        this.staged = staged;
        this.turn = turn;
    }

    /**
     * Parses {@code key=value} arguments over the defaults (5 rounds, 2 warm-up rounds, payloads 64 and 256 B, mapped
     * writer, runs of one record).
     *
     * @param args       of the main.
     * @param defaultMib MiB of frames per round unless {@code mib=} is given.
     * @return the arguments.
     * @throws IllegalArgumentException naming an unknown argument, a {@code mib} that does not fit a segment, or a
     *                                  {@code turn} below 1.
     */
    static JournalRoundsArgs parse(final String[] args, final int defaultMib)
    {
        int rounds = 5;
        int warmups = 2;
        int mib = defaultMib;
        int[] payloads = {64, 256};
        boolean staged = false;
        int turn = 1;
        for (final String arg : args)
        {
            final String value = arg.substring(arg.indexOf('=') + 1);
            if (arg.startsWith("rounds="))
            {
                rounds = Integer.parseInt(value);
            }
            else if (arg.startsWith("warmup="))
            {
                warmups = Integer.parseInt(value);
            }
            else if (arg.startsWith("mib="))
            {
                mib = Integer.parseInt(value);
            }
            else if (arg.startsWith("payloads="))
            {
                payloads = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
            }
            else if (arg.startsWith("staged="))
            {
                staged = Boolean.parseBoolean(value);
            }
            else if (arg.startsWith("turn="))
            {
                turn = Integer.parseInt(value);
            }
            else
            {
                throw new IllegalArgumentException(
                    "unknown argument '" + arg + "': use rounds=N warmup=W mib=M payloads=64,256 staged=true|false turn=N");
            }
        }
        if (mib < 1 || (long)mib * 1024 * 1024 > SEGMENT_LENGTH - RawMappedLog.SEGMENT_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("mib must be in [1, 511], was " + mib);
        }
        if (turn < 1)
        {
            throw new IllegalArgumentException("turn must be at least 1, was " + turn);
        }
        return new JournalRoundsArgs(rounds, warmups, mib, payloads, staged, turn);
    }
}
