/**
 * Event schemas and the zero-copy {@link io.sluice.schema.EventFlyweight} that reads and writes
 * events of a {@link io.sluice.schema.Schema} over a buffer. The ground floor of Sluice: the journal
 * stores opaque bytes, the engine's operators read fields through {@link io.sluice.schema.EventValues},
 * and a client producer encodes events with the same flyweight without needing the engine.
 */
package io.sluice.schema;
