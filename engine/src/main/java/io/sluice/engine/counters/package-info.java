/**
 * The registry of counter type ids and key layout ({@link io.sluice.engine.counters.SluiceCounters}),
 * the readers that find counters by type id and key, and the partition states the counters hold.
 */
package io.sluice.engine.counters;
