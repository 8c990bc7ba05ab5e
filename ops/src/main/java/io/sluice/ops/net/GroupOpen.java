package io.sluice.ops.net;

import io.sluice.journal.ConsumerGroup;
import io.sluice.journal.GroupCoordinator;
import io.sluice.journal.GroupException;

/**
 * One SUBSCRIBE's opening of a consumer group not yet open: its offsets file read, and the topic's {@code groups}
 * directory created and its parent forced when it is new. Asked for on the egress server's agent thread (which, with
 * {@code thread: processing}, is the processing thread, and which invokes the server's Aeron client's conductor), done
 * on the engine's disk duties thread by {@link CommitStoreAgent}, so that a slow disk delays only that member's join,
 * never the ACKs, records or sessions on the same thread. The session polls {@link #isDone()} in its duty cycle and
 * joins the group (in memory) once it is open.
 *
 * <p>Threading: created and read on the server's agent thread; {@link #run()} on the disk duties thread; the result is
 * published by the volatile {@code done}.
 */
final class GroupOpen
{
    private final GroupCoordinator coordinator;
    private final String groupName;
    /** Written before {@code done} on the disk duties thread, read after it on the agent thread. */
    private ConsumerGroup group;
    private GroupException failure;
    private volatile boolean done;

    /**
     * @param coordinator of the topic the group consumes.
     * @param groupName   the group's name, already validated.
     */
    GroupOpen(final GroupCoordinator coordinator, final String groupName)
    {
        this.coordinator = coordinator;
        this.groupName = groupName;
    }

    /** Opens the group (its file work); on the disk duties thread. */
    void run()
    {
        try
        {
            group = coordinator.group(groupName);
        }
        catch (final GroupException ex)
        {
            failure = ex;
        }
        catch (final RuntimeException ex)
        {
            failure = new GroupException(GroupException.Reason.IO_ERROR, "failed to open consumer group '" + groupName + "': " + ex,
                coordinator.groupsDirectory(), ex);
        }
        done = true; // volatile store: publishes the group or the failure to the agent thread
    }

    /**
     * Whether the open has completed, opened or failed.
     *
     * @return whether {@link #group()} or {@link #failure()} holds the outcome.
     */
    boolean isDone()
    {
        return done;
    }

    /**
     * The opened group, once done.
     *
     * @return the group, null if the open failed.
     */
    ConsumerGroup group()
    {
        return group;
    }

    /**
     * Why the open failed, once done.
     *
     * @return the failure, null if the group opened.
     */
    GroupException failure()
    {
        return failure;
    }

    /**
     * The group's name.
     *
     * @return the group's name.
     */
    String groupName()
    {
        return groupName;
    }
}
