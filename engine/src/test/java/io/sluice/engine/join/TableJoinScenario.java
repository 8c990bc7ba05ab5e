package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A seeded random changelog input for table joins: upserts (many of the same keys), deletes
 * (some of absent keys), stream events, timestamps out of order.
 * Steps are {@code kind, key, timestamp, id}.
 */
final class TableJoinScenario
{
    static final int LEFT_UPSERT = 0;
    static final int LEFT_DELETE = 1;
    static final int RIGHT_UPSERT = 2;
    static final int RIGHT_DELETE = 3;

    final long seed;
    final JoinType type;
    final boolean versioned;
    final List<long[]> steps = new ArrayList<>();

    TableJoinScenario(final long seed, final JoinType type, final boolean versioned)
    {
        this.seed = seed;
        this.type = type;
        this.versioned = versioned;
        final Random random = new Random(seed);
        final int keys = 2 + random.nextInt(12);
        final int count = 1000 + random.nextInt(1000);
        long clock = 0;
        for (int i = 0; i < count; i++)
        {
            clock += random.nextInt(4);
            final int roll = random.nextInt(100);
            final int kind = roll < 35 ? LEFT_UPSERT : roll < 45 ? LEFT_DELETE : roll < 85 ? RIGHT_UPSERT : RIGHT_DELETE;
            final long timestamp = clock - random.nextInt(20);
            steps.add(new long[] {kind, 1 + random.nextInt(keys), timestamp, i + 1});
        }
    }

    void replay(final TableTableJoinOperator operator, final int from, final int to)
    {
        final UnsafeBuffer left = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer right = new UnsafeBuffer(new byte[64]);
        for (int i = from; i < to; i++)
        {
            final long[] step = steps.get(i);
            switch ((int)step[0])
            {
                case LEFT_UPSERT:
                    JoinTestRecords.fill(left, 2, JoinTestRecords.LEFT_LENGTH, step[3]);
                    operator.onLeftUpsert(step[1], step[2], left, 2);
                    break;
                case LEFT_DELETE:
                    operator.onLeftDelete(step[1], step[2]);
                    break;
                case RIGHT_UPSERT:
                    JoinTestRecords.fill(right, 6, JoinTestRecords.RIGHT_LENGTH, step[3]);
                    operator.onRightUpsert(step[1], step[2], right, 6);
                    break;
                default:
                    operator.onRightDelete(step[1], step[2]);
                    break;
            }
        }
    }

    /**
     * Stream-table reading of the same steps: left upserts are stream events, left deletes are
     * ignored, right upserts/deletes feed the table.
     */
    void replay(final StreamTableJoinOperator operator, final int from, final int to)
    {
        final UnsafeBuffer stream = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer table = new UnsafeBuffer(new byte[64]);
        for (int i = from; i < to; i++)
        {
            final long[] step = steps.get(i);
            switch ((int)step[0])
            {
                case LEFT_UPSERT:
                    JoinTestRecords.fill(stream, 1, JoinTestRecords.LEFT_LENGTH, step[3]);
                    operator.onStreamEvent(step[1], step[2], stream, 1);
                    break;
                case RIGHT_UPSERT:
                    JoinTestRecords.fill(table, 7, JoinTestRecords.RIGHT_LENGTH, step[3]);
                    operator.onTableUpsert(step[1], step[2], table, 7);
                    break;
                case RIGHT_DELETE:
                    operator.onTableDelete(step[1], step[2]);
                    break;
                default:
                    break;
            }
        }
    }

    TableTableJoinOperator newTableTableJoin(final List<String> rows)
    {
        return new JoinOperatorContext()
            .joinType(type)
            .leftRecordLength(JoinTestRecords.LEFT_LENGTH)
            .rightRecordLength(JoinTestRecords.RIGHT_LENGTH)
            .resultHandler(JoinTestRecords.capture(rows, JoinTestRecords.LEFT_LENGTH, JoinTestRecords.RIGHT_LENGTH))
            .expectedEntries(2)
            .buildTableTableJoin();
    }

    StreamTableJoinOperator newStreamTableJoin(final List<String> rows)
    {
        return new JoinOperatorContext()
            .joinType(type)
            .leftRecordLength(JoinTestRecords.LEFT_LENGTH)
            .rightRecordLength(JoinTestRecords.RIGHT_LENGTH)
            .versionedHistory(versioned ? JoinOperatorContext.MAX_VERSIONS : 0)
            .resultHandler(JoinTestRecords.capture(rows, JoinTestRecords.LEFT_LENGTH, JoinTestRecords.RIGHT_LENGTH))
            .expectedEntries(2)
            .buildStreamTableJoin();
    }

    List<String> referenceTableTable()
    {
        final ReferenceTableJoins.TableTable reference = new ReferenceTableJoins.TableTable(type);
        for (final long[] step : steps)
        {
            final int kind = (int)step[0];
            final int side = kind < RIGHT_UPSERT ? 0 : 1;
            final boolean delete = kind == LEFT_DELETE || kind == RIGHT_DELETE;
            reference.update(side, step[1], step[2], delete ? 0 : step[3]);
        }
        return reference.rows;
    }

    List<String> referenceStreamTable()
    {
        final ReferenceTableJoins.StreamTable reference = new ReferenceTableJoins.StreamTable(type, versioned);
        for (final long[] step : steps)
        {
            switch ((int)step[0])
            {
                case LEFT_UPSERT:
                    reference.stream(step[1], step[2], step[3]);
                    break;
                case RIGHT_UPSERT:
                    reference.upsert(step[1], step[2], step[3]);
                    break;
                case RIGHT_DELETE:
                    reference.delete(step[1], step[2]);
                    break;
                default:
                    break;
            }
        }
        return reference.rows;
    }

    @Override
    public String toString()
    {
        return type + (versioned ? " versioned" : "") + " seed=" + seed + " (rerun with -Dsluice.test.seed=" + seed + ")";
    }
}
