package io.sluice.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Test helpers: the account table's schema and an event sink that keeps every output as a map of field
 * name to value text.
 */
final class Rows
{
    /** Events of the captured accounts table. */
    static final Schema ACCOUNT = Schema.builder("account")
        .longField("id")
        .symbolField("name", 12)
        .longField("balance")
        .booleanField("blocked")
        .timestampField("opened")
        .doubleField("score")
        .intField("visits")
        .intField("op")
        .booleanField("deleted")
        .timestampField("commit_ts")
        .longField("lsn")
        .longField("before_balance")
        .symbolField("before_name", 12)
        .build();

    private Rows()
    {
    }

    /** A sink collecting outputs as field maps, in arrival order. */
    static final class Collector implements EventSink
    {
        private final List<Map<String, String>> rows = new ArrayList<>();

        @Override
        public synchronized void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            rows.add(toMap(event));
        }

        synchronized List<Map<String, String>> rows()
        {
            return new ArrayList<>(rows);
        }

        synchronized int size()
        {
            return rows.size();
        }
    }

    static Map<String, String> toMap(final EventFlyweight event)
    {
        final Map<String, String> row = new TreeMap<>();
        for (int i = 0; i < event.schema().fieldCount(); i++)
        {
            final String value;
            switch (event.schema().field(i).type())
            {
                case DOUBLE:
                    value = Double.toString(event.getDouble(i));
                    break;
                case SYMBOL:
                    value = event.getSymbol(i, new StringBuilder()).toString();
                    break;
                case BOOLEAN:
                    value = Boolean.toString(event.getBoolean(i));
                    break;
                case DECIMAL:
                    value = Decimals.format(event.getDecimal(i), event.schema().field(i).scale(), new StringBuilder()).toString();
                    break;
                default:
                    value = Long.toString(event.longValue(i));
            }
            row.put(event.schema().field(i).name(), value);
        }
        return row;
    }
}
