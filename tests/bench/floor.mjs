#!/usr/bin/env node
/**
 * The floor of a build: a process that does only what every `pamc build`
 * of a spec must do once its migrations exist, and nothing of the compile.
 *
 *   node tests/bench/floor.mjs BUILT_OUT DEST
 *
 * Reads the migrations of an already built project (BUILT_OUT: its out/
 * directory), then, as a build must: loads the PostgreSQL parser the way
 * pamc loads it, parse-checks every migration with it, writes each into
 * DEST (production) and links it into DEST/staging, and flushes DEST's file
 * system (`sync -f`). It writes no temporary files and no lock, so it is
 * below what a crash-safe build does. Prints its own stage times as JSON.
 *
 * The benchmark times this process beside `pamc build`: what a build of
 * that size costs on that machine before any work of its own (the compile,
 * the temporary files, the journal, the lock), with its parse-check on one
 * thread; a build that shares the parse-check with a worker can save at
 * most half of that part.
 *
 * Needs dist/ (npx tsc -p .).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [builtOut, dest] = process.argv.slice(2);
if (!builtOut || !dest) {
  process.stderr.write('usage: node tests/bench/floor.mjs BUILT_OUT DEST\n');
  process.exit(2);
}

const t0 = performance.now();
const names = readdirSync(builtOut)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const texts = names.map((f) => readFileSync(join(builtOut, f), 'utf8'));
const t1 = performance.now();

const { loadParser } = await import(pathToFileURL(join(ROOT, 'dist/compiler/sql/parser.js')).href);
const parser = await loadParser();
const t2 = performance.now();

for (const [i, sql] of texts.entries()) {
  const error = parser.check(sql);
  if (error) throw new Error(`${names[i]} does not parse: ${error.message}`);
}
const t3 = performance.now();

mkdirSync(join(dest, 'staging'), { recursive: true });
for (const [i, name] of names.entries()) {
  const path = join(dest, name);
  const fd = openSync(path, 'wx');
  writeSync(fd, texts[i]);
  closeSync(fd);
  linkSync(path, join(dest, 'staging', name));
}
const flushed = spawnSync('sync', ['-f', dest], { stdio: 'ignore' });
if (flushed.status !== 0) throw new Error(`sync -f ${dest} failed`);
const t4 = performance.now();

process.stdout.write(`${JSON.stringify({ migrations: names.length, read: t1 - t0, parserLoad: t2 - t1, parseCheck: t3 - t2, write: t4 - t3 })}\n`);
