package io.sluice.engine.window;

/**
 * The aggregate set every oracle test computes, and how to render a result of it as text.
 */
final class TestAggregates
{
    static final int AGGREGATES = 13;

    private TestAggregates()
    {
    }

    static PrimitiveAggregator[] all()
    {
        return new PrimitiveAggregator[]{
            Aggregators.count(),
            Aggregators.sumLong(0),
            Aggregators.sumDouble(1),
            Aggregators.minLong(0),
            Aggregators.maxLong(0),
            Aggregators.minDouble(1),
            Aggregators.maxDouble(1),
            Aggregators.avgLong(0),
            Aggregators.avgDouble(1),
            Aggregators.firstLong(0),
            Aggregators.lastLong(0),
            Aggregators.firstDouble(1),
            Aggregators.lastDouble(1),
        };
    }

    /**
     * Text of a result: long aggregates by longValue, double ones by doubleValue.
     */
    static String render(final long key, final long start, final long end, final int flags, final WindowResult result)
    {
        final StringBuilder builder = new StringBuilder(128)
            .append(flagName(flags)).append(" key=").append(key)
            .append(" [").append(start).append(',').append(end).append(") ");
        for (int i = 0; i < result.aggregateCount(); i++)
        {
            if (isDouble(i))
            {
                builder.append(result.doubleValue(i));
            }
            else
            {
                builder.append(result.longValue(i));
            }
            builder.append(' ');
        }
        return builder.toString();
    }

    static boolean isDouble(final int aggregate)
    {
        return aggregate == 2 || aggregate == 5 || aggregate == 6 || aggregate == 7 || aggregate == 8 ||
            aggregate == 11 || aggregate == 12;
    }

    static String flagName(final int flags)
    {
        switch (flags)
        {
            case WindowResultHandler.FINAL:
                return "FINAL";
            case WindowResultHandler.UPDATE:
                return "UPDATE";
            case WindowResultHandler.EARLY:
                return "EARLY";
            default:
                return "FLAGS" + flags;
        }
    }

    static String late(final long key, final long timestamp, final long watermark)
    {
        return "LATE key=" + key + " t=" + timestamp + " wm=" + watermark;
    }
}
