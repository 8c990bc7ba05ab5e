package io.sluice.perf;

import java.util.Arrays;

/**
 * The arguments of the journal mains that time rounds of frames in one mapped segment ({@link JournalThroughputMain},
 * {@link JournalReplayMain}): {@code rounds=N} measured rounds, {@code warmup=W} rounds discarded first,
 * {@code mib=M} MiB of frames per round (below the 512 MiB segment), {@code payloads=64,256} payload lengths.
 */
final class JournalRoundsArgs
{
    /** Length of the one segment a round writes or reads. */
    static final int SEGMENT_LENGTH = 512 * 1024 * 1024;

    final int rounds;
    final int warmups;
    final int mib;
    final int[] payloads;

    private JournalRoundsArgs(final int rounds, final int warmups, final int mib, final int[] payloads)
    {
        this.rounds = rounds;
        this.warmups = warmups;
        this.mib = mib;
        this.payloads = payloads;
    }

    /**
     * Parses {@code key=value} arguments over the defaults (5 rounds, 2 warm-up rounds, payloads 64 and 256 B).
     *
     * @param args       of the main.
     * @param defaultMib MiB of frames per round unless {@code mib=} is given.
     * @return the arguments.
     * @throws IllegalArgumentException naming an unknown argument, or a {@code mib} that does not fit a segment.
     */
    static JournalRoundsArgs parse(final String[] args, final int defaultMib)
    {
        int rounds = 5;
        int warmups = 2;
        int mib = defaultMib;
        int[] payloads = {64, 256};
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
            else
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "': use rounds=N warmup=W mib=M payloads=64,256");
            }
        }
        if (mib < 1 || (long)mib * 1024 * 1024 > SEGMENT_LENGTH - RawMappedLog.SEGMENT_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("mib must be in [1, 511], was " + mib);
        }
        return new JournalRoundsArgs(rounds, warmups, mib, payloads);
    }
}
