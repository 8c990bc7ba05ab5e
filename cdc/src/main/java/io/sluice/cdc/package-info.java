/**
 * Change data capture from PostgreSQL: a source that creates (or reuses) a logical replication slot
 * with the {@code pgoutput} plugin, loads the initial snapshot exported at slot creation, then streams
 * row-level inserts, updates and deletes into engine topics keyed by primary key, with the operation,
 * the before image (where the table's replica identity provides it) and the commit time as event time.
 *
 * <p>Public surface: {@link io.sluice.cdc.CdcSourceContext} (settings, validated by
 * {@code conclude()}), {@link io.sluice.cdc.CdcTable} (one captured table and its column mapping),
 * {@link io.sluice.cdc.CdcSource} (the running source) and {@link io.sluice.cdc.CdcException}.
 * Everything else is package-private.
 */
package io.sluice.cdc;
