/** The names the output directory uses: the lock file, the staging directory, and the shape of a migration file name. */
export const LOCK_FILE = 'pamc.lock.json';
export const STAGING_DIR = 'staging';
export const MIGRATION_NAME = /^([0-9]{14})_([a-z0-9_]+)\.sql$/;
