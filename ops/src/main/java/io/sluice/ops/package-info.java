/**
 * Sluice ops module.
 */
package io.sluice.ops;
