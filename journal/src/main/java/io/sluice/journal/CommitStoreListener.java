/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

/**
 * Told of each store of a consumer group's staged commits by {@link GroupCoordinator#storeStagedCommits}: for the
 * counters and error log of the background writer that calls it.
 *
 * <p>Threading: called on the writer's thread.
 */
public interface CommitStoreListener
{
    /**
     * The group's staged commits are durable.
     *
     * @param group      whose offsets file was stored.
     * @param durationNs the store took (write, force, rename, directory force).
     */
    void onStored(ConsumerGroup group, long durationNs);

    /**
     * Storing the group's staged commits failed: they have failed (their members should be told).
     *
     * @param group      whose offsets file could not be stored.
     * @param failure    naming the group and the file, {@link GroupException.Reason#IO_ERROR}.
     * @param durationNs the attempt took.
     */
    void onStoreFailed(ConsumerGroup group, GroupException failure, long durationNs);
}
