/**
 * The base of the engine's exceptions, {@link io.sluice.engine.exceptions.SluiceException}, and its category.
 */
package io.sluice.engine.exceptions;
