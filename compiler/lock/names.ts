/** The names the output directory uses: the lock file, the staging directory, and the shape of a migration file name. */
export const LOCK_FILE = 'pamc.lock';
/** The lock of pamc before format 2 (one JSON document); read when there is no LOCK_FILE, replaced by the next build. */
export const LEGACY_LOCK_FILE = 'pamc.lock.json';
export const STAGING_DIR = 'staging';
export const MIGRATION_NAME = /^([0-9]{14})_([a-z0-9_]+)\.sql$/;
