package io.sluice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * The result board the sinks write on partition threads: latest output per key, lossy eviction when
 * full, the recent ring losing only what a slow reader missed, and no torn row ever read while a
 * writer thread overwrites the same slots.
 */
class ResultBoardTest
{
    private static final Schema SCHEMA = Schema.builder("result").longField("key").longField("a").longField("b").build();

    @Test
    void shouldKeepTheLatestOutputPerKeyAndCallTheSinkFirst()
    {
        final List<Long> delegated = new ArrayList<>();
        final List<Long> checkpoints = new ArrayList<>();
        final ResultBoard board = new ResultBoard(2, 64, 16);
        final EventSink tap = board.tap("p", false, new EventSink()
        {
            @Override
            public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
            {
                delegated.add(sequence);
            }

            @Override
            public void onCheckpoint(final int partition, final long checkpointId)
            {
                checkpoints.add(checkpointId);
            }
        });
        tap.onCheckpoint(1, 7);
        assertThat(checkpoints).as("the barrier reaches the pipeline's own sink with its id").containsExactly(7L);
        final EventFlyweight event = event();
        for (long i = 0; i < 30; i++)
        {
            event.putLong(0, i % 10).putLong(1, i).putLong(2, -i);
            tap.onEvent((int)(i % 2), i, i % 10, 1000 + i, event);
        }
        assertThat(delegated).hasSize(30);
        final Map<Long, Long> latest = latest(board.boards().get(0).latest);
        assertThat(latest).hasSize(10);
        for (long key = 0; key < 10; key++)
        {
            assertThat(latest.get(key)).as("key %d", key).isEqualTo(20 + key);
        }
    }

    @Test
    void shouldNotAllocateOnThePartitionThreadPerOutput()
    {
        final ResultBoard board = new ResultBoard(1, 1024, 256);
        final EventSink tap = board.tap("alerts", true, (partition, sequence, key, timestamp, event) -> { });
        final EventFlyweight event = event();
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        for (long i = 0; i < 200_000; i++)
        {
            // Warm-up: let the JIT compile the write path before it is measured.
            event.putLong(0, i).putLong(1, i);
            tap.onEvent(0, i, i & 8191, i, event);
        }
        final long before = threads.getThreadAllocatedBytes(thread);
        for (long i = 0; i < 1_000_000; i++)
        {
            event.putLong(0, i).putLong(1, i);
            tap.onEvent(0, i, i & 8191, i, event);
        }
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // A million outputs through the tap: far less than one byte each (the measurement itself may allocate a little).
        assertThat(allocated).as("bytes allocated for 1,000,000 outputs").isLessThan(100_000);
    }

    @Test
    void shouldEvictTheOldestKeyWhenTheTableIsFull()
    {
        final LatestTable table = new LatestTable(16, ResultBoard.ROW_CAPACITY);
        final UnsafeBuffer row = new UnsafeBuffer(new byte[24]);
        for (long key = 0; key < 100; key++)
        {
            table.record(key, key, key, row, 0, 24);
        }
        assertThat(table.evictions()).isGreaterThan(0);
        final Map<Long, Long> kept = latest(new LatestTable[] {table});
        assertThat(kept.size()).isLessThanOrEqualTo(16);
        // The newest key always finds a slot.
        assertThat(kept).containsKey(99L);
    }

    @Test
    void shouldCountOutputsOverwrittenBeforeTheReaderCameAndReadTheRestInOrder()
    {
        final RecentRing ring = new RecentRing(16, ResultBoard.ROW_CAPACITY);
        final UnsafeBuffer row = new UnsafeBuffer(new byte[8]);
        for (long i = 0; i < 40; i++)
        {
            row.putLong(0, i);
            ring.append(i, i, i, row, 0, 8);
        }
        final List<Long> read = new ArrayList<>();
        final long cursor = ring.drain(0, new SlotBuffer.Row(ResultBoard.ROW_CAPACITY), r -> read.add(r.bytes.getLong(0)), null);
        assertThat(cursor).isEqualTo(40);
        assertThat(read).hasSize(16).first().isEqualTo(24L);
        assertThat(read).isSorted();
        assertThat(ring.drain(cursor, new SlotBuffer.Row(ResultBoard.ROW_CAPACITY), r -> read.add(-1L), null)).isEqualTo(40);
        assertThat(read).hasSize(16);
    }

    @Test
    void shouldNeverReadATornRowWhileAWriterOverwritesTheSameSlots() throws Exception
    {
        final LatestTable table = new LatestTable(16, ResultBoard.ROW_CAPACITY);
        final RecentRing ring = new RecentRing(16, ResultBoard.ROW_CAPACITY);
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread writer = new Thread(() ->
        {
            final UnsafeBuffer row = new UnsafeBuffer(new byte[ResultBoard.ROW_CAPACITY]);
            long i = 0;
            while (running.get())
            {
                // Every long of the row holds the same value: a torn copy mixes two values.
                for (int offset = 0; offset < ResultBoard.ROW_CAPACITY; offset += 8)
                {
                    row.putLong(offset, i);
                }
                table.record(i % 4, i, i, row, 0, ResultBoard.ROW_CAPACITY);
                ring.append(i % 4, i, i, row, 0, ResultBoard.ROW_CAPACITY);
                i++;
            }
        }, "board-writer");
        writer.start();
        final SlotBuffer.Row copy = new SlotBuffer.Row(ResultBoard.ROW_CAPACITY);
        long whole = 0;
        long cursor = 0;
        // Two seconds of reads, and on a busy machine longer: until at least one whole row was read (the
        // writer thread may start late, and a read that meets the writer four times in a row returns none).
        final long start = System.nanoTime();
        final long minimum = start + 2_000_000_000L;
        final long deadline = start + 60_000_000_000L;
        try
        {
            while ((System.nanoTime() < minimum || whole == 0) && System.nanoTime() < deadline)
            {
                for (int slot = 0; slot < table.slots; slot++)
                {
                    if (table.read(slot, copy))
                    {
                        assertWhole(copy);
                        whole++;
                    }
                }
                cursor = ring.drain(cursor, copy, ResultBoardTest::assertWhole, null);
            }
        }
        finally
        {
            running.set(false);
            writer.join();
        }
        assertThat(whole).isPositive();
    }

    private static void assertWhole(final SlotBuffer.Row copy)
    {
        final long first = copy.bytes.getLong(0);
        assertThat(copy.sequence).isEqualTo(first);
        for (int offset = 8; offset < copy.length; offset += 8)
        {
            assertThat(copy.bytes.getLong(offset)).as("long at %d of row %d", offset, first).isEqualTo(first);
        }
    }

    private static Map<Long, Long> latest(final LatestTable[] tables)
    {
        final Map<Long, Long> latest = new HashMap<>();
        final SlotBuffer.Row row = new SlotBuffer.Row(ResultBoard.ROW_CAPACITY);
        for (final LatestTable table : tables)
        {
            for (int slot = 0; slot < table.slots; slot++)
            {
                if (table.read(slot, row))
                {
                    assertThat(latest.put(row.key, row.sequence)).as("key %d twice", row.key).isNull();
                }
            }
        }
        return latest;
    }

    private static EventFlyweight event()
    {
        return new EventFlyweight(SCHEMA).wrapForWrite(new UnsafeBuffer(new byte[SCHEMA.length()]), 0);
    }
}
