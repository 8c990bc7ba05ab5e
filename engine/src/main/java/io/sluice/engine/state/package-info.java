/**
 * Building blocks of operator state shared by the window and join operators: today the incremental,
 * copy-on-write copy of a row store into a checkpoint's staging buffer ({@link io.sluice.engine.state.CopyOnWriteRows}).
 * <p>
 * It sits below the operators and knows nothing of checkpoints' files or manifests: it copies bytes
 * of rows, owned by the partition thread like the store it serves.
 */
package io.sluice.engine.state;
