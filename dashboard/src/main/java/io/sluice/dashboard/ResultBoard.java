package io.sluice.dashboard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * What the dashboard shows of each pipeline's results: per pipeline and partition, the latest output
 * per key ({@link LatestTable}) and, for alert pipelines, the most recent outputs in arrival order
 * ({@link RecentRing}). The pipelines' sinks write it through {@link #tap} on their partition threads
 * without allocating or waiting; the dashboard reads it on its own thread. It is bounded and lossy:
 * a slow reader misses outputs, the pipelines never wait for it.
 *
 * <p>Threading: {@link #tap} and {@link #bind} at build time; the taps' {@code onEvent} on partition
 * threads (one writer per partition); everything else on the dashboard thread.
 */
public final class ResultBoard
{
    /** Default number of keys kept per pipeline and partition. */
    public static final int DEFAULT_KEYS_PER_PARTITION = 1024;
    /** Default number of recent outputs kept per alert pipeline and partition. */
    public static final int DEFAULT_RECENT_PER_PARTITION = 256;
    /** Longest output row kept; longer rows are cut (fields past it show as blank). */
    public static final int ROW_CAPACITY = 256;

    private final int partitions;
    private final int keysPerPartition;
    private final int recentPerPartition;
    private final Map<String, Board> boards = new LinkedHashMap<>();

    /**
     * Creates an empty board.
     *
     * @param partitions         per topic, as the engine runs them.
     * @param keysPerPartition   latest outputs kept per pipeline and partition, a power of two.
     * @param recentPerPartition recent outputs kept per alert pipeline and partition, a power of two.
     */
    public ResultBoard(final int partitions, final int keysPerPartition, final int recentPerPartition)
    {
        if (partitions < 1 || Integer.bitCount(keysPerPartition) != 1 || Integer.bitCount(recentPerPartition) != 1)
        {
            throw new IllegalArgumentException("partitions must be >= 1 and capacities powers of two, were " + partitions + ", " +
                keysPerPartition + ", " + recentPerPartition);
        }
        this.partitions = partitions;
        this.keysPerPartition = keysPerPartition;
        this.recentPerPartition = recentPerPartition;
    }

    /**
     * Wraps a pipeline's sink so that its outputs also reach the board.
     *
     * @param pipeline name of the pipeline.
     * @param alerts   whether its outputs are alerts (also kept in arrival order for the alert feed).
     * @param delegate the pipeline's own sink, called first.
     * @return the sink to give the pipeline.
     */
    public synchronized EventSink tap(final String pipeline, final boolean alerts, final EventSink delegate)
    {
        final Board board = new Board(pipeline, alerts, partitions, keysPerPartition, recentPerPartition);
        if (boards.putIfAbsent(pipeline, board) != null)
        {
            throw new IllegalArgumentException("pipeline '" + pipeline + "' is already on the board");
        }
        return new Tap(board, delegate);
    }

    /**
     * Tells the board the output schemas of the built pipelines, by name.
     *
     * @param pipelines built with the sinks {@link #tap} returned.
     */
    public synchronized void bind(final List<Pipeline> pipelines)
    {
        for (final Pipeline pipeline : pipelines)
        {
            final Board board = boards.get(pipeline.name());
            if (board != null)
            {
                board.schema = pipeline.outputSchema();
            }
        }
    }

    /**
     * The pipelines on the board, in the order they were tapped.
     *
     * @return an unmodifiable list.
     */
    public synchronized List<Board> boards()
    {
        return Collections.unmodifiableList(new ArrayList<>(boards.values()));
    }

    /**
     * One pipeline's tables.
     */
    public static final class Board
    {
        final String pipeline;
        final boolean alerts;
        final LatestTable[] latest;
        final RecentRing[] recent;
        volatile Schema schema;

        Board(final String pipeline, final boolean alerts, final int partitions, final int keys, final int recentCount)
        {
            this.pipeline = pipeline;
            this.alerts = alerts;
            this.latest = new LatestTable[partitions];
            this.recent = alerts ? new RecentRing[partitions] : null;
            for (int p = 0; p < partitions; p++)
            {
                latest[p] = new LatestTable(keys, ROW_CAPACITY);
                if (alerts)
                {
                    recent[p] = new RecentRing(recentCount, ROW_CAPACITY);
                }
            }
        }

        /**
         * The pipeline's name.
         *
         * @return the name.
         */
        public String pipeline()
        {
            return pipeline;
        }

        /**
         * Whether the pipeline's outputs are alerts.
         *
         * @return true for an alert pipeline.
         */
        public boolean alerts()
        {
            return alerts;
        }
    }

    /**
     * The sink wrapper: the pipeline's own sink first, then a copy into the partition's table and ring.
     */
    private static final class Tap implements EventSink
    {
        private final Board board;
        private final EventSink delegate;

        Tap(final Board board, final EventSink delegate)
        {
            this.board = board;
            this.delegate = delegate;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            delegate.onEvent(partition, sequence, key, timestamp, event);
            if (partition >= 0 && partition < board.latest.length)
            {
                board.latest[partition].record(key, timestamp, sequence, event.buffer(), event.offset(), event.length());
                if (board.recent != null)
                {
                    board.recent[partition].append(key, timestamp, sequence, event.buffer(), event.offset(), event.length());
                }
            }
        }

        @Override
        public void onEndOfInput(final int partition)
        {
            delegate.onEndOfInput(partition);
        }

        @Override
        public void onTurnEnd(final int partition)
        {
            delegate.onTurnEnd(partition);
        }

        @Override
        public void onCheckpoint(final int partition)
        {
            delegate.onCheckpoint(partition);
        }

        @Override
        public void onCheckpoint(final int partition, final long checkpointId)
        {
            // A two-phase sink (Kafka) needs the checkpoint's id: pass the barrier on as it came.
            delegate.onCheckpoint(partition, checkpointId);
        }
    }
}
