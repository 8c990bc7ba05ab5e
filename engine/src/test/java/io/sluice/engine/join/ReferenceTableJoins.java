package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Naive stream-table and table-table joins over hash maps, written case by case after Kafka
 * Streams' KStream-KTable and KTable-KTable join processors (plus Kafka's rule that a delete of
 * an absent key is not forwarded). Values are test record ids; 0 means absent.
 */
final class ReferenceTableJoins
{
    private ReferenceTableJoins()
    {
    }

    /**
     * Stream-table join; {@code versioned} keeps the full history (tests keep it within the
     * operator's bound, so no truncation happens).
     */
    static final class StreamTable
    {
        private final JoinType type;
        private final boolean versioned;
        private final Map<Long, Long> latest = new HashMap<>();
        private final Map<Long, TreeMap<Long, Long>> history = new HashMap<>();
        final List<String> rows = new ArrayList<>();

        StreamTable(final JoinType type, final boolean versioned)
        {
            this.type = type;
            this.versioned = versioned;
        }

        void upsert(final long key, final long timestamp, final long id)
        {
            latest.put(key, id);
            history.computeIfAbsent(key, k -> new TreeMap<>()).put(timestamp, id);
        }

        void delete(final long key, final long timestamp)
        {
            latest.remove(key);
            final TreeMap<Long, Long> versions = history.get(key);
            if (versions != null)
            {
                versions.put(timestamp, 0L);
            }
        }

        void stream(final long key, final long timestamp, final long id)
        {
            long value = 0;
            if (versioned)
            {
                final TreeMap<Long, Long> versions = history.get(key);
                final Map.Entry<Long, Long> entry = versions == null ? null : versions.floorEntry(timestamp);
                value = entry == null ? 0 : entry.getValue();
            }
            else
            {
                value = latest.getOrDefault(key, 0L);
            }
            if (value != 0)
            {
                rows.add(JoinTestRecords.row(key, timestamp, JoinResultHandler.MATCH, id, value));
            }
            else if (type == JoinType.LEFT)
            {
                rows.add(JoinTestRecords.row(key, timestamp, JoinResultHandler.RIGHT_NULL, id, 0));
            }
        }
    }

    /**
     * Table-table join.
     */
    static final class TableTable
    {
        private final JoinType type;
        private final List<Map<Long, long[]>> tables = List.of(new HashMap<>(), new HashMap<>());
        final List<String> rows = new ArrayList<>();

        TableTable(final JoinType type)
        {
            this.type = type;
        }

        void update(final int side, final long key, final long timestamp, final long id)
        {
            final Map<Long, long[]> own = tables.get(side);
            if (id == 0 && !own.containsKey(key))
            {
                return;
            }
            if (id == 0)
            {
                own.remove(key);
            }
            else
            {
                own.put(key, new long[] {id, timestamp});
            }
            final long[] other = tables.get(side ^ 1).get(key);
            final long otherId = other == null ? 0 : other[0];
            final long resultTime = other == null ? timestamp : Math.max(timestamp, other[1]);
            final long leftId = side == 0 ? id : otherId;
            final long rightId = side == 0 ? otherId : id;
            switch (type)
            {
                case INNER:
                    if (other == null)
                    {
                        return;
                    }
                    emit(key, resultTime, id == 0 ? 0 : leftId, id == 0 ? 0 : rightId, id == 0);
                    break;
                case LEFT:
                    if (side == 0)
                    {
                        emit(key, resultTime, leftId, rightId, id == 0);
                    }
                    else if (otherId != 0)
                    {
                        emit(key, resultTime, leftId, rightId, false);
                    }
                    break;
                case RIGHT:
                    if (side == 1)
                    {
                        emit(key, resultTime, leftId, rightId, id == 0);
                    }
                    else if (otherId != 0)
                    {
                        emit(key, resultTime, leftId, rightId, false);
                    }
                    break;
                default:
                    emit(key, resultTime, leftId, rightId, id == 0 && otherId == 0);
                    break;
            }
        }

        private void emit(final long key, final long timestamp, final long leftId, final long rightId, final boolean tombstone)
        {
            int flags = 0;
            if (tombstone)
            {
                flags = JoinResultHandler.TOMBSTONE;
                rows.add(JoinTestRecords.row(key, timestamp, flags, 0, 0));
                return;
            }
            if (leftId == 0)
            {
                flags |= JoinResultHandler.LEFT_NULL;
            }
            if (rightId == 0)
            {
                flags |= JoinResultHandler.RIGHT_NULL;
            }
            rows.add(JoinTestRecords.row(key, timestamp, flags, leftId, rightId));
        }
    }
}
