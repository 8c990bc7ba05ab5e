/**
 * Sluice loadgen module.
 */
package io.sluice.loadgen;
