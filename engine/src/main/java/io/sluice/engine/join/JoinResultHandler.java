package io.sluice.engine.join;

import org.agrona.DirectBuffer;

/**
 * Receives the rows a join emits. Called on the operator's thread; the buffers are views into
 * operator state or the triggering event and are valid only during the call, so an implementation
 * copies what it needs (typically by writing one combined output event through flyweights wrapped
 * over {@code (left, leftOffset)} and {@code (right, rightOffset)}).
 * <p>
 * A side that is null-padded is flagged by {@link #LEFT_NULL} or {@link #RIGHT_NULL}; its buffer
 * then views a region of zero bytes of that side's record length, so a flyweight over it reads
 * zeros and never faults. A {@link #TOMBSTONE} (table joins) has both sides null and retracts the
 * key's previous joined row.
 * <p>
 * <b>Order.</b> Each operator documents its emission order; it is a function of the processed
 * sequence only, so a replay gives identical output.
 */
@FunctionalInterface
public interface JoinResultHandler
{
    /**
     * Side index of the left input.
     */
    int LEFT = 0;

    /**
     * Side index of the right input.
     */
    int RIGHT = 1;

    /**
     * Flags of a matched row: both sides present.
     */
    int MATCH = 0;

    /**
     * The left side is absent and null-padded.
     */
    int LEFT_NULL = 1;

    /**
     * The right side is absent and null-padded.
     */
    int RIGHT_NULL = 2;

    /**
     * The row deletes the key's joined row (table-table joins); both sides are null-padded.
     */
    int TOMBSTONE = 4 | LEFT_NULL | RIGHT_NULL;

    /**
     * Handle one joined row.
     *
     * @param key         of both sides.
     * @param timestamp   of the row (each operator documents how it is derived).
     * @param flags       {@link #MATCH}, or a combination of {@link #LEFT_NULL}, {@link #RIGHT_NULL}
     *                    and {@link #TOMBSTONE}.
     * @param left        buffer holding the left record, zeros if {@link #LEFT_NULL}.
     * @param leftOffset  of the left record in {@code left}.
     * @param right       buffer holding the right record, zeros if {@link #RIGHT_NULL}.
     * @param rightOffset of the right record in {@code right}.
     */
    void onJoin(
        long key, long timestamp, int flags, DirectBuffer left, int leftOffset, DirectBuffer right, int rightOffset);
}
