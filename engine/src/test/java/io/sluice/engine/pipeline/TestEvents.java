package io.sluice.engine.pipeline;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Test fixtures: a trade schema, event encoding, and a sink that renders outputs as text lines.
 */
public final class TestEvents
{
    /** account LONG, amount DOUBLE, qty LONG, ts TIMESTAMP. */
    public static final Schema TRADE = Schema.builder("trade")
        .longField("account").doubleField("amount").longField("qty").timestampField("ts").build();

    private TestEvents()
    {
    }

    /**
     * Encodes a trade.
     *
     * @param buffer  to write into at offset 0.
     * @param account key.
     * @param amount  value.
     * @param qty     value.
     * @param ts      event time.
     * @return the buffer.
     */
    public static UnsafeBuffer trade(final UnsafeBuffer buffer, final long account, final double amount, final long qty, final long ts)
    {
        new EventFlyweight(TRADE).wrapForWrite(buffer, 0).putLong(0, account).putDouble(1, amount).putLong(2, qty).putLong(3, ts);
        return buffer;
    }

    /**
     * A sink rendering each output as "partition seq key ts field=value...", thread-safe.
     */
    public static final class TextSink implements EventSink
    {
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            final StringBuilder sb = new StringBuilder().append(partition).append(' ').append(sequence).append(' ')
                .append(key).append(' ').append(timestamp);
            for (int i = 0; i < event.schema().fieldCount(); i++)
            {
                sb.append(' ').append(event.schema().field(i).name()).append('=');
                switch (event.schema().field(i).type())
                {
                    case DOUBLE:
                        sb.append(event.getDouble(i));
                        break;
                    case SYMBOL:
                        event.getSymbol(i, sb);
                        break;
                    default:
                        sb.append(event.longValue(i));
                }
            }
            lines.add(sb.toString());
        }

        /**
         * The lines so far.
         *
         * @return a copy of the lines.
         */
        public synchronized List<String> lines()
        {
            return new ArrayList<>(lines);
        }
    }
}
