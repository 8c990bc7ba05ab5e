package io.sluice.cdc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.agrona.collections.Int2ObjectHashMap;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyManager;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.ReplicationSlotInfo;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.PartitionCheckpoint;
import io.sluice.engine.checkpoint.SourcePositions;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.ExternalSourcePublisher;
import io.sluice.schema.Schema;

/**
 * Change data capture from PostgreSQL into engine topics: one thread that owns a logical replication
 * slot ({@code pgoutput}), loads the initial snapshot exported when it creates the slot, then streams
 * the committed row changes of the captured tables, each published to the partition of its primary key
 * with its position (a change number, journaled with the event by the engine's external source hook).
 *
 * <h2>Exactly once</h2>
 * Changes are numbered in stream order. After a restart the stream resumes at the slot's confirmed LSN,
 * whose change number {@link ConfirmedPositions} recorded before confirming it, so the changes PostgreSQL
 * sends again get the numbers they had; per partition, those at or below the position the engine recovered
 * ({@link ExternalSourcePublisher#position(int)}) are journaled already and dropped. The slot's confirmed
 * LSN moves only to the end of a transaction all of whose changes a completed checkpoint covers
 * ({@link CheckpointListener}), or, when every published change is covered and no transaction is open, to
 * the position the server reports as sent (so WAL of other tables is not held).
 *
 * <h2>Errors</h2>
 * A lost connection (PostgreSQL restarted) is retried with back-off and resumes as after a restart. A
 * dropped slot, an {@code ALTER TABLE} that changes a captured column, a {@code TRUNCATE}, a value that
 * does not fit its field: the source stops ({@link State#FAILED}) with a {@link CdcException} naming what
 * and where; nothing after the last published change is confirmed, so nothing is lost.
 *
 * <p>Threading: {@link #start} and {@link #close} from any thread; the accessors from any thread (they
 * read single-writer fields written by the source thread with ordered stores).
 */
public final class CdcSource implements AutoCloseable
{
    /** Lifecycle of a source. */
    public enum State
    {
        /** Connecting and checking the slot. */
        STARTING,
        /** Loading the initial snapshot. */
        SNAPSHOT,
        /** Streaming changes. */
        STREAMING,
        /** The connection was lost; retrying. */
        RECONNECTING,
        /** Stopped by an error: see {@link #failure()}. */
        FAILED,
        /** Closed. */
        CLOSED
    }

    private static final System.Logger LOG = System.getLogger(CdcSource.class.getName());

    private final Engine engine;
    private final CdcSourceContext context;
    private final ConfirmedPositions positions;
    private final List<Captured> captured = new ArrayList<>();
    private final Map<String, Captured> byName = new HashMap<>();
    private final Int2ObjectHashMap<Captured> byOid = new Int2ObjectHashMap<>();
    private final PendingTransactions pending = new PendingTransactions();
    private final CdcMetrics metrics = new CdcMetrics();
    private final AtomicReference<CheckpointManifest> completedCheckpoint = new AtomicReference<>();
    private final CheckpointListener listener = completedCheckpoint::set;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile State state = State.STARTING;
    private volatile Throwable failure;

    private Connection admin;
    private Connection replication;
    private PGReplicationStream stream;
    private long changeCount;
    private long confirmedLsn;
    private long lastStatusMillis;
    private long lastLagSampleMillis;
    private long deferredTarget;
    private long deferredCount;
    private volatile boolean writing;
    private volatile long durableLsn;
    private volatile RuntimeException writeFailure;
    private final java.util.concurrent.ExecutorService writer;
    private boolean inTransaction;
    private long txLsn;
    private long txCommitMillis;

    private final PgOutputHandler handler = new PgOutputHandler()
    {
        @Override
        public void onBegin(final long finalLsn, final long commitTimeMicros, final int xid)
        {
            inTransaction = true;
            txLsn = finalLsn;
            txCommitMillis = Math.floorDiv(commitTimeMicros + PgTypes.PG_EPOCH_MICROS, 1000L);
        }

        @Override
        public void onRelation(final PgRelation relation)
        {
            final Captured c = byName.get(relation.qualifiedName());
            if (c == null)
            {
                return;
            }
            final List<String> errors = c.capture.bind(relation);
            if (!errors.isEmpty())
            {
                throw new CdcException(CdcException.Category.SCHEMA, "captured table " + relation.qualifiedName() +
                    " changed (ALTER TABLE) in the transaction committing at LSN " + LogSequenceNumber.valueOf(txLsn) + ": " +
                    String.join("; ", errors) + ". The source stopped before that transaction; nothing after LSN " +
                    LogSequenceNumber.valueOf(confirmedLsn) + " is confirmed. Fix the schema or the mapping and restart");
            }
            byOid.put(relation.oid(), c);
        }

        @Override
        public void onInsert(final int relationId, final TupleView row)
        {
            change(relationId, CdcTable.OP_INSERT, row, null);
        }

        @Override
        public void onUpdate(final int relationId, final byte oldKind, final TupleView before, final TupleView after)
        {
            change(relationId, CdcTable.OP_UPDATE, after, before);
        }

        @Override
        public void onDelete(final int relationId, final byte oldKind, final TupleView before)
        {
            change(relationId, CdcTable.OP_DELETE, before, before);
        }

        @Override
        public void onTruncate(final int[] relationIds)
        {
            for (final int oid : relationIds)
            {
                final Captured c = byOid.get(oid);
                if (c != null)
                {
                    throw new CdcException(CdcException.Category.SCHEMA, "TRUNCATE of captured table " + c.table.table() + " at LSN " +
                        LogSequenceNumber.valueOf(txLsn) + " is not supported (it carries no rows to delete); publish only " +
                        "'insert, update, delete', or delete rows instead");
                }
            }
        }

        @Override
        public void onCommit(final long commitLsn, final long endLsn, final long commitTimeMicros)
        {
            inTransaction = false;
            pending.add(endLsn, changeCount, txCommitMillis);
            metrics.commit(txCommitMillis, endLsn);
        }
    };

    private CdcSource(final Engine engine, final CdcSourceContext context)
    {
        this.engine = engine;
        this.context = context;
        this.positions = new ConfirmedPositions(context.stateDirectory(), context.slot()).load();
        this.thread = new Thread(this::run, "sluice-cdc-" + context.slot());
        this.thread.setDaemon(true);
        this.writer = java.util.concurrent.Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "sluice-cdc-positions-" + context.slot());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks the settings against the database and the engine's topics (every error at once), then starts
     * the source thread.
     *
     * @param engine  whose topics receive the changes (one pipeline at least reads each).
     * @param context settings.
     * @return the running source.
     * @throws CdcException if the settings, the tables or the mapping are wrong, or PostgreSQL cannot be reached.
     */
    public static CdcSource start(final Engine engine, final CdcSourceContext context)
    {
        context.conclude();
        final CdcSource source = new CdcSource(engine, context);
        try
        {
            source.prepare();
        }
        catch (final RuntimeException ex)
        {
            source.closeConnections();
            throw ex;
        }
        engine.addCheckpointListener(source.listener);
        source.thread.start();
        return source;
    }

    private void prepare()
    {
        try
        {
            admin = connect(false);
        }
        catch (final SQLException ex)
        {
            throw new CdcException(CdcException.Category.CONNECTION, "cannot connect to PostgreSQL at " + context.host() + ":" + context.port() +
                "/" + context.database() + " as " + context.user() + " (password from " + context.passwordSource() + "): " + ex.getMessage(), ex);
        }
        final List<String> errors = new ArrayList<>();
        for (final CdcTable table : context.tables())
        {
            try
            {
                final PgRelation relation = Catalog.relation(admin, table.schemaName(), table.tableName());
                if (relation == null)
                {
                    errors.add("table " + table.table() + " does not exist in database " + context.database());
                    continue;
                }
                final ExternalSourcePublisher publisher = engine.externalSource(table.topic());
                final String keyField = keyField(table, publisher.schema(), relation);
                final TableCapture capture = new TableCapture(table, publisher.schema(), keyField, publisher.partitionCount(), relation);
                final Captured c = new Captured(table, capture, publisher);
                captured.add(c);
                byName.put(relation.qualifiedName(), c);
            }
            catch (final CdcException ex)
            {
                errors.add(ex.getMessage());
            }
            catch (final SQLException ex)
            {
                errors.add("table " + table.table() + ": " + ex.getMessage());
            }
            catch (final RuntimeException ex)
            {
                errors.add("table " + table.table() + " -> topic '" + table.topic() + "': " + ex.getMessage());
            }
        }
        if (!errors.isEmpty())
        {
            throw new CdcException(CdcException.Category.SCHEMA, "CDC source " + context.slot() + ": " + String.join("; ", errors));
        }
        try
        {
            Catalog.ensurePublication(admin, context.publication(), context.tables(), context.createPublication());
        }
        catch (final SQLException ex)
        {
            throw new CdcException(CdcException.Category.CONFIGURATION, "publication " + context.publication() + ": " + ex.getMessage(), ex);
        }
    }

    private static String keyField(final CdcTable table, final Schema schema, final PgRelation relation)
    {
        final List<PgRelation.Column> keys = relation.columns().stream().filter(PgRelation.Column::key).toList();
        if (keys.size() != 1)
        {
            throw new CdcException(CdcException.Category.SCHEMA, "table " + table.table() + " must have a primary key of one column to key its " +
                "topic, has " + (keys.isEmpty() ? "none" : keys.stream().map(PgRelation.Column::name).toList()));
        }
        final String column = keys.get(0).name();
        for (int i = 0; i < schema.fieldCount(); i++)
        {
            if (table.columnOf(schema.field(i).name()).equals(column) && !schema.field(i).name().startsWith(table.beforePrefix()))
            {
                return schema.field(i).name();
            }
        }
        throw new CdcException(CdcException.Category.SCHEMA, "table " + table.table() + ": no field of topic '" + table.topic() +
            "' is filled from its primary key column '" + column + "'");
    }

    private void run()
    {
        long backoff = context.reconnectBackoffMillis();
        while (running)
        {
            try
            {
                if (stream == null)
                {
                    open();
                    backoff = context.reconnectBackoffMillis();
                }
                final int work = poll();
                if (work == 0)
                {
                    LockSupport.parkNanos(100_000);
                }
            }
            catch (final CdcException ex)
            {
                fail(ex);
                return;
            }
            catch (final SQLException ex)
            {
                if (!running)
                {
                    break;
                }
                if (isSlotMissing(ex))
                {
                    fail(slotMissing());
                    return;
                }
                state = State.RECONNECTING;
                metrics.reconnect();
                LOG.log(System.Logger.Level.WARNING, "cdc " + context.slot() + ": connection lost (" + ex.getMessage() +
                    "); reconnecting in " + backoff + " ms");
                closeConnections();
                sleep(backoff);
                backoff = Math.min(backoff * 2, context.maxReconnectBackoffMillis());
            }
            catch (final RuntimeException ex)
            {
                if (!running)
                {
                    break;
                }
                fail(ex);
                return;
            }
        }
        closeConnections();
        if (state != State.FAILED)
        {
            state = State.CLOSED;
        }
    }

    private void fail(final Throwable ex)
    {
        failure = ex;
        state = State.FAILED;
        metrics.error();
        LOG.log(System.Logger.Level.ERROR, "cdc " + context.slot() + ": stopped: " + ex.getMessage());
        engine.errorLog().record(ex);
        closeConnections();
    }

    private void open() throws SQLException
    {
        if (admin == null || admin.isClosed())
        {
            admin = connect(false);
        }
        replication = connect(true);
        final long confirmed = Catalog.slotConfirmedLsn(admin, context.slot());
        final long start;
        if (confirmed == Catalog.NO_SLOT)
        {
            if (!positions.isEmpty())
            {
                throw slotMissing();
            }
            start = snapshot();
        }
        else if (positions.isEmpty())
        {
            // The slot exists but no snapshot ever completed (a crash during the initial snapshot): start over.
            LOG.log(System.Logger.Level.WARNING, "cdc " + context.slot() + ": the initial snapshot did not complete; dropping the slot and taking it again");
            Catalog.dropSlot(admin, context.slot());
            start = snapshot();
        }
        else
        {
            final long count = positions.countAt(confirmed);
            if (count < 0)
            {
                throw new CdcException(CdcException.Category.SLOT, "replication slot '" + context.slot() + "' is at LSN " +
                    LogSequenceNumber.valueOf(confirmed) + ", a position this source never confirmed (" + positions.file() +
                    " ends at " + LogSequenceNumber.valueOf(positions.lastLsn()) + "): was the slot advanced or recreated by hand?");
            }
            changeCount = count;
            start = confirmed;
        }
        awaitWriter();
        confirmedLsn = start;
        durableLsn = start;
        deferredTarget = 0;
        pending.clear();
        inTransaction = false;
        byOid.clear();
        for (final Captured c : captured)
        {
            for (int p = 0; p < c.floor.length; p++)
            {
                c.floor[p] = Math.max(c.floor[p], c.publisher.position(p));
            }
        }
        stream = replication.unwrap(PGConnection.class).getReplicationAPI()
            .replicationStream()
            .logical()
            .withSlotName(context.slot())
            .withStartPosition(LogSequenceNumber.valueOf(start))
            .withSlotOption("proto_version", "1")
            .withSlotOption("publication_names", context.publication())
            .withSlotOption("binary", "true")
            .withStatusInterval((int)context.statusIntervalMillis(), TimeUnit.MILLISECONDS)
            .start();
        state = State.STREAMING;
        metrics.confirmed(start);
        LOG.log(System.Logger.Level.INFO, "cdc " + context.slot() + ": streaming from LSN " + LogSequenceNumber.valueOf(start) +
            " (change " + changeCount + ")");
    }

    private long snapshot() throws SQLException
    {
        state = State.SNAPSHOT;
        // Changes get numbers above anything journaled before, so no old position can hide a new change.
        long base = 0;
        for (final Captured c : captured)
        {
            for (int p = 0; p < c.floor.length; p++)
            {
                base = Math.max(base, Math.max(c.floor[p], c.publisher.position(p)));
            }
        }
        changeCount = base;
        final ReplicationSlotInfo slot = replication.unwrap(PGConnection.class).getReplicationAPI()
            .createReplicationSlot()
            .logical()
            .withSlotName(context.slot())
            .withOutputPlugin("pgoutput")
            .make();
        final long consistentPoint = slot.getConsistentPoint().asLong();
        LOG.log(System.Logger.Level.INFO, "cdc " + context.slot() + ": created slot at LSN " + slot.getConsistentPoint() +
            ", loading the snapshot " + slot.getSnapshotName());
        final boolean autoCommit = admin.getAutoCommit();
        admin.setAutoCommit(false);
        try
        {
            admin.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            long snapshotMillis;
            try (Statement s = admin.createStatement())
            {
                s.execute("SET TRANSACTION SNAPSHOT '" + slot.getSnapshotName() + "'");
                try (ResultSet rs = s.executeQuery("SELECT (extract(epoch from now()) * 1000)::bigint"))
                {
                    rs.next();
                    snapshotMillis = rs.getLong(1);
                }
            }
            final CopyManager copy = admin.unwrap(PGConnection.class).getCopyAPI();
            for (final Captured c : captured)
            {
                final PgRelation relation = c.capture.relation();
                final StringBuilder columns = new StringBuilder();
                for (final PgRelation.Column column : relation.columns())
                {
                    columns.append(columns.length() == 0 ? "" : ", ").append('"').append(column.name()).append('"');
                }
                final long time = snapshotMillis;
                final CopyBinaryParser parser = new CopyBinaryParser(c.table.table(),
                    row -> publish(c, CdcTable.OP_SNAPSHOT, row, null, time, consistentPoint));
                try
                {
                    copy.copyOut("COPY (SELECT " + columns + " FROM \"" + relation.namespace() + "\".\"" + relation.name() +
                        "\") TO STDOUT (FORMAT binary)", parser);
                }
                catch (final java.io.IOException ex)
                {
                    throw new SQLException("snapshot of " + c.table.table() + ": " + ex.getMessage(), "08006", ex);
                }
                metrics.snapshotRows(parser.rows());
                LOG.log(System.Logger.Level.INFO, "cdc " + context.slot() + ": snapshot of " + c.table.table() + ": " + parser.rows() + " rows");
            }
            admin.commit();
        }
        finally
        {
            admin.setAutoCommit(autoCommit);
        }
        awaitJournaled();
        positions.record(consistentPoint, changeCount);
        return consistentPoint;
    }

    private void awaitWriter()
    {
        while (writing)
        {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void awaitJournaled()
    {
        for (final Captured c : captured)
        {
            for (int p = 0; p < c.floor.length; p++)
            {
                while (c.publisher.position(p) < c.floor[p])
                {
                    if (!running)
                    {
                        throw new CdcException(CdcException.Category.CONNECTION, "closed during the initial snapshot");
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }
    }

    private int poll() throws SQLException
    {
        int work = 0;
        for (int i = 0; i < 256; i++)
        {
            final java.nio.ByteBuffer message = stream.readPending();
            if (message == null)
            {
                break;
            }
            decoder.decode(message);
            work++;
        }
        work += applyDurable();
        work += confirm();
        final long now = System.currentTimeMillis();
        if (now - lastLagSampleMillis >= 1_000)
        {
            lastLagSampleMillis = now;
            metrics.lagBytes(Catalog.slotLagBytes(admin, context.slot()));
        }
        return work;
    }

    private final PgOutputDecoder decoder = new PgOutputDecoder(handler);

    private void change(final int relationId, final int op, final TupleView row, final TupleView before)
    {
        final Captured c = byOid.get(relationId);
        if (c == null)
        {
            return;
        }
        publish(c, op, row, before, txCommitMillis, txLsn);
    }

    private void publish(final Captured c, final int op, final TupleView row, final TupleView before, final long time, final long lsn)
    {
        final String error = c.capture.write(op, row, before, time, lsn);
        final long position = ++changeCount;
        if (error != null)
        {
            throw new CdcException(CdcException.Category.DATA, error + " (key " + c.capture.keyText() + ", commit LSN " +
                LogSequenceNumber.valueOf(lsn) + "); the source stopped before this change, nothing after it is confirmed");
        }
        final int partition = c.capture.partition();
        if (position <= c.floor[partition])
        {
            metrics.duplicate();
            return;
        }
        c.publisher.publish(partition, c.capture.scratch(), 0, time, position);
        c.floor[partition] = position;
        coveredAll = false;
        metrics.change();
    }

    /**
     * Moves the slot's confirmed LSN to what the newest completed checkpoint covers; when nothing is
     * pending, to the position the server last reported. Writes the position file before confirming.
     */
    private int confirm() throws SQLException
    {
        final long now = System.currentTimeMillis();
        final CheckpointManifest manifest = completedCheckpoint.getAndSet(null);
        long target = -1;
        long targetCount = -1;
        if (manifest != null)
        {
            final long covered = coveredChangeCount(manifest);
            final PendingTransactions.Entry last = pending.pollCoveredUpTo(covered);
            if (last != null)
            {
                target = last.endLsn();
                targetCount = last.count();
            }
        }
        if (!inTransaction && pending.isEmpty() && allPublishedCovered() && now - lastStatusMillis >= context.statusIntervalMillis())
        {
            final long received = stream.getLastReceiveLSN().asLong();
            if (received > Math.max(confirmedLsn, target))
            {
                target = received;
                targetCount = changeCount;
            }
        }
        metrics.pending(pending.oldestCommitMillis(), now);
        if (target <= confirmedLsn)
        {
            return 0;
        }
        if (writing)
        {
            // One write at a time; the next checkpoint or idle pass retries with a newer target.
            if (target > deferredTarget)
            {
                deferredTarget = target;
                deferredCount = targetCount;
            }
            return 0;
        }
        write(target, targetCount);
        lastStatusMillis = now;
        return 1;
    }

    /**
     * Records (lsn, count) durably on the writer thread, so the streaming thread never waits for an fsync;
     * {@link #applyDurable()} confirms the LSN once the record is on disk.
     */
    private void write(final long lsn, final long count)
    {
        writing = true;
        writer.execute(() ->
        {
            try
            {
                positions.record(lsn, count);
                durableLsn = lsn;
            }
            catch (final RuntimeException ex)
            {
                writeFailure = ex;
            }
            finally
            {
                writing = false;
            }
        });
    }

    private int applyDurable() throws SQLException
    {
        final RuntimeException failed = writeFailure;
        if (failed != null)
        {
            throw failed;
        }
        final long durable = durableLsn;
        if (durable > confirmedLsn)
        {
            stream.setFlushedLSN(LogSequenceNumber.valueOf(durable));
            stream.setAppliedLSN(LogSequenceNumber.valueOf(durable));
            confirmedLsn = durable;
            metrics.confirmed(durable);
            return 1;
        }
        if (!writing && deferredTarget > confirmedLsn)
        {
            final long lsn = deferredTarget;
            deferredTarget = 0;
            write(lsn, deferredCount);
            return 1;
        }
        return 0;
    }

    private boolean coveredAll;

    private boolean allPublishedCovered()
    {
        return coveredAll;
    }

    /**
     * The largest change number Q such that every change numbered up to Q is covered by the checkpoint:
     * per partition, a checkpoint position at or past the last published change covers the partition
     * entirely; otherwise the partition's first uncovered change is above its checkpoint position.
     */
    private long coveredChangeCount(final CheckpointManifest manifest)
    {
        long covered = Long.MAX_VALUE;
        for (final Captured c : captured)
        {
            final String journalTopic = c.publisher.journalTopic();
            for (int p = 0; p < c.floor.length; p++)
            {
                final PartitionCheckpoint entry = manifest.find(journalTopic, p);
                final long position = entry == null ? SourcePositions.NO_POSITION : entry.sourcePosition(c.publisher.sourceIndex());
                if (position < c.floor[p])
                {
                    covered = Math.min(covered, position);
                }
            }
        }
        coveredAll = covered == Long.MAX_VALUE;
        return coveredAll ? changeCount : covered;
    }

    private CdcException slotMissing()
    {
        return new CdcException(CdcException.Category.SLOT, "replication slot '" + context.slot() + "' does not exist in database " +
            context.database() + " (dropped?): this source had confirmed changes up to LSN " + LogSequenceNumber.valueOf(positions.lastLsn()) +
            " and the changes after it may be gone. To start over with a new snapshot, delete " + positions.file() +
            " and the topics' journals, or capture into new topics");
    }

    private static boolean isSlotMissing(final SQLException ex)
    {
        return "42704".equals(ex.getSQLState()) && String.valueOf(ex.getMessage()).contains("replication slot");
    }

    private Connection connect(final boolean forReplication) throws SQLException
    {
        final Properties p = new Properties();
        PGProperty.USER.set(p, context.user());
        final String password = context.password();
        if (password != null)
        {
            PGProperty.PASSWORD.set(p, password);
        }
        PGProperty.CONNECT_TIMEOUT.set(p, (int)Math.max(1, context.connectTimeoutMillis() / 1000));
        PGProperty.APPLICATION_NAME.set(p, "sluice-cdc-" + context.slot());
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        if (forReplication)
        {
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        }
        return DriverManager.getConnection("jdbc:postgresql://" + context.host() + ":" + context.port() + "/" + context.database(), p);
    }

    private void closeConnections()
    {
        final PGReplicationStream s = stream;
        stream = null;
        if (s != null)
        {
            try
            {
                s.close();
            }
            catch (final SQLException | RuntimeException ignore)
            {
                // The connection is gone or going; closing it below is what matters.
            }
        }
        closeQuietly(replication);
        replication = null;
        closeQuietly(admin);
        admin = null;
    }

    private static void closeQuietly(final Connection c)
    {
        if (c != null)
        {
            try
            {
                c.close();
            }
            catch (final SQLException ignore)
            {
                // Nothing to do about a connection that fails to close.
            }
        }
    }

    private static void sleep(final long millis)
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /**
     * The state.
     *
     * @return the source's state.
     */
    public State state()
    {
        return state;
    }

    /**
     * Why the source stopped, if it did.
     *
     * @return the error, or null.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * Metrics of this source.
     *
     * @return the live metrics.
     */
    public CdcMetrics metrics()
    {
        return metrics;
    }

    /**
     * The settings (the password is not among what they print).
     *
     * @return the context.
     */
    public CdcSourceContext context()
    {
        return context;
    }

    /**
     * Stops the source thread and closes its connections; confirms nothing more.
     */
    @Override
    public void close()
    {
        running = false;
        engine.removeCheckpointListener(listener);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        writer.shutdown();
        if (state != State.FAILED)
        {
            state = State.CLOSED;
        }
    }

    /** One captured table, its topic's publisher and the highest position published or journaled per partition. */
    private static final class Captured
    {
        final CdcTable table;
        final TableCapture capture;
        final ExternalSourcePublisher publisher;
        final long[] floor;

        Captured(final CdcTable table, final TableCapture capture, final ExternalSourcePublisher publisher)
        {
            this.table = table;
            this.capture = capture;
            this.publisher = publisher;
            this.floor = new long[publisher.partitionCount()];
            for (int p = 0; p < floor.length; p++)
            {
                floor[p] = publisher.position(p);
            }
        }
    }
}
