/** Moved to the Node.js family; kept at this path for the modules that still import it here. */
export * from '../families/node/package-managers';
