/**
 * The base ref a pull request is judged against (`check --base`): its lock,
 * and the files of its output directory, as git names their contents.
 */
import { createHash } from 'node:crypto';
import type { SourceFile } from '../report/diagnostic.js';

/** BaseRef is what the shell read at the base ref. */
export interface BaseRef {
  /** The ref as the user named it (for messages). */
  ref: string;
  /** The lock at the base's output directory, or null when it had none. */
  lock: SourceFile | null;
  /** The .sql files of the base's output directory: path relative to it → git blob id. */
  files: ReadonlyMap<string, string>;
  /** The lock where the branch left the base (git merge-base): what the base shipped since is not the branch's to have yet. */
  fork?: SourceFile | null;
}

/** The git blob id of a text (what `git hash-object` prints for a file with these bytes). */
export function blobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Whether the base has the file at `path`, with the same content, or not at all. */
export function baseFileState(base: BaseRef, path: string, text: string): 'absent' | 'same' | 'changed' {
  const id = base.files.get(path);
  if (id === undefined) return 'absent';
  return id === blobId(text) ? 'same' : 'changed';
}
