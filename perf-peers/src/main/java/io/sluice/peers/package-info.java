/**
 * Peer comparison (Apache Flink, Kafka Streams, a plain loop and Sluice on the same generated workload, every
 * system's outputs cross-checked row for row) and the Kafka -> Sluice -> Kafka benchmark. Built only with the
 * Maven profile {@code peers}; see perf/README.md.
 */
package io.sluice.peers;
