/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Randomised test of consumer groups on a real journal against a simple in-memory model: members join, leave,
 * crash (stop for good) and pause (stop for longer than their session, then come back), records are appended,
 * polled and committed, and time moves, across two groups on one topic. Checked on every delivery and at the end:
 * <ul>
 *     <li>the deliverer owns the partition (no two members of a group hold a partition at once);</li>
 *     <li>no record below the group's committed offset is delivered again;</li>
 *     <li>no record is skipped: a delivery is never past the highest delivered offset + 1, and in the end every
 *     record was delivered to each group (fan-out);</li>
 *     <li>a record is delivered again only if the member that last had it crashed or paused (was evicted);
 *     otherwise each group sees each record exactly once;</li>
 *     <li>committed offsets never go backwards, and once settled the assignment is the range assignment over the
 *     sorted live members.</li>
 * </ul>
 * Seeded: the seed is printed; rerun one with {@code -Dsluice.test.seed=<seed>}, or run more with
 * {@code -Dsluice.test.runs=<n>} (default 16).
 */
class ConsumerGroupModelTest
{
    private static final int RUNS = Integer.getInteger("sluice.test.runs", 16);
    private static final int STEPS = 400;
    private static final int GROUPS = 2;
    private static final long SESSION_MS = 800;
    private static final int MAX_MEMBERS = 5;

    @TempDir
    Path dir;

    @Test
    void shouldNeverSkipOrDoubleDeliverUnderRandomMembershipChurn()
    {
        final String property = System.getProperty("sluice.test.seed");
        if (null != property)
        {
            final long seed = Long.parseLong(property);
            System.out.println("ConsumerGroupModelTest seed=" + seed);
            runWithSeed(seed, dir.resolve("single"));
            return;
        }

        final long baseSeed = System.nanoTime();
        System.out.println("ConsumerGroupModelTest baseSeed=" + baseSeed);
        final Random seeds = new Random(baseSeed);
        for (int run = 0; run < RUNS; run++)
        {
            runWithSeed(seeds.nextLong(), dir.resolve("run" + run));
        }
    }

    private static void runWithSeed(final long seed, final Path directory)
    {
        try
        {
            new Simulation(seed, directory).run();
        }
        catch (final Throwable ex)
        {
            System.out.println("ConsumerGroupModelTest FAILED seed=" + seed);
            throw new AssertionError("failed with seed " + seed + "; rerun with -Dsluice.test.seed=" + seed, ex);
        }
    }

    /** One member as the test drives it. */
    private static final class SimMember
    {
        final String id;
        final GroupConsumer consumer;
        final GroupSim group;
        final RecordHandler handler;
        long lastPollMs;
        long pausedAtMs = -1;

        SimMember(final GroupSim group, final String id, final long nowMs)
        {
            this.id = id;
            this.group = group;
            this.handler = record -> group.onDelivery(this, record);
            this.consumer = group.coordinator.newConsumer(group.name, id, SESSION_MS);
            this.lastPollMs = nowMs;
        }

        boolean paused()
        {
            return pausedAtMs >= 0;
        }
    }

    /** One group, its members and the model of what it has been delivered. */
    private static final class GroupSim
    {
        final String name;
        final GroupCoordinator coordinator;
        final ConsumerGroup group;
        final Topic topic;
        final Map<String, SimMember> active = new LinkedHashMap<>();
        final Set<String> tainted = new HashSet<>();
        final Set<String> crashed = new HashSet<>();
        final long[] maxDelivered;
        final long[] committedSeen;
        final List<List<String>> lastDeliverer = new ArrayList<>();
        long deliveries;
        int nextMemberNumber;

        GroupSim(final String name, final GroupCoordinator coordinator, final Topic topic)
        {
            this.name = name;
            this.coordinator = coordinator;
            this.group = coordinator.group(name);
            this.topic = topic;
            final int partitions = topic.partitionCount();
            maxDelivered = new long[partitions];
            committedSeen = new long[partitions];
            for (int p = 0; p < partitions; p++)
            {
                maxDelivered[p] = -1;
                committedSeen[p] = NULL_OFFSET;
                lastDeliverer.add(new ArrayList<>());
            }
        }

        void onDelivery(final SimMember member, final RecordView record)
        {
            final int p = record.buffer().getInt(record.payloadOffset());
            final long offset = record.offset();
            assertThat(record.buffer().getLong(record.payloadOffset() + 4)).as("payload").isEqualTo(offset);
            assertThat(member.paused()).as("paused member delivered").isFalse();

            final String owner = group.ownerOf(p);
            if (!member.id.equals(owner))
            {
                fail("%s: %s delivered p%d@%d but the owner is %s; %s", name, member.id, p, offset, owner, group);
            }

            final long committed = group.committedOffset(p);
            if (committed != NULL_OFFSET && offset < committed)
            {
                fail("%s: %s re-delivered p%d@%d below committed %d", name, member.id, p, offset, committed);
            }
            if (offset > maxDelivered[p] + 1)
            {
                fail("%s: %s skipped to p%d@%d past highest delivered %d", name, member.id, p, offset, maxDelivered[p]);
            }

            final List<String> deliverers = lastDeliverer.get(p);
            if (offset <= maxDelivered[p])
            {
                final String previous = deliverers.get((int)offset);
                if (!tainted.contains(previous))
                {
                    fail("%s: %s re-delivered p%d@%d last delivered by %s which was never evicted",
                        name, member.id, p, offset, previous);
                }
                deliverers.set((int)offset, member.id);
            }
            else
            {
                deliverers.add(member.id);
                maxDelivered[p] = offset;
            }
            deliveries++;
        }

        void checkCommittedMonotonic()
        {
            for (int p = 0; p < committedSeen.length; p++)
            {
                final long committed = group.committedOffset(p);
                assertThat(committed).as("%s committed p%d went backwards", name, p).isGreaterThanOrEqualTo(committedSeen[p]);
                assertThat(committed).as("%s committed p%d beyond delivered", name, p).isLessThanOrEqualTo(maxDelivered[p] + 1);
                committedSeen[p] = committed;
            }
        }
    }

    private static final class Simulation
    {
        final Random random;
        final Path directory;
        final CachedEpochClock clock = new CachedEpochClock();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[16]);
        final List<GroupSim> groups = new ArrayList<>();
        final StringBuilder trace = new StringBuilder();
        Journal journal;
        Topic topic;
        GroupCoordinator coordinator;

        Simulation(final long seed, final Path directory)
        {
            this.random = new Random(seed);
            this.directory = directory;
        }

        void run()
        {
            clock.update(1_000_000);
            journal = Journal.open(JournalTestSupport.smallContext(directory));
            try
            {
                topic = journal.createTopic("t", 1 + random.nextInt(6));
                coordinator = new GroupCoordinator(topic, clock);
                for (int g = 0; g < GROUPS; g++)
                {
                    groups.add(new GroupSim("g" + g, coordinator, topic));
                }

                for (int step = 0; step < STEPS; step++)
                {
                    step();
                    keepAlive();
                    for (final GroupSim group : groups)
                    {
                        group.checkCommittedMonotonic();
                    }
                }
                finish();
            }
            catch (final Throwable ex)
            {
                throw new AssertionError("trace (last steps): " + tail(trace), ex);
            }
            finally
            {
                coordinator.close();
                journal.close();
            }
        }

        private void step()
        {
            final GroupSim group = groups.get(random.nextInt(groups.size()));
            final int dice = random.nextInt(100);
            if (dice < 25)
            {
                append();
            }
            else if (dice < 33)
            {
                join(group);
            }
            else if (dice < 37)
            {
                final SimMember member = pickActive(group);
                if (null != member)
                {
                    log("close " + group.name + "/" + member.id);
                    member.consumer.close();
                    group.active.remove(member.id);
                }
            }
            else if (dice < 39)
            {
                final SimMember member = pickActive(group);
                if (null != member)
                {
                    log("crash " + group.name + "/" + member.id);
                    group.active.remove(member.id);
                    group.tainted.add(member.id);
                    group.crashed.add(member.id);
                }
            }
            else if (dice < 42)
            {
                final SimMember member = pickActive(group);
                if (null != member)
                {
                    log("pause " + group.name + "/" + member.id);
                    member.pausedAtMs = clock.time();
                    group.tainted.add(member.id);
                }
            }
            else if (dice < 47)
            {
                resumeOnePaused(group);
            }
            else if (dice < 77)
            {
                final SimMember member = pickActive(group);
                if (null != member)
                {
                    poll(member, 1 + random.nextInt(20));
                }
            }
            else if (dice < 85)
            {
                final SimMember member = pickActive(group);
                if (null != member)
                {
                    log("commit " + group.name + "/" + member.id);
                    member.consumer.commit();
                }
            }
            else if (dice < 97)
            {
                final long advance = 1 + random.nextInt((int)(SESSION_MS / 8));
                log("tick " + advance);
                clock.advance(advance);
                if (random.nextBoolean())
                {
                    coordinator.doWork();
                }
            }
            else
            {
                settleAndCheckAssignment(group);
            }
        }

        private void append()
        {
            final int partition = random.nextInt(topic.partitionCount());
            final int count = 1 + random.nextInt(10);
            log("append p" + partition + " x" + count);
            appendTo(partition, count);
        }

        private void appendTo(final int partition, final int count)
        {
            final Partition p = topic.partition(partition);
            for (int i = 0; i < count; i++)
            {
                final long offset = p.endOffset();
                scratch.putInt(0, partition);
                scratch.putLong(4, offset);
                p.writer().append(1, 0, clock.time(), offset, scratch, 0, 12);
            }
        }

        private void join(final GroupSim group)
        {
            if (group.active.size() < MAX_MEMBERS)
            {
                final String id = "m" + group.nextMemberNumber++;
                log("join " + group.name + "/" + id);
                group.active.put(id, new SimMember(group, id, clock.time()));
            }
        }

        private SimMember pickActive(final GroupSim group)
        {
            final List<SimMember> candidates = new ArrayList<>();
            for (final SimMember member : group.active.values())
            {
                if (!member.paused())
                {
                    candidates.add(member);
                }
            }
            return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
        }

        private void resumeOnePaused(final GroupSim group)
        {
            for (final SimMember member : group.active.values())
            {
                if (member.paused() && clock.time() - member.pausedAtMs > SESSION_MS)
                {
                    log("resume " + group.name + "/" + member.id);
                    member.pausedAtMs = -1;
                    poll(member, random.nextInt(5));
                    assertThat(group.group.memberIds()).contains(member.id);
                    return;
                }
            }
        }

        private void poll(final SimMember member, final int limit)
        {
            log("poll " + member.group.name + "/" + member.id + " " + limit);
            member.consumer.poll(member.handler, limit);
            member.lastPollMs = clock.time();
        }

        /** Live members poll often enough to heartbeat well within their session, as a healthy consumer would. */
        private void keepAlive()
        {
            for (final GroupSim group : groups)
            {
                for (final SimMember member : group.active.values())
                {
                    if (!member.paused() && clock.time() - member.lastPollMs >= SESSION_MS / 4)
                    {
                        poll(member, random.nextInt(4));
                    }
                }
            }
        }

        private void settleAndCheckAssignment(final GroupSim group)
        {
            log("settle " + group.name);
            for (int round = 0; round < 2; round++)
            {
                for (final SimMember member : group.active.values())
                {
                    if (!member.paused())
                    {
                        poll(member, 0);
                    }
                }
            }

            final List<String> live = group.group.memberIds();
            for (final String id : live)
            {
                final SimMember member = group.active.get(id);
                if (null == member || member.paused())
                {
                    return; // a crashed or paused member not yet evicted still holds its partitions
                }
            }

            final int partitions = topic.partitionCount();
            for (int p = 0; p < partitions; p++)
            {
                final String expected = live.isEmpty() ? null : live.get(rangeIndex(p, partitions, live.size()));
                assertThat(group.group.assigneeOf(p)).as("assignee of p%d", p).isEqualTo(expected);
                assertThat(group.group.ownerOf(p)).as("owner of p%d", p).isEqualTo(expected);
                for (final SimMember member : group.active.values())
                {
                    if (member.paused())
                    {
                        continue; // an evicted member's view is stale until it polls again and rejoins
                    }
                    assertThat(member.consumer.assignment().owns(p))
                        .as("%s view of p%d", member.id, p).isEqualTo(member.id.equals(expected));
                }
            }
        }

        private void finish()
        {
            log("finish");
            // Let crashed and paused members be evicted while the healthy ones keep polling.
            for (int i = 0; i < 20; i++)
            {
                clock.advance(SESSION_MS / 8);
                keepAlive();
                coordinator.doWork();
            }
            for (final GroupSim group : groups)
            {
                for (final SimMember member : group.active.values())
                {
                    if (member.paused())
                    {
                        log("resume " + group.name + "/" + member.id);
                        member.pausedAtMs = -1;
                        poll(member, 0);
                    }
                }
                if (group.active.isEmpty())
                {
                    join(group);
                }
                assertThat(group.group.memberIds()).containsExactlyInAnyOrderElementsOf(group.active.keySet());
            }

            for (final GroupSim group : groups)
            {
                drain(group);
                for (final SimMember member : group.active.values())
                {
                    member.consumer.commit();
                }
                checkComplete(group);
                settleAndCheckAssignment(group);
            }
        }

        private void drain(final GroupSim group)
        {
            int idleRounds = 0;
            while (idleRounds < 3)
            {
                int delivered = 0;
                for (final SimMember member : group.active.values())
                {
                    delivered += member.consumer.poll(member.handler, 64);
                }
                idleRounds = delivered == 0 ? idleRounds + 1 : 0;
            }
        }

        private void checkComplete(final GroupSim group)
        {
            long records = 0;
            for (int p = 0; p < topic.partitionCount(); p++)
            {
                final long end = topic.partition(p).endOffset();
                records += end;
                assertThat(group.maxDelivered[p]).as("%s highest delivered in p%d", group.name, p).isEqualTo(end - 1);
                assertThat(group.lastDeliverer.get(p)).as("%s deliveries of p%d", group.name, p).hasSize((int)end);
                if (end > 0)
                {
                    assertThat(group.group.committedOffset(p)).as("%s committed p%d", group.name, p).isEqualTo(end);
                }
                assertThat(coordinator.lag(group.name, p)).isZero();
            }
            if (group.tainted.isEmpty())
            {
                assertThat(group.deliveries).as("%s: exactly once without evictions", group.name).isEqualTo(records);
            }
            else
            {
                assertThat(group.deliveries).isGreaterThanOrEqualTo(records);
            }
        }

        private static int rangeIndex(final int partition, final int partitions, final int members)
        {
            final int per = partitions / members;
            final int extra = partitions % members;
            final int boundary = extra * (per + 1);
            return partition < boundary ? partition / (per + 1) : extra + (partition - boundary) / per;
        }

        private void log(final String line)
        {
            trace.append(clock.time()).append(' ').append(line).append('\n');
        }

        private static String tail(final StringBuilder trace)
        {
            final int from = Math.max(0, trace.length() - 3000);
            return "\n" + trace.substring(from);
        }
    }
}
