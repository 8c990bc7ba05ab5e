package io.sluice.ops.daemon;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.kafka.EventEncoder;
import io.sluice.kafka.KafkaTestSupport;
import io.sluice.kafka.ValueFormat;

/**
 * The Kafka process tests' scenario data: JSON trades in, the {@code vol} pipeline's results out of an
 * exactly-once Kafka sink, and the oracle: the replay of the same input by one engine (what
 * {@code sluice replay} runs), rendered as the sink renders. Results are compared as lines
 * {@code <sluice partition> <sequence> <JSON value>}.
 */
final class TradeVolumes
{
    /** Event time of each symbol's last trade: far in the future, it fires every earlier window. */
    static final long SENTINEL_TIME = 1_000_000_000L;

    private TradeVolumes()
    {
    }

    /**
     * Trades with event time increasing, then one sentinel trade per symbol.
     *
     * @param seed   of the random symbols, prices and quantities.
     * @param trades before the sentinels.
     * @return JSON lines, 40 symbols.
     */
    static List<String> input(final long seed, final int trades)
    {
        final List<String> lines = new ArrayList<>();
        final Random random = new Random(seed);
        for (int i = 0; i < trades; i++)
        {
            lines.add("{\"sym\":" + random.nextInt(40) + ",\"px\":" + (random.nextInt(10_000) / 100.0) + ",\"qty\":" +
                (1 + random.nextInt(9)) + ",\"ts\":" + (i * 5L + random.nextInt(100)) + "}");
        }
        for (int sym = 0; sym < 40; sym++)
        {
            lines.add("{\"sym\":" + sym + ",\"px\":1.0,\"qty\":1,\"ts\":" + SENTINEL_TIME + "}");
        }
        return lines;
    }

    /**
     * The replay of the input through the configuration's pipelines, without the windows only the end of
     * input fires (a live daemon never sees the end of a Kafka topic).
     *
     * @param dir        for the input file.
     * @param yaml       the daemon's configuration.
     * @param input      JSON lines.
     * @param partitions of the topics.
     * @return the result lines.
     * @throws Exception if the replay fails.
     */
    static List<String> expected(final Path dir, final String yaml, final List<String> input, final int partitions) throws Exception
    {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final EventEncoder encoder = new EventEncoder(ValueFormat.JSON);
        final EventSink sink = (partition, sequence, key, timestamp, event) ->
        {
            if (timestamp < SENTINEL_TIME - 10_000)
            {
                lines.add(partition + " " + sequence + " " + new String(encoder.encode(event), StandardCharsets.UTF_8));
            }
        };
        final List<Pipeline> pipelines = DaemonConfig.parse(yaml, "sluice.yaml", dir).pipelines().build(definition -> sink);
        final Path file = Files.createTempFile(dir, "input", ".jsonl");
        Files.write(file, input, StandardCharsets.UTF_8);
        Backtest.replay(pipelines, List.of(file), new BacktestOptions().partitions(partitions));
        return lines;
    }

    /**
     * The committed results of a Kafka sink topic, read {@code read_committed}: waits for at least
     * {@code expected}, then reads on to the end, so duplicates would show.
     *
     * @param bootstrap servers.
     * @param topic     the sink writes.
     * @param expected  results to wait for.
     * @return the result lines.
     */
    static List<String> committed(final String bootstrap, final String topic, final int expected)
    {
        return committed(bootstrap, Map.of(), topic, expected);
    }

    /**
     * As {@link #committed(String, String, int)}, with client settings (credentials of a secured broker).
     *
     * @param bootstrap servers.
     * @param client    settings.
     * @param topic     the sink writes.
     * @param expected  results to wait for.
     * @return the result lines.
     */
    static List<String> committed(final String bootstrap, final Map<String, String> client, final String topic, final int expected)
    {
        final List<String> lines = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(bootstrap, client, topic, expected, "read_committed"))
        {
            lines.add(KafkaTestSupport.outputLine(record));
        }
        return lines;
    }
}
