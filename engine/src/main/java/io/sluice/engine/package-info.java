/**
 * Sluice engine module.
 */
package io.sluice.engine;
