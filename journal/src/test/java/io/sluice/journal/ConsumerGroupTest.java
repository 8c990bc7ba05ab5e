/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsumerGroupTest
{
    private static final int PARTITIONS = 4;
    private static final long SESSION_MS = 1_000;

    @TempDir
    Path groupsDir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private ConsumerGroup group;

    @BeforeEach
    void open()
    {
        clock.update(1_000_000);
        group = new ConsumerGroup("g", groupsDir, PARTITIONS, clock);
    }

    @AfterEach
    void close()
    {
        group.close();
    }

    @Test
    void shouldAssignEveryPartitionToSoleMember()
    {
        final long generation = group.join("a", SESSION_MS);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));

        assertThat(a.generation()).isEqualTo(generation).isEqualTo(1);
        assertThat(a.ownedCount()).isEqualTo(PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++)
        {
            assertThat(a.acquired(p)).isTrue();
            assertThat(a.resumeOffset(p)).isEqualTo(NULL_OFFSET);
            assertThat(group.ownerOf(p)).isEqualTo("a");
        }
    }

    @Test
    void shouldHandOverOnlyAfterPreviousOwnerReleasesAtItsPosition()
    {
        group.join("a", SESSION_MS);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
        final long versionBeforeJoin = group.version();

        group.join("b", SESSION_MS);
        assertThat(group.version()).isGreaterThan(versionBeforeJoin);
        final MemberAssignment b = group.sync("b", null, new MemberAssignment(PARTITIONS));

        assertThat(b.ownedCount()).as("a still holds b's partitions until it syncs").isZero();
        assertThat(group.ownerOf(2)).isEqualTo("a");
        assertThat(group.assigneeOf(2)).isEqualTo("b");

        group.sync("a", new long[]{ 5, 6, 7, 8 }, a);
        assertThat(a.ownedCount()).isEqualTo(2);
        assertThat(a.owns(0)).isTrue();
        assertThat(a.acquired(0)).as("kept, not re-acquired").isFalse();
        assertThat(group.committedOffset(0)).as("kept partitions are not committed by a sync").isEqualTo(NULL_OFFSET);
        assertThat(group.committedOffset(2)).isEqualTo(7);
        assertThat(group.ownerOf(2)).isNull();

        group.sync("b", null, b);
        assertThat(b.ownedCount()).isEqualTo(2);
        assertThat(b.acquired(2)).isTrue();
        assertThat(b.resumeOffset(2)).isEqualTo(7);
        assertThat(b.resumeOffset(3)).isEqualTo(8);
        assertThat(group.ownerOf(3)).isEqualTo("b");
    }

    @Test
    void shouldEvictSilentMemberAndResumeFromCommittedOffset()
    {
        group.join("a", SESSION_MS);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
        group.join("b", SESSION_MS);
        group.sync("a", null, a);
        final MemberAssignment b = group.sync("b", null, new MemberAssignment(PARTITIONS));
        group.commit("b", b.generation(), 3, 42);

        clock.advance(SESSION_MS / 2);
        assertThat(group.heartbeat("a")).isTrue();
        clock.advance(SESSION_MS / 2 + 1);

        assertThat(group.evictExpired()).isEqualTo(1);
        assertThat(group.memberIds()).containsExactly("a");
        assertThat(group.heartbeat("b")).isFalse();

        group.sync("a", null, a);
        assertThat(a.ownedCount()).isEqualTo(PARTITIONS);
        assertThat(a.acquired(3)).isTrue();
        assertThat(a.resumeOffset(3)).isEqualTo(42);
        assertThat(a.resumeOffset(2)).isEqualTo(NULL_OFFSET);
    }

    @Test
    void shouldFenceCommitFromStaleGeneration()
    {
        group.join("a", SESSION_MS);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
        group.join("b", SESSION_MS);

        assertThatThrownBy(() -> group.commit("a", a.generation(), 0, 10))
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.FENCED))
            .hasMessageContaining("generation");
        assertThat(group.committedOffset(0)).isEqualTo(NULL_OFFSET);

        group.sync("a", null, a);
        group.commit("a", a.generation(), 0, 10);
        assertThat(group.committedOffset(0)).isEqualTo(10);
    }

    @Test
    void shouldFenceCommitForPartitionNotOwnedAllOrNothing()
    {
        group.join("a", SESSION_MS);
        group.join("b", SESSION_MS);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
        group.sync("b", null, new MemberAssignment(PARTITIONS));

        assertThatThrownBy(() -> group.commit("a", a.generation(), new long[]{ 1, 2, 3, NULL_OFFSET }))
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.FENCED))
            .hasMessageContaining("does not own partition 2");
        assertThat(group.committedOffset(0)).isEqualTo(NULL_OFFSET);

        group.commit("a", a.generation(), new long[]{ 1, 2, NULL_OFFSET, NULL_OFFSET });
        assertThat(group.committedOffset(1)).isEqualTo(2);
    }

    @Test
    void shouldRejectCommitFromEvictedMember()
    {
        group.join("a", SESSION_MS);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
        clock.advance(SESSION_MS + 1);

        assertThatThrownBy(() -> group.commit("a", a.generation(), 0, 1))
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.UNKNOWN_MEMBER));
        assertThatThrownBy(() -> group.sync("a", null, a))
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.UNKNOWN_MEMBER));
    }

    @Test
    void shouldCommitPositionsAndRebalanceOnLeave()
    {
        group.join("a", SESSION_MS);
        group.join("b", SESSION_MS);
        group.sync("a", null, new MemberAssignment(PARTITIONS));
        final MemberAssignment b = group.sync("b", null, new MemberAssignment(PARTITIONS));
        final long generation = group.generation();

        assertThat(group.leave("b", new long[]{ NULL_OFFSET, NULL_OFFSET, 20, 30 })).isTrue();
        assertThat(group.leave("b", null)).isFalse();

        assertThat(group.generation()).isEqualTo(generation + 1);
        assertThat(b.owns(2)).isTrue();
        assertThat(group.committedOffset(2)).isEqualTo(20);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
        assertThat(a.ownedCount()).isEqualTo(PARTITIONS);
        assertThat(a.resumeOffset(3)).isEqualTo(30);
    }

    @Test
    void shouldRejectDuplicateMemberAndBadArguments()
    {
        group.join("a", SESSION_MS);

        assertThatThrownBy(() -> group.join("a", SESSION_MS))
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.DUPLICATE_MEMBER));
        assertThatThrownBy(() -> group.join("", SESSION_MS)).isInstanceOf(GroupException.class);
        assertThatThrownBy(() -> group.join("c", 0)).isInstanceOf(GroupException.class);
        assertThatThrownBy(() -> group.committedOffset(PARTITIONS)).isInstanceOf(GroupException.class);
    }

    @Test
    void shouldSpreadPartitionsByRangeOverSortedMembers()
    {
        final ConsumerGroup wide = new ConsumerGroup("wide", groupsDir, 7, clock);
        wide.join("c", SESSION_MS);
        wide.join("a", SESSION_MS);
        wide.join("b", SESSION_MS);

        final String[] assignees = new String[7];
        for (int p = 0; p < 7; p++)
        {
            assignees[p] = wide.assigneeOf(p);
        }
        assertThat(Arrays.asList(assignees)).containsExactly("a", "a", "a", "b", "b", "c", "c");
        wide.close();
    }

    @Test
    void shouldKeepCommittedOffsetsAndGenerationAcrossReopen()
    {
        group.join("a", SESSION_MS);
        final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
        group.commit("a", a.generation(), new long[]{ 1, 2, 3, 4 });
        group.close();

        assertThatThrownBy(() -> group.join("z", SESSION_MS))
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.CLOSED));

        group = new ConsumerGroup("g", groupsDir, PARTITIONS, clock);
        assertThat(group.generation()).isEqualTo(a.generation());
        assertThat(group.committedOffset(3)).isEqualTo(4);
        assertThat(group.join("a", SESSION_MS)).isGreaterThan(a.generation());
        assertThat(group.sync("a", null, new MemberAssignment(PARTITIONS)).resumeOffset(0)).isEqualTo(1);
    }
}
