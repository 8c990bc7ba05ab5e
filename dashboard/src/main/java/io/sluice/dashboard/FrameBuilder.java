package io.sluice.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.AtomicCounter;

import io.sluice.engine.checkpoint.CheckpointCoordinator;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.PartitionCheckpoint;
import io.sluice.engine.runtime.Engine;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.Schema;

/**
 * Builds the frames pushed to browsers, on the dashboard thread: the health part (counters, engine
 * state, checkpoints, distinct errors, the newest alerts), the same for every browser, and the
 * results part of each browser's own view (pipeline, sort column, top N, key filter).
 *
 * <p>Threading: the dashboard thread only; it owns every field here.
 */
final class FrameBuilder
{
    /** Alerts kept for the feed, newest last. */
    static final int ALERTS_KEPT = 200;
    /** Alerts sent in a frame, newest first. */
    static final int ALERTS_SENT = 50;
    /** Distinct errors sent in a frame. */
    static final int ERRORS_SENT = 20;
    /** Characters of an error's text sent. */
    static final int ERROR_TEXT_LENGTH = 4000;

    private final DashboardSources sources;
    private final HealthReader health;
    private final AtomicCounter alertsLost;
    private final SlotBuffer.Row row = new SlotBuffer.Row(ResultBoard.ROW_CAPACITY);
    private final Map<String, Long> previous = new HashMap<>();
    private final Map<ResultBoard.Board, long[]> cursors = new HashMap<>();
    private final ArrayDeque<String> alerts = new ArrayDeque<>();
    private long previousNanos;
    private long alertId;
    private long lastDashboardCheckpointMillis = -1;

    FrameBuilder(final DashboardSources sources, final AtomicCounter alertsLost)
    {
        this.sources = sources;
        this.health = new HealthReader(sources.counters());
        this.alertsLost = alertsLost;
    }

    void lastDashboardCheckpointMillis(final long millis)
    {
        lastDashboardCheckpointMillis = millis;
    }

    /**
     * The health part of the next frame, a JSON object's members without braces.
     *
     * @param nowMs   wall clock time.
     * @param nowNs   monotonic time, for rates.
     * @return the members.
     */
    String health(final long nowMs, final long nowNs)
    {
        final double seconds = previousNanos == 0 ? 0 : (nowNs - previousNanos) / 1e9;
        previousNanos = nowNs;
        final HealthReader.Health figures = health.read();
        final Engine engine = sources.engine().get();
        final StringBuilder out = new StringBuilder(8192);
        final Json json = new Json(out);
        json.field("t", nowMs).field("title", sources.title());
        json.field("state", engine == null ? "STARTING" : stateName((int)figures.daemon(HealthReader.DAEMON_STATE, 2)));
        json.field("heartbeat", figures.daemon(HealthReader.HEARTBEAT, nowMs));
        topics(json, figures, seconds, engine);
        pipelines(json, figures, seconds, engine);
        latency(json, figures);
        checkpoints(json, figures, engine, nowMs);
        network(json, figures);
        errors(json);
        alerts(json);
        return out.toString();
    }

    private void topics(final Json json, final HealthReader.Health figures, final double seconds, final Engine engine)
    {
        final int ringSize = engine == null ? 0 : engine.context().ringSize();
        final Map<String, List<HealthReader.PartitionHealth>> byTopic = new java.util.LinkedHashMap<>();
        for (final HealthReader.PartitionHealth partition : figures.partitions.values())
        {
            byTopic.computeIfAbsent(partition.topic, t -> new ArrayList<>()).add(partition);
        }
        json.name("topics").openArray();
        for (final Map.Entry<String, List<HealthReader.PartitionHealth>> topic : byTopic.entrySet())
        {
            long events = 0;
            double rate = 0;
            json.open().field("topic", topic.getKey()).name("partitions").openArray();
            for (final HealthReader.PartitionHealth partition : topic.getValue())
            {
                final double partitionRate = rate("in:" + topic.getKey() + "/" + partition.partition, partition.eventsIn, seconds);
                events += partition.eventsIn;
                rate += partitionRate;
                json.open().field("p", partition.partition).field("eventsIn", partition.eventsIn).field("rate", round(partitionRate))
                    .field("journalEnd", partition.journalEnd)
                    .field("backlog", ringSize == 0 ? 0 : Math.max(0, ringSize - partition.ringRemaining))
                    .field("ringSize", ringSize).close();
            }
            json.closeArray().field("eventsIn", events).field("rate", round(rate)).close();
        }
        json.closeArray();
    }

    private void pipelines(final Json json, final HealthReader.Health figures, final double seconds, final Engine engine)
    {
        final List<String> names = new ArrayList<>();
        if (engine != null)
        {
            names.addAll(engine.pipelineNames());
        }
        for (final HealthReader.InstanceHealth instance : figures.instances.values())
        {
            if (!names.contains(instance.pipeline))
            {
                names.add(instance.pipeline);
            }
        }
        json.name("pipelines").openArray();
        for (final String name : names)
        {
            final boolean paused = engine != null && isPaused(engine, name);
            long outputs = 0;
            long errors = 0;
            long late = 0;
            long suppressed = 0;
            long state = 0;
            String topic = "";
            json.open().field("name", name).name("partitions").openArray();
            for (final HealthReader.InstanceHealth instance : figures.instancesOf(name))
            {
                outputs += instance.outputs;
                errors += instance.errors;
                late += instance.late;
                suppressed += instance.suppressed;
                state += instance.stateEntries;
                topic = instance.topic;
                json.open().field("p", instance.partition).field("topic", instance.topic)
                    .field("state", instance.state != 0 ? "halted" : paused ? "paused" : "running")
                    .field("watermark", instance.watermark).field("outputs", instance.outputs).field("errors", instance.errors)
                    .field("late", instance.late).field("suppressed", instance.suppressed)
                    .field("stateEntries", instance.stateEntries).close();
            }
            json.closeArray().field("topic", topic).field("paused", paused).field("outputs", outputs)
                .field("rate", round(rate("out:" + name, outputs, seconds))).field("errors", errors).field("late", late)
                .field("suppressed", suppressed).field("stateEntries", state).field("alerts", isAlertPipeline(name))
                .field("onBoard", board(name) != null).close();
        }
        json.closeArray();
    }

    private static boolean isPaused(final Engine engine, final String pipeline)
    {
        try
        {
            return engine.isPaused(pipeline);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private static void latency(final Json json, final HealthReader.Health figures)
    {
        json.name("latency").openArray();
        for (final Map.Entry<String, long[]> stage : figures.latency.entrySet())
        {
            final long[] f = stage.getValue();
            json.open().field("stage", stage.getKey()).field("p50", f[HealthReader.P50]).field("p99", f[HealthReader.P99])
                .field("p999", f[HealthReader.P999]).field("p9999", f[HealthReader.P9999]).field("max", f[HealthReader.MAX])
                .field("count", f[HealthReader.COUNT]).close();
        }
        json.closeArray();
    }

    private void checkpoints(final Json json, final HealthReader.Health figures, final Engine engine, final long nowMs)
    {
        final CheckpointCoordinator coordinator = engine == null ? null : engine.checkpoints();
        json.name("checkpoint").open();
        json.field("enabled", coordinator != null);
        if (coordinator != null)
        {
            json.field("completed", coordinator.completed()).field("failed", coordinator.failed());
            final CheckpointManifest last = coordinator.lastCompleted();
            if (last != null)
            {
                long size = 0;
                for (final PartitionCheckpoint partition : last.partitions())
                {
                    size += partition.fileSize();
                }
                json.field("lastId", last.id()).field("createdMs", last.createdMs()).field("ageMs", Math.max(0, nowMs - last.createdMs()))
                    .field("sizeBytes", size).field("files", last.partitions().size());
            }
            final Histogram pauses = coordinator.pauseHistogram();
            json.field("pauseMaxUs", pauses.getMaxValue() / 1000).field("pauseP99Us", pauses.getValueAtPercentile(99) / 1000);
        }
        else
        {
            json.field("completed", figures.daemon(HealthReader.CHECKPOINTS_COMPLETED, 0));
        }
        json.field("lastDashboardDurationMs", lastDashboardCheckpointMillis);
        json.close();
    }

    /** Each network endpoint: whether its Aeron client is connected, and how often it was lost. */
    private static void network(final Json json, final HealthReader.Health figures)
    {
        json.name("network").openArray();
        for (final Map.Entry<String, long[]> endpoint : figures.network.entrySet())
        {
            json.open().field("endpoint", endpoint.getKey()).field("up", endpoint.getValue()[0] == 1)
                .field("losses", endpoint.getValue()[1]).close();
        }
        json.closeArray();
    }

    private void errors(final Json json)
    {
        final AtomicBuffer buffer = sources.errorLog().get();
        final List<String[]> list = new ArrayList<>();
        final long[] observations = new long[1];
        if (buffer != null)
        {
            ErrorLogReader.read(buffer, (count, first, last, text) ->
            {
                observations[0] += count;
                if (list.size() < ERRORS_SENT)
                {
                    list.add(new String[] {String.valueOf(count), String.valueOf(first), String.valueOf(last),
                        text.length() > ERROR_TEXT_LENGTH ? text.substring(0, ERROR_TEXT_LENGTH) + " ..." : text});
                }
            });
        }
        json.name("errors").open().field("observations", observations[0]).name("list").openArray();
        for (final String[] error : list)
        {
            json.open().field("count", Long.parseLong(error[0])).field("first", Long.parseLong(error[1]))
                .field("last", Long.parseLong(error[2])).field("text", error[3]).close();
        }
        json.closeArray().close();
    }

    /**
     * Moves the alerts the partitions wrote since the last call into the feed kept here; called every
     * period, also when no browser is connected, so that a browser that connects sees the recent ones.
     */
    void drainAlerts()
    {
        // Rates are differences between consecutive frames: after a pause in frames they start afresh.
        previousNanos = 0;
        previous.clear();
        drainAlertsOnly();
    }

    private void drainAlertsOnly()
    {
        for (final ResultBoard.Board board : sources.board().boards())
        {
            if (!board.alerts)
            {
                continue;
            }
            final Schema schema = board.schema;
            final long[] cursor = cursors.computeIfAbsent(board, b -> new long[b.recent.length]);
            for (int p = 0; p < board.recent.length; p++)
            {
                final int partition = p;
                cursor[p] = board.recent[p].drain(cursor[p], row, r -> addAlert(board.pipeline, schema, partition, r), alertsLost);
            }
        }
    }

    private void alerts(final Json json)
    {
        drainAlertsOnly();
        json.name("alerts").openArray();
        final Iterator<String> newest = alerts.descendingIterator();
        for (int i = 0; i < ALERTS_SENT && newest.hasNext(); i++)
        {
            json.raw(newest.next());
        }
        json.closeArray();
    }

    private void addAlert(final String pipeline, final Schema schema, final int partition, final SlotBuffer.Row r)
    {
        final StringBuilder out = new StringBuilder(256);
        final Json json = new Json(out);
        json.open().field("id", ++alertId).field("pipeline", pipeline).field("p", partition).field("key", r.key)
            .field("ts", r.timestamp).field("seq", r.sequence);
        if (schema != null)
        {
            json.name("values").open();
            values(json, schema, r);
            json.close();
        }
        json.close();
        alerts.addLast(out.toString());
        while (alerts.size() > ALERTS_KEPT)
        {
            alerts.removeFirst();
        }
    }

    /**
     * The results part of one browser's view: its pipeline's latest output per key, top N.
     *
     * @param view of the browser.
     * @return a JSON object.
     */
    String results(final View view)
    {
        final ResultBoard.Board board = view.pipeline == null ? null : board(view.pipeline);
        final StringBuilder out = new StringBuilder(4096);
        final Json json = new Json(out);
        json.open().field("pipeline", view.pipeline);
        if (board == null || board.schema == null)
        {
            json.field("keys", 0).field("matching", 0).name("columns").openArray().closeArray().name("rows").openArray().closeArray().close();
            return out.toString();
        }
        final Schema schema = board.schema;
        final int sortField = sortField(schema, view.sort);
        final EventFlyweight event = new EventFlyweight(schema);
        final List<double[]> order = new ArrayList<>();
        final List<String> rendered = new ArrayList<>();
        int keys = 0;
        for (final LatestTable table : board.latest)
        {
            for (int slot = 0; slot < table.slots; slot++)
            {
                if (!table.read(slot, row))
                {
                    continue;
                }
                keys++;
                if (view.keyFilter != null && !Long.toString(row.key).contains(view.keyFilter))
                {
                    continue;
                }
                double sortValue = row.timestamp;
                final Field field = sortField < 0 ? null : schema.field(sortField);
                if (field != null && field.offset() + field.type().width() <= row.length)
                {
                    event.wrap(row.bytes, 0);
                    sortValue = event.doubleValue(sortField);
                }
                final StringBuilder line = new StringBuilder(128);
                final Json cells = new Json(line);
                cells.openArray().value(row.key).value(row.timestamp);
                rowValues(cells, schema, row, event);
                cells.closeArray();
                order.add(new double[] {sortValue, rendered.size()});
                rendered.add(line.toString());
            }
        }
        order.sort(Comparator.comparingDouble((double[] a) -> a[0]).reversed());
        json.field("keys", keys).field("matching", rendered.size()).field("sort", sortField < 0 ? "time" : schema.field(sortField).name());
        json.name("columns").openArray().value("key").value("time");
        for (final Field field : schema.fields())
        {
            json.value(field.name());
        }
        json.closeArray().name("numeric").openArray();
        for (final Field field : schema.fields())
        {
            if (field.type().isNumeric() && field.type() != io.sluice.schema.FieldType.BOOLEAN)
            {
                json.value(field.name());
            }
        }
        json.closeArray().name("rows").openArray();
        for (int i = 0; i < order.size() && i < view.top; i++)
        {
            json.raw(rendered.get((int)order.get(i)[1]));
        }
        json.closeArray().close();
        return out.toString();
    }

    private static int sortField(final Schema schema, final String sort)
    {
        if (sort != null && schema.hasField(sort))
        {
            return schema.indexOf(sort);
        }
        // Default: the first aggregate, i.e. the first numeric field after the window's own fields.
        for (final Field field : schema.fields())
        {
            final String name = field.name();
            if (!name.equals("key") && !name.equals("window_start") && !name.equals("window_end") && !name.equals("flags") &&
                field.type().isNumeric() && field.type() != io.sluice.schema.FieldType.BOOLEAN &&
                field.type() != io.sluice.schema.FieldType.TIMESTAMP)
            {
                return field.index();
            }
        }
        return -1;
    }

    private static void rowValues(final Json cells, final Schema schema, final SlotBuffer.Row r, final EventFlyweight event)
    {
        event.wrap(r.bytes, 0);
        final StringBuilder symbol = new StringBuilder();
        for (final Field field : schema.fields())
        {
            if (field.offset() + Math.max(1, field.width()) > r.length)
            {
                cells.value((String)null);
                continue;
            }
            switch (field.type())
            {
                case DOUBLE -> cells.value(event.getDouble(field.index()));
                case INT -> cells.value(event.getInt(field.index()));
                case BOOLEAN -> cells.value(event.getBoolean(field.index()));
                case SYMBOL ->
                {
                    symbol.setLength(0);
                    cells.value(event.getSymbol(field.index(), symbol).toString());
                }
                case TEXT ->
                {
                    symbol.setLength(0);
                    cells.value(event.getText(field.index(), symbol).toString());
                }
                case DECIMAL -> cells.value(event.doubleValue(field.index()));
                default -> cells.value(event.getLong(field.index()));
            }
        }
    }

    private static void values(final Json json, final Schema schema, final SlotBuffer.Row r)
    {
        final EventFlyweight event = new EventFlyweight(schema);
        event.wrap(r.bytes, 0);
        final StringBuilder symbol = new StringBuilder();
        for (final Field field : schema.fields())
        {
            if (field.offset() + Math.max(1, field.width()) > r.length)
            {
                continue;
            }
            json.name(field.name());
            switch (field.type())
            {
                case DOUBLE -> json.value(event.getDouble(field.index()));
                case INT -> json.value(event.getInt(field.index()));
                case BOOLEAN -> json.value(event.getBoolean(field.index()));
                case SYMBOL ->
                {
                    symbol.setLength(0);
                    json.value(event.getSymbol(field.index(), symbol).toString());
                }
                case TEXT ->
                {
                    symbol.setLength(0);
                    json.value(event.getText(field.index(), symbol).toString());
                }
                case DECIMAL -> json.value(event.doubleValue(field.index()));
                default -> json.value(event.getLong(field.index()));
            }
        }
    }

    private ResultBoard.Board board(final String pipeline)
    {
        for (final ResultBoard.Board board : sources.board().boards())
        {
            if (board.pipeline.equals(pipeline))
            {
                return board;
            }
        }
        return null;
    }

    private boolean isAlertPipeline(final String pipeline)
    {
        final ResultBoard.Board board = board(pipeline);
        return board != null && board.alerts;
    }

    private double rate(final String id, final long value, final double seconds)
    {
        final Long before = previous.put(id, value);
        if (before == null || seconds <= 0)
        {
            return 0;
        }
        return Math.max(0, (value - before) / seconds);
    }

    private static double round(final double value)
    {
        return Math.round(value * 10) / 10.0;
    }

    private static String stateName(final int state)
    {
        return switch (state)
        {
            case 1 -> "STARTING";
            case 2 -> "RUNNING";
            case 3 -> "STOPPING";
            case 4 -> "STOPPED";
            default -> "RUNNING";
        };
    }

    /**
     * What one browser asked to see of the results.
     *
     * @param pipeline  whose results, or null for the first on the board.
     * @param sort      the column to sort by, descending (null: the first aggregate).
     * @param top       how many rows.
     * @param keyFilter only keys whose decimal text contains this, or null.
     */
    record View(String pipeline, String sort, int top, String keyFilter)
    {
        View
        {
            top = Math.max(1, Math.min(top, 500));
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "%s by %s top %d filter %s", pipeline, sort, top, keyFilter);
        }
    }
}
