package io.sluice.engine.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * How a {@link Backtest} feeds its pipelines: which topics they read (declared alike by every
 * pipeline that reads them, as the engine's source groups require), which input of which pipeline
 * each topic is (as the engine's partition thread dispatches a group's records), and a {@link
 * Reader} per topic holding its next event for the merge by event time. Build-time, except the
 * readers, which decode one event at a time into one pre-allocated buffer each.
 */
final class ReplayPlan
{
    private ReplayPlan()
    {
    }

    /**
     * The input of one topic: files read one after another, or events from memory, one at a time or as
     * columns; a null topic stands for the one topic the pipelines read.
     *
     * @param topic   the input holds events of, or null.
     * @param files   in reading order (empty for events from memory).
     * @param events  from memory, or null.
     * @param columns from memory as columns, or null.
     */
    record TopicInput(String topic, List<Path> files, EventSource events, ColumnarEventSource columns)
    {
        TopicInput(final String topic, final List<Path> files)
        {
            this(topic, files, null, null);
        }

        TopicInput withTopic(final String topic)
        {
            return new TopicInput(topic, files, events, columns);
        }
    }

    /**
     * The topics the pipelines read, each with its declaration, checked to agree across pipelines
     * and to carry event time.
     */
    static Map<String, Source> topics(final List<Pipeline> pipelines)
    {
        if (pipelines.isEmpty())
        {
            throw new BacktestException("no pipelines to replay");
        }
        final Map<String, Source> topics = new LinkedHashMap<>();
        final Map<String, String> declaredBy = new LinkedHashMap<>();
        for (final Pipeline pipeline : pipelines)
        {
            for (final Source source : pipeline.sources())
            {
                if (source.eventTimeField() < 0)
                {
                    throw new BacktestException("pipeline '" + pipeline.name() + "' reads topic '" + source.topic() + "' in processing " +
                        "time, which a file cannot replay deterministically; declare event_time");
                }
                final Source first = topics.putIfAbsent(source.topic(), source);
                if (first == null)
                {
                    declaredBy.put(source.topic(), pipeline.name());
                }
                else if (!first.schema().describeLayout().equals(source.schema().describeLayout()) ||
                    first.partitionKeyField() != source.partitionKeyField() || first.eventTimeField() != source.eventTimeField() ||
                    first.kind() != source.kind())
                {
                    throw new BacktestException("pipelines '" + declaredBy.get(source.topic()) + "' and '" + pipeline.name() +
                        "' read topic '" + source.topic() + "' with different schemas, keys, time fields or kinds; a topic has one of each");
                }
            }
        }
        return topics;
    }

    /**
     * Names the topic of a topic-less input and checks that every topic has exactly one input and
     * every input a reader.
     */
    static List<TopicInput> resolve(final List<TopicInput> inputs, final Map<String, Source> topics)
    {
        final List<TopicInput> resolved = new ArrayList<>();
        for (final TopicInput input : inputs)
        {
            if (input.topic() == null)
            {
                if (topics.size() != 1)
                {
                    throw new BacktestException("the pipelines read topics " + topics.keySet() + "; give one input per topic " +
                        "(--input <topic>=<file>) so each file's events go to their topic");
                }
                resolved.add(input.withTopic(topics.keySet().iterator().next()));
            }
            else if (!topics.containsKey(input.topic()))
            {
                throw new BacktestException("input for topic '" + input.topic() + "', which no selected pipeline reads (topics: " +
                    topics.keySet() + ")");
            }
            else
            {
                resolved.add(input);
            }
        }
        for (final String topic : topics.keySet())
        {
            if (resolved.stream().noneMatch(input -> input.topic().equals(topic)))
            {
                throw new BacktestException("topic '" + topic + "' has no input; give one (--input " + topic + "=<file>)");
            }
        }
        return resolved;
    }

    /**
     * Reads the input of one topic (its files one after another, or its events from memory), holding
     * the next event decoded with its partition key and event time, as the live publisher reads them.
     */
    static final class Reader implements AutoCloseable
    {
        private final List<Path> files;
        private final EventSource memory;
        private final Source source;
        private final MalformedInputPolicy policy;
        private final Long2ObjectHashMap<String> symbolKeys;
        private final UnsafeBuffer own;
        private final EventFlyweight event;
        private final int keyField;
        private final boolean keyIsSymbol;
        private final int timeField;
        private final StringBuilder symbol = new StringBuilder();
        private final List<BacktestSummary.Input> counts = new ArrayList<>();
        private final List<String> errors = new ArrayList<>();
        private int nextFile;
        private EventFileSource current;
        private boolean hasEvent;
        private long key;
        private long timestamp;

        Reader(
            final TopicInput input,
            final Source source,
            final MalformedInputPolicy policy,
            final Long2ObjectHashMap<String> symbolKeys)
        {
            this.files = input.files();
            this.memory = input.columns() == null ? input.events() :
                new ColumnarEvents(input.columns(), columns(source, ColumnarReplay.BATCH_EVENTS), input.topic());
            this.source = source;
            this.policy = policy;
            this.symbolKeys = symbolKeys;
            this.own = new UnsafeBuffer(new byte[source.schema().length()]);
            this.event = new EventFlyweight(source.schema()).wrapForWrite(own, 0);
            this.keyField = source.partitionKeyField();
            this.keyIsSymbol = source.schema().field(keyField).type() == FieldType.SYMBOL;
            this.timeField = source.eventTimeField();
            if (!input.topic().equals(source.topic()))
            {
                throw new IllegalStateException("reader of " + input.topic() + " given source " + source);
            }
        }

        /**
         * Columns for a topic's events.
         *
         * @throws BacktestException naming the field that a long column cannot hold.
         */
        static EventColumns columns(final Source source, final int capacity)
        {
            final String unfit = EventColumns.unfitField(source.schema());
            if (unfit != null)
            {
                throw new BacktestException("topic '" + source.topic() + "' cannot be read as columns: " + unfit);
            }
            return new EventColumns(source.schema(), capacity);
        }

        /**
         * Decodes the next event, opening the next file when one ends.
         *
         * @return whether there is one.
         */
        boolean advance()
        {
            event.wrapForWrite(own, 0);
            return read();
        }

        /**
         * Decodes the next event in place, at {@code offset} of {@code buffer} (the next slot of a batch)
         * rather than into the reader's own buffer; {@link #event()} then views it there.
         *
         * @param buffer to decode into, with room for an event of the topic's schema at the offset.
         * @param offset to decode at.
         * @return whether there is one.
         */
        boolean advanceInto(final MutableDirectBuffer buffer, final int offset)
        {
            event.wrapForWrite(buffer, offset);
            return read();
        }

        private boolean read()
        {
            if (memory != null)
            {
                hasEvent = memory.next(event);
                if (hasEvent)
                {
                    decoded();
                }
                return hasEvent;
            }
            while (true)
            {
                if (current != null && current.next(event))
                {
                    decoded();
                    hasEvent = true;
                    return true;
                }
                closeCurrent();
                if (nextFile == files.size())
                {
                    hasEvent = false;
                    return false;
                }
                current = EventFileSource.open(files.get(nextFile++), source.schema(), policy);
            }
        }

        private void decoded()
        {
            key = keyIsSymbol ? event.symbolHash(keyField) : event.longValue(keyField);
            timestamp = event.getLong(timeField);
            if (keyIsSymbol && symbolKeys != null && !symbolKeys.containsKey(key))
            {
                symbol.setLength(0);
                symbolKeys.put(key, event.getSymbol(keyField, symbol).toString());
            }
        }

        private void closeCurrent()
        {
            if (current != null)
            {
                final EventFileSource closing = current;
                current = null;
                closing.close();
                errors.addAll(closing.errors());
                counts.add(new BacktestSummary.Input(closing.file(), closing.lines(), closing.events(), closing.malformed()));
            }
        }

        boolean hasEvent()
        {
            return hasEvent;
        }

        /**
         * The input's columns when it is events from memory as columns, for a merge that reads them directly
         * ({@link ColumnarMerge}) instead of through {@link #advance()}.
         *
         * @return the columnar input, or null for files and events one at a time.
         */
        ColumnarEvents columnar()
        {
            return memory instanceof ColumnarEvents columnar ? columnar : null;
        }

        Schema schema()
        {
            return source.schema();
        }

        int keyField()
        {
            return keyField;
        }

        int timeField()
        {
            return timeField;
        }

        EventFlyweight event()
        {
            return event;
        }

        long key()
        {
            return key;
        }

        long timestamp()
        {
            return timestamp;
        }

        List<BacktestSummary.Input> counts()
        {
            return counts;
        }

        List<String> errors()
        {
            return errors;
        }

        @Override
        public void close()
        {
            hasEvent = false;
            closeCurrent();
        }
    }
}
