package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.errors.ErrorLogReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;

/**
 * Against a real Kafka broker with SASL/PLAIN on loopback and KRaft's StandardAuthorizer: a source
 * whose principal may not READ its topic, and a sink whose principal may not WRITE its topic, report a
 * clear error naming the topic and the operation, count it in the engine's error log, and never stop
 * the engine; the source resumes once READ is granted. A sink whose principal may not use its
 * transactional ids fails to open with a retriable error naming the id and the ACL to grant, and opens
 * once they are granted; its commit, refused without READ on the topic (which its bookkeeping offsets
 * need), is retried and succeeds once READ is granted, without a restart. A sink whose WRITE is revoked
 * while it runs reports and retries the refused transaction, keeps the outputs produced meanwhile, and
 * once WRITE is granted again a read_committed consumer sees every output exactly once, in order.
 */
class KafkaAuthorizationTest
{
    private static Path brokerDirectory;
    private static KafkaTestBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws IOException
    {
        brokerDirectory = Files.createTempDirectory("sluice-kafka-acl-");
        broker = KafkaTestBroker.startSecured(brokerDirectory);
    }

    @AfterAll
    static void stopBroker() throws IOException
    {
        if (broker != null)
        {
            broker.close();
        }
        try (var files = Files.walk(brokerDirectory))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    @Test
    void shouldNameTheTopicAndReadWhenTheSourceMayNotReadAndResumeOnceGranted() throws Exception
    {
        broker.createTopics(2, "acl-in");
        grant(ResourceType.TOPIC, "acl-in", AclOperation.DESCRIBE);
        grant(ResourceType.GROUP, "sluice.acl-in", AclOperation.READ);
        final List<String> lines = KafkaTestSupport.trades(3, 0, 200);
        KafkaTestSupport.produce(broker.bootstrap(), KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN), "acl-in", 2, lines);

        final KafkaTestSupport.TextSink outputs = new KafkaTestSupport.TextSink();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2),
            List.of(KafkaTestSupport.tumbling(outputs))))
        {
            final KafkaSource source = KafkaSource.start(engine, new KafkaSourceContext().bootstrapServers(broker.bootstrap())
                .topic("acl-in").groupId("sluice.acl-in").sluiceTopic("trades").format(ValueFormat.JSON)
                .initialBackoffMillis(100).maxBackoffMillis(500)
                .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.USER)));
            try
            {
                // The refusals are counted over the partitions' readers: one can be refused twice before the other
                // has connected (which clears the last error) and positioned itself (the source runs once every
                // reader has), so all three are waited for; each refused poll, retried, sets the error again.
                final String refused = "not authorized to READ Kafka topic 'acl-in' on " + broker.bootstrap();
                KafkaTestSupport.await("two refused polls, every reader positioned, the refusal the last error",
                    () -> source.authorizationFailures() >= 2 && source.state() == KafkaSource.State.RUNNING &&
                        source.lastError() != null && source.lastError().startsWith(refused));
                assertThat(source.records()).isZero();
                assertThat(errorLog(engine)).anyMatch(entry -> entry.contains("not authorized to READ Kafka topic 'acl-in'"));

                grant(ResourceType.TOPIC, "acl-in", AclOperation.READ);
                KafkaTestSupport.await("every record once READ is granted", () -> source.records() == lines.size());
                assertThat(source.state()).isEqualTo(KafkaSource.State.RUNNING);
            }
            finally
            {
                source.close();
            }
        }
    }

    /**
     * A scale-out group member whose principal may join the group and describe the topic but not READ it: its partition
     * readers' polls are refused, counted and retried with back-off, the member says which partition and topic, and
     * every record is read once READ is granted, without a restart.
     */
    @Test
    void shouldNameThePartitionWhenAScaleOutMemberMayNotReadAndResumeOnceGranted() throws Exception
    {
        broker.createTopics(2, "acl-member");
        grant(ResourceType.TOPIC, "acl-member", AclOperation.DESCRIBE);
        grant(ResourceType.GROUP, "sluice.acl-member", AclOperation.READ);
        final List<String> lines = KafkaTestSupport.trades(4, 0, 100);
        KafkaTestSupport.produce(broker.bootstrap(), KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN), "acl-member", 2, lines);
        try (KafkaGroupMember member = KafkaGroupMember.start(KafkaTestSupport.memberContext("acl-member", new KafkaSourceContext()
            .bootstrapServers(broker.bootstrap()).topic("acl-member").groupId("sluice.acl-member").sluiceTopic("trades")
            .format(ValueFormat.JSON).initialBackoffMillis(100).maxBackoffMillis(500)
            .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.USER)), 2, dir)))
        {
            KafkaTestSupport.await("two refused polls, said as the last error", () -> member.authorizationFailures() >= 2 &&
                member.lastError() != null && member.lastError().contains("not authorized to READ"));
            assertThat(member.lastError()).startsWith("scale-out job 'acl-member': not authorized to READ").contains("Kafka topic 'acl-member'")
                .contains("retrying in");
            assertThat(member.records()).isZero();
            assertThat(member.state()).isEqualTo(KafkaGroupMember.State.RUNNING);

            grant(ResourceType.TOPIC, "acl-member", AclOperation.READ);
            KafkaTestSupport.await("every record once READ is granted", () -> member.records() == lines.size());
            assertThat(member.state()).isEqualTo(KafkaGroupMember.State.RUNNING);
        }
    }

    @Test
    void shouldRetryASourceWhoseReadIsRevokedWhileItRunsAndResumeWithoutLossOrDuplicatesOnceGranted() throws Exception
    {
        broker.createTopics(2, "acl-revoked-in");
        grant(ResourceType.TOPIC, "acl-revoked-in", AclOperation.DESCRIBE);
        grant(ResourceType.TOPIC, "acl-revoked-in", AclOperation.READ);
        grant(ResourceType.GROUP, "sluice.acl-revoked-in", AclOperation.READ);
        final List<String> first = KafkaTestSupport.trades(7, 0, 100);
        final List<String> second = KafkaTestSupport.trades(8, 100, 100);
        final java.util.Map<String, String> admin = KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN);
        KafkaTestSupport.produce(broker.bootstrap(), admin, "acl-revoked-in", 2, first);

        final KafkaTestSupport.TextSink outputs = new KafkaTestSupport.TextSink();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2),
            List.of(KafkaTestSupport.tumbling(outputs))))
        {
            final KafkaSource source = KafkaSource.start(engine, new KafkaSourceContext().bootstrapServers(broker.bootstrap())
                .topic("acl-revoked-in").groupId("sluice.acl-revoked-in").sluiceTopic("trades").format(ValueFormat.JSON)
                .initialBackoffMillis(100).maxBackoffMillis(500)
                .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.USER)));
            try
            {
                KafkaTestSupport.await("the first records", () -> source.records() == first.size());
                broker.revoke(ResourceType.TOPIC, "acl-revoked-in", PatternType.LITERAL, AclOperation.READ);
                KafkaTestSupport.produce(broker.bootstrap(), admin, "acl-revoked-in", 2, second);
                KafkaTestSupport.await("refused polls, retried", () -> source.authorizationFailures() >= 2);
                assertThat(source.lastError()).startsWith("not authorized to READ Kafka topic 'acl-revoked-in' on " + broker.bootstrap());
                assertThat(source.state()).isEqualTo(KafkaSource.State.RUNNING);
                assertThat(errorLog(engine)).anyMatch(entry -> entry.contains("not authorized to READ Kafka topic 'acl-revoked-in'"));

                grant(ResourceType.TOPIC, "acl-revoked-in", AclOperation.READ);
                KafkaTestSupport.await("every record once READ is granted again", () -> source.records() >= first.size() + second.size());
                // records() counts what the source published; the processing threads journal it when they take it.
                assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
                final long journaled = engine.journal().topic("trades").partition(0).endOffset() +
                    engine.journal().topic("trades").partition(1).endOffset();
                assertThat(journaled).as("each record journaled once").isEqualTo(first.size() + second.size());
                assertThat(source.records()).isEqualTo(first.size() + second.size());
            }
            finally
            {
                source.close();
            }
        }
    }

    @Test
    void shouldNameTheTopicAndWriteWhenTheSinkMayNotWriteWithoutStoppingTheEngine() throws Exception
    {
        broker.createTopics(2, "acl-src", "acl-out");
        grant(ResourceType.TOPIC, "acl-out", AclOperation.DESCRIBE);
        grant(ResourceType.TRANSACTIONAL_ID, "sluice.acl.out-", AclOperation.WRITE, PatternType.PREFIXED);
        grant(ResourceType.TRANSACTIONAL_ID, "sluice.acl.out-", AclOperation.DESCRIBE, PatternType.PREFIXED);
        grant(ResourceType.GROUP, "sluice.acl.out", AclOperation.DESCRIBE);
        grant(ResourceType.GROUP, "sluice.acl.out", AclOperation.READ);
        // Windows of every account close: the last trades are far later than the others.
        final List<String> lines = new ArrayList<>(KafkaTestSupport.trades(5, 0, 200));
        for (int account = 0; account < 50; account++)
        {
            lines.add("{\"account\":" + account + ",\"amount\":1.0,\"qty\":1,\"ts\":100000000}");
        }
        KafkaTestSupport.produce(broker.bootstrap(), KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN), "acl-src", 2, lines);

        final KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic("acl-out")
            .transactionalIdPrefix("sluice.acl.out").partitions(2).timeoutMillis(20_000)
            .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.USER)));
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2)
            .checkpointIntervalMillis(200), List.of(KafkaTestSupport.tumbling(sink))))
        {
            engine.addCheckpointListener(sink);
            sink.refusalHandler(refusal -> engine.errorLog().record(refusal)); // as the daemon does
            final KafkaSource source = KafkaSource.start(engine, new KafkaSourceContext().bootstrapServers(broker.bootstrap())
                .topic("acl-src").groupId("sluice.acl-src").sluiceTopic("trades").format(ValueFormat.JSON)
                .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN)));
            try
            {
                KafkaTestSupport.await("the refused write in the error log", () ->
                    errorLog(engine).stream().anyMatch(entry -> entry.contains("not authorized to WRITE to (or READ) Kafka sink topic 'acl-out'")));
                KafkaTestSupport.await("every input record journaled", () -> source.records() == lines.size());
                assertThat(source.state()).as("the engine and its source run on").isEqualTo(KafkaSource.State.RUNNING);
            }
            finally
            {
                source.close();
            }
        }
        finally
        {
            try
            {
                sink.close();
            }
            catch (final RuntimeException ex)
            {
                // its transactions failed: closing still releases the producers
            }
        }
        try (Admin admin = broker.admin())
        {
            final var ends = admin.listOffsets(java.util.Map.of(
                new org.apache.kafka.common.TopicPartition("acl-out", 0), org.apache.kafka.clients.admin.OffsetSpec.latest(),
                new org.apache.kafka.common.TopicPartition("acl-out", 1), org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .all().get(60, TimeUnit.SECONDS);
            assertThat(ends.values()).as("nothing written to the topic").allMatch(info -> info.offset() == 0);
        }
    }

    @Test
    void shouldNameTheTransactionalIdAndRetryWhenTheSinkMayNotUseItAndCommitOnceGranted() throws Exception
    {
        broker.createTopics(2, "acl-txn-out");
        grant(ResourceType.TOPIC, "acl-txn-out", AclOperation.DESCRIBE);
        final KafkaSinkContext context = new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic("acl-txn-out")
            .transactionalIdPrefix("sluice.acl.txn").partitions(2).timeoutMillis(20_000)
            .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.USER));
        final KafkaConnectorException refused = org.junit.jupiter.api.Assertions.assertThrows(KafkaConnectorException.class,
            () -> KafkaSink.open(context.copy()));
        assertThat(refused.getMessage()).startsWith("not authorized to use transactional id 'sluice.acl.txn-0' of Kafka sink topic " +
            "'acl-txn-out' on " + broker.bootstrap());
        assertThat(refused.retriable()).as("an ACL may be granted meanwhile").isTrue();

        // Granted: the next attempt opens the sink. Its commits also need READ on the topic: the bookkeeping offsets are
        // the group's offsets of that topic.
        grant(ResourceType.TRANSACTIONAL_ID, "sluice.acl.txn-", AclOperation.WRITE, PatternType.PREFIXED);
        grant(ResourceType.TRANSACTIONAL_ID, "sluice.acl.txn-", AclOperation.DESCRIBE, PatternType.PREFIXED);
        grant(ResourceType.GROUP, "sluice.acl.txn", AclOperation.READ);
        grant(ResourceType.GROUP, "sluice.acl.txn", AclOperation.DESCRIBE);
        grant(ResourceType.TOPIC, "acl-txn-out", AclOperation.WRITE);
        final List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KafkaSink sink = KafkaSink.open(context.copy()))
        {
            sink.refusalHandler(refusal -> refusals.add(refusal.getMessage()));
            sendAndComplete(sink, 0, 1);
            KafkaTestSupport.await("the refused commit", () -> sink.refusals(0) > 0);
            assertThat(sink.lastRefusal(0)).startsWith("not authorized to WRITE to (or READ) Kafka sink topic 'acl-txn-out'")
                .contains("grant WRITE and READ on the topic");
            assertThat(refusals).anyMatch(message -> message.startsWith("not authorized to WRITE to (or READ) Kafka sink topic " +
                "'acl-txn-out'") && message.contains("tries again"));
            assertThat(sink.failure(0)).as("a refusal is retried, not fatal").isNull();

            // Granted while the sink runs: the same sink commits, no restart.
            grant(ResourceType.TOPIC, "acl-txn-out", AclOperation.READ);
            KafkaTestSupport.await("the commit once READ is granted", () -> sink.committedNext(0) == 10 || sink.failure(0) != null);
            assertThat(sink.failure(0)).isNull();
            assertThat(sink.retrying(0)).isFalse();
        }
        assertThat(sequences("acl-txn-out", 10)).as("every output once").isEqualTo(range(0, 10));
    }

    @Test
    void shouldRetryASinkWhoseWriteIsRevokedWhileItRunsAndCommitEveryOutputExactlyOnceOnceGrantedAgain() throws Exception
    {
        broker.createTopics(2, "acl-revoked-out");
        grant(ResourceType.TOPIC, "acl-revoked-out", AclOperation.DESCRIBE);
        grant(ResourceType.TOPIC, "acl-revoked-out", AclOperation.WRITE);
        grant(ResourceType.TOPIC, "acl-revoked-out", AclOperation.READ);
        grant(ResourceType.TRANSACTIONAL_ID, "sluice.acl.revoked-", AclOperation.WRITE, PatternType.PREFIXED);
        grant(ResourceType.TRANSACTIONAL_ID, "sluice.acl.revoked-", AclOperation.DESCRIBE, PatternType.PREFIXED);
        grant(ResourceType.GROUP, "sluice.acl.revoked", AclOperation.READ);
        grant(ResourceType.GROUP, "sluice.acl.revoked", AclOperation.DESCRIBE);
        final List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic("acl-revoked-out")
            .transactionalIdPrefix("sluice.acl.revoked").partitions(2).timeoutMillis(20_000)
            .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.USER))))
        {
            sink.refusalHandler(refusal -> refusals.add(refusal.getMessage()));
            sendAndComplete(sink, 0, 1);
            KafkaTestSupport.await("the first commit", () -> sink.committedNext(0) == 10 || sink.failure(0) != null);
            assertThat(sink.failure(0)).isNull();

            broker.revoke(ResourceType.TOPIC, "acl-revoked-out", PatternType.LITERAL, AclOperation.WRITE);
            sendAndComplete(sink, 10, 2);
            KafkaTestSupport.await("the refused write, retried", () -> sink.refusals(0) >= 2 || sink.failure(0) != null);
            assertThat(sink.failure(0)).as("a revoked ACL is retried, not fatal").isNull();
            assertThat(sink.lastRefusal(0)).startsWith("not authorized to WRITE to (or READ) Kafka sink topic 'acl-revoked-out'")
                .contains("grant WRITE and READ on the topic");
            assertThat(refusals).allMatch(message -> message.contains("tries again"));
            assertThat(sink.committedNext(0)).as("nothing committed while refused").isEqualTo(10);
            // Outputs produced while refused are kept and go into the retried transaction.
            sendAndComplete(sink, 20, 3);

            grant(ResourceType.TOPIC, "acl-revoked-out", AclOperation.WRITE);
            KafkaTestSupport.await("the retried commit once WRITE is granted again",
                () -> sink.committedNext(0) == 30 || sink.failure(0) != null);
            assertThat(sink.failure(0)).isNull();
            assertThat(sink.retrying(0)).isFalse();
        }
        assertThat(sequences("acl-revoked-out", 30)).as("every output exactly once, in order").isEqualTo(range(0, 30));
    }

    @Test
    void shouldFailTheNextBarrierOfAnAtLeastOnceSinkWhoseSendWasRefusedSoNoCheckpointCoversALostOutput()
    {
        broker.createTopics(2, "acl-alo-out");
        grant(ResourceType.TOPIC, "acl-alo-out", AclOperation.DESCRIBE);
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic("acl-alo-out")
            .transactionalIdPrefix("sluice.acl.alo").partitions(2).timeoutMillis(20_000).mode(SinkMode.AT_LEAST_ONCE)
            .clientProperties(KafkaTestBroker.clientProperties(KafkaTestBroker.USER))))
        {
            final io.sluice.schema.EventFlyweight event = new io.sluice.schema.EventFlyweight(KafkaTestSupport.TRADE)
                .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
            KafkaConnectorException refused;
            try
            {
                sink.onEvent(0, 0, 1, 1, event);
                refused = org.junit.jupiter.api.Assertions.assertThrows(KafkaConnectorException.class, () -> sink.onCheckpoint(0, 1));
            }
            catch (final KafkaConnectorException atSend)
            {
                // The producer's refused initialisation reached it before the send (which then throws, without a
                // callback): the barrier after the lost output must fail all the same.
                refused = atSend;
                final KafkaConnectorException atBarrier = org.junit.jupiter.api.Assertions.assertThrows(KafkaConnectorException.class,
                    () -> sink.onCheckpoint(0, 1));
                assertThat(atBarrier.getMessage()).startsWith("not authorized to").endsWith("(send)");
            }
            // Without WRITE on any topic the idempotent producer is refused first at the cluster (IDEMPOTENT_WRITE).
            assertThat(refused.getMessage()).startsWith("not authorized to").contains("'acl-alo-out'").endsWith("(send)");
            sink.onCheckpoint(1, 1); // a partition that sent nothing passes its barrier
        }
    }

    /** The sequences a read_committed consumer sees in Kafka partition 0, in log order. */
    private static List<Long> sequences(final String topic, final int expected)
    {
        final List<Long> sequences = new ArrayList<>();
        for (final org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record :
            KafkaTestSupport.readAll(broker.bootstrap(), KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN), topic, expected,
                "read_committed"))
        {
            assertThat(record.partition()).isZero();
            sequences.add(OutputHeaderDescriptor.sequence(record.headers()));
        }
        return sequences;
    }

    private static List<Long> range(final long from, final long to)
    {
        return java.util.stream.LongStream.range(from, to).boxed().toList();
    }

    /** Ten outputs of partition 0, then checkpoint {@code checkpoint} on both partitions, completed. */
    private static void sendAndComplete(final KafkaSink sink, final long from, final long checkpoint)
    {
        final io.sluice.schema.EventFlyweight event = new io.sluice.schema.EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
        for (long sequence = from; sequence < from + 10; sequence++)
        {
            sink.onEvent(0, sequence, 1, 1, event);
        }
        sink.onCheckpoint(0, checkpoint);
        sink.onCheckpoint(1, checkpoint);
        sink.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(checkpoint, 0, List.of()));
    }

    private static void grant(final ResourceType type, final String name, final AclOperation operation)
    {
        grant(type, name, operation, PatternType.LITERAL);
    }

    private static void grant(final ResourceType type, final String name, final AclOperation operation, final PatternType pattern)
    {
        broker.allow(type, name, pattern, operation);
    }

    private static List<String> errorLog(final Engine engine)
    {
        final List<String> entries = new ArrayList<>();
        ErrorLogReader.read(engine.context().errorLogBuffer(), (count, first, last, text) -> entries.add(count + " " + text));
        return entries;
    }
}
