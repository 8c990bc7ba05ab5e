/**
 * The Sluice wire protocol over Aeron: one frame per Aeron message, fixed-layout little-endian
 * binary, drawn in each flyweight's javadoc. {@link io.sluice.client.wire.FrameDescriptor} is the
 * header and the frame types; {@link io.sluice.client.wire.FrameValidator} checks a frame whole
 * before any flyweight reads it; {@link io.sluice.client.wire.ErrorCode} and
 * {@link io.sluice.client.wire.Durability} are the codes and levels. See docs/network.md.
 */
package io.sluice.client.wire;
