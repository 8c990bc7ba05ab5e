package io.sluice.peers;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.sluice.kafka.KafkaSink;
import io.sluice.kafka.KafkaTestBroker;
import io.sluice.kafka.OutputHeaderDescriptor;
import io.sluice.perf.Machine;

/**
 * What the output header layout costs a Kafka sink's partition thread per send: an idempotent producer as the sink's
 * ({@link KafkaSink#BATCH_BYTES} batches, linger 5 ms, acks=all) into an in-process broker, records built as the sink
 * builds them (a decimal key, a 40-byte value, the headers from a per-partition template the record copies), with
 * <ul>
 *   <li>{@code one}: the {@value OutputHeaderDescriptor#KEY} header ({@link OutputHeaderDescriptor}, 12 bytes);</li>
 *   <li>{@code legacy}: the two decimal headers {@value OutputHeaderDescriptor#LEGACY_PARTITION_KEY} and
 *       {@value OutputHeaderDescriptor#LEGACY_SEQUENCE_KEY}, as the sink wrote them before;</li>
 *   <li>{@code none}: no header (the floor).</li>
 * </ul>
 * The sending thread's CPU time and allocated bytes over {@code sends} sends (the flush after them not counted), the
 * layouts' order rotating each round; a thread's own CPU time and allocation do not depend on the machine's load the
 * way a rate does. Prints each round and the medians.
 * <pre>{@code
 *   java @perf-peers/target/classes/peers-jvm.options -Xms1g -Xmx1g -cp 'perf-peers/target/lib/*:perf-peers/target/classes' \
 *       io.sluice.peers.KafkaSendCostMain [sends=500000] [rounds=8]
 * }</pre>
 */
public final class KafkaSendCostMain
{
    private static final String TOPIC = "send-cost";
    private static final int PARTITION = 1;
    private static final int KEYS = 10_000;

    private KafkaSendCostMain()
    {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code name=value}: sends, rounds.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = new LinkedHashMap<>(Map.of("sends", "500000", "rounds", "8"));
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0 || !a.containsKey(arg.substring(0, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + a.keySet());
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final int sends = Integer.parseInt(a.get("sends"));
        final int rounds = Integer.parseInt(a.get("rounds"));
        System.out.println("KafkaSendCostMain " + a + "; load average " + Machine.loadAverage());
        final Path directory = Files.createTempDirectory("sluice-send-cost-");
        final List<String> layouts = List.of("one", "legacy", "none");
        final Map<String, double[]> cpu = new LinkedHashMap<>();
        final Map<String, double[]> allocated = new LinkedHashMap<>();
        try (KafkaTestBroker broker = KafkaTestBroker.start(directory);
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(broker.bootstrap())))
        {
            broker.createTopics(PARTITION + 1, TOPIC);
            producer.partitionsFor(TOPIC);
            send(producer, "one", sends / 4, 0); // warm-up: every layout's code compiled before the first round
            send(producer, "legacy", sends / 4, 0);
            send(producer, "none", sends / 4, 0);
            long sequence = 0;
            for (int round = 0; round < rounds; round++)
            {
                final StringBuilder line = new StringBuilder("round " + (round + 1) + " (load " + Machine.loadAverage() + "):");
                for (int i = 0; i < layouts.size(); i++)
                {
                    final String layout = layouts.get((i + round) % layouts.size());
                    final long[] cost = send(producer, layout, sends, sequence);
                    sequence += sends;
                    cpu.computeIfAbsent(layout, k -> new double[rounds])[round] = (double)cost[0] / sends;
                    allocated.computeIfAbsent(layout, k -> new double[rounds])[round] = (double)cost[1] / sends;
                    line.append(String.format("  %s %.0f ns %.0f B", layout, (double)cost[0] / sends, (double)cost[1] / sends));
                }
                System.out.println(line);
            }
        }
        finally
        {
            SluicePeer.deleteRecursively(directory);
        }
        for (final String layout : layouts)
        {
            System.out.printf("%-6s median %.0f ns of the sending thread's CPU per send (rounds %s), %.0f bytes allocated per send%n", layout,
                median(cpu.get(layout)), Arrays.toString(Arrays.stream(cpu.get(layout)).mapToLong(Math::round).toArray()),
                median(allocated.get(layout)));
        }
        System.out.println("load average after " + Machine.loadAverage());
    }

    /** Sends {@code sends} records of a layout, then flushes; returns {CPU ns, allocated bytes} of the sends alone. */
    private static long[] send(final KafkaProducer<byte[], byte[]> producer, final String layout, final int sends, final long firstSequence)
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final RecordHeaders template = template(layout);
        final byte[] value = new byte[40];
        final long cpuBefore = threads.getCurrentThreadCpuTime();
        final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < sends; i++)
        {
            final long sequence = firstSequence + i;
            final byte[] key = Long.toString(sequence % KEYS).getBytes(StandardCharsets.US_ASCII);
            producer.send(new ProducerRecord<>(TOPIC, PARTITION, sequence, key, value.clone(), headers(template, layout, sequence)));
        }
        final long[] cost = {threads.getCurrentThreadCpuTime() - cpuBefore, threads.getCurrentThreadAllocatedBytes() - allocatedBefore};
        producer.flush();
        return cost;
    }

    private static RecordHeaders template(final String layout)
    {
        final RecordHeaders template = new RecordHeaders();
        if (layout.equals("legacy"))
        {
            template.add(new RecordHeader(OutputHeaderDescriptor.LEGACY_PARTITION_KEY, decimal(PARTITION)));
            template.add(OutputHeaderDescriptor.LEGACY_SEQUENCE_KEY, decimal(0));
        }
        else if (layout.equals("one"))
        {
            template.add(OutputHeaderDescriptor.KEY, OutputHeaderDescriptor.encode(PARTITION, 0));
        }
        return template;
    }

    /** The record's headers as the sink builds them: the template with the output's sequence, copied by the record. */
    private static Iterable<Header> headers(final RecordHeaders template, final String layout, final long sequence)
    {
        if (layout.equals("legacy"))
        {
            template.remove(OutputHeaderDescriptor.LEGACY_SEQUENCE_KEY);
            template.add(new RecordHeader(OutputHeaderDescriptor.LEGACY_SEQUENCE_KEY, decimal(sequence)));
        }
        else if (layout.equals("one"))
        {
            template.remove(OutputHeaderDescriptor.KEY);
            template.add(new RecordHeader(OutputHeaderDescriptor.KEY, OutputHeaderDescriptor.encode(PARTITION, sequence)));
        }
        return layout.equals("none") ? null : template;
    }

    /** A non-negative value's decimal digits written straight into the array, as the sink's AsciiDecimal did: one allocation. */
    private static byte[] decimal(final long value)
    {
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10)
        {
            digits++;
        }
        final byte[] text = new byte[digits];
        long rest = value;
        for (int i = digits - 1; i >= 0; i--, rest /= 10)
        {
            text[i] = (byte)('0' + rest % 10);
        }
        return text;
    }

    private static Properties producerProperties(final String bootstrap)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(KafkaSink.BATCH_BYTES));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
