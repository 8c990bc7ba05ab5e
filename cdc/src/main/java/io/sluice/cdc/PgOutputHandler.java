package io.sluice.cdc;

/**
 * Receives the decoded messages of a {@code pgoutput} stream, in stream order, on the source thread.
 * Tuples are views valid only during the call.
 */
interface PgOutputHandler
{
    /**
     * A transaction begins (message B).
     *
     * @param finalLsn         LSN of the transaction's commit record.
     * @param commitTimeMicros commit time, microseconds since 2000-01-01 UTC (PostgreSQL epoch).
     * @param xid              transaction id.
     */
    void onBegin(long finalLsn, long commitTimeMicros, int xid);

    /**
     * A table's description (message R), sent before its first change in a session and after any
     * change of its definition.
     *
     * @param relation the description.
     */
    void onRelation(PgRelation relation);

    /**
     * A row was inserted (message I).
     *
     * @param relationId the table's OID.
     * @param row        the new row.
     */
    void onInsert(int relationId, TupleView row);

    /**
     * A row was updated (message U).
     *
     * @param relationId the table's OID.
     * @param oldKind    'O' (old row, REPLICA IDENTITY FULL), 'K' (old key, when the key changed) or 0 (none).
     * @param before     the old row or key, null if none.
     * @param after      the new row.
     */
    void onUpdate(int relationId, byte oldKind, TupleView before, TupleView after);

    /**
     * A row was deleted (message D).
     *
     * @param relationId the table's OID.
     * @param oldKind    'O' (old row) or 'K' (old key).
     * @param before     the old row or key.
     */
    void onDelete(int relationId, byte oldKind, TupleView before);

    /**
     * Tables were truncated (message T).
     *
     * @param relationIds the tables' OIDs.
     */
    void onTruncate(int[] relationIds);

    /**
     * The transaction committed (message C).
     *
     * @param commitLsn        LSN of the commit record.
     * @param endLsn           LSN just past the commit record: confirming it acknowledges the transaction.
     * @param commitTimeMicros commit time, microseconds since 2000-01-01 UTC.
     */
    void onCommit(long commitLsn, long endLsn, long commitTimeMicros);
}
