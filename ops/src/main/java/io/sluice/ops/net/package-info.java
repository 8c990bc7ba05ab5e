/**
 * Network ingress and egress over Aeron. {@link io.sluice.ops.net.NetServer} (configured by
 * {@link io.sluice.ops.net.NetServerContext}) runs on an Aeron client's duty cycle ({@code NetClientAgent},
 * one client shared by the daemon's servers of one media driver and thread): the ingress adapter publishes
 * producers' events into the engine's rings and acknowledges them at JOURNALED or DURABLE; the egress adapter drives consumers' group membership and streams records.
 * Frames are the {@code io.sluice.client.wire} protocol; clients are {@code io.sluice.client}.
 * Everything but the server, its context, counters and exception is package-private.
 * See docs/network.md.
 */
package io.sluice.ops.net;
