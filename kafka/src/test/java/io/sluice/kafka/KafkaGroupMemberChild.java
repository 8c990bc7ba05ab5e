package io.sluice.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.sluice.engine.runtime.EngineContext;

/**
 * One daemon of a scale-out job, for the rebalance tests: joins the job's consumer group on the input
 * topic, runs the partitions it is given (tumbling count and sum, exactly-once Kafka sink), and prints
 * {@code STATUS owned=[..] records=n shared=k} (k: owned partitions with a shared checkpoint) whenever that changes and {@code EVENT ...} for every partition
 * move. When the file {@code <ends>} appears (lines {@code partition=nextOffset}) the input ends there;
 * when {@code <ends>.stop} appears it leaves the group (handing its partitions over) and prints DONE.
 *
 * <p>Arguments: bootstrap, input topic, output topic, shared store root, work directory, ends file,
 * checkpoint interval in milliseconds.
 */
public final class KafkaGroupMemberChild
{
    static final String JOB = "scaleout";

    private KafkaGroupMemberChild()
    {
    }

    /**
     * Runs the child.
     *
     * @param args see the class comment.
     * @throws Exception on failure (the test sees a non-zero exit).
     */
    public static void main(final String[] args) throws Exception
    {
        final String bootstrap = args[0];
        final String input = args[1];
        final String output = args[2];
        final Path store = Path.of(args[3]);
        final Path work = Path.of(args[4]);
        final Path ends = Path.of(args[5]);
        final long checkpointMs = Long.parseLong(args[6]);
        final KafkaGroupMember member = KafkaGroupMember.start(new KafkaGroupMemberContext()
            .job(JOB)
            .source(new KafkaSourceContext().bootstrapServers(bootstrap).topic(input).groupId("sluice." + JOB)
                .sluiceTopic("trades").format(ValueFormat.JSON))
            .checkpointStore(new DirectoryCheckpointStore(store, JOB, 5))
            .workDirectory(work)
            .sessionTimeoutMillis(6_000)
            .engine(() -> new EngineContext().ringSize(1024).journalSegmentLength(1024 * 1024)
                .checkpointIntervalMillis(checkpointMs).checkpointsRetained(5))
            .sink("out", new KafkaSinkContext().bootstrapServers(bootstrap).topic(output)
                .transactionalIdPrefix("sluice." + JOB + "." + output).mode(SinkMode.EXACTLY_ONCE).format(ValueFormat.JSON)
                .timeoutMillis(120_000))
            .pipelines(sinks -> List.of(KafkaTestSupport.tumbling(sinks.get("out")))));
        System.out.println("READY");
        String status = "";
        int eventsShown = 0;
        boolean endsRead = false;
        String lastDetail = "";
        long detailShown = 0;
        final Path stop = ends.resolveSibling(ends.getFileName() + ".stop");
        while (!Files.exists(stop))
        {
            if (member.state() == KafkaGroupMember.State.FAILED)
            {
                throw new IllegalStateException(member.lastError());
            }
            if (!endsRead && Files.exists(ends))
            {
                final Map<Integer, Long> offsets = new HashMap<>();
                for (final String line : Files.readAllLines(ends))
                {
                    final String[] kv = line.split("=");
                    offsets.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
                }
                member.endInputAt(offsets);
                endsRead = true;
            }
            final List<String> events = member.events();
            for (int i = eventsShown; i < events.size(); i++)
            {
                System.out.println("EVENT " + events.get(i));
            }
            eventsShown = events.size();
            final String now = "STATUS owned=" + member.ownedPartitions() + " records=" + member.records() + " shared=" +
                member.partitionStatus().stream().filter(p -> p.sharedCheckpoint() >= 0).count();
            final String detail = "DETAIL " + member.partitionStatus() + " error=" + member.lastError();
            if (!detail.equals(lastDetail) && System.nanoTime() - detailShown > 1_000_000_000L)
            {
                System.out.println(detail);
                lastDetail = detail;
                detailShown = System.nanoTime();
            }
            if (!now.equals(status))
            {
                System.out.println(now);
                status = now;
            }
            System.out.flush();
            Thread.sleep(50);
        }
        member.close();
        System.out.println("DONE " + member.lastError());
        System.out.flush();
        System.exit(0);
    }
}
