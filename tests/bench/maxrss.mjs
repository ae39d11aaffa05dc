/**
 * Runs a Node script in this process and, at exit, writes the process's peak
 * RSS in KiB to a file: the benchmark's fallback where /usr/bin/time is missing.
 *
 *   node maxrss.mjs OUTFILE script.js [args...]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [outFile, script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
process.on('exit', () => writeFileSync(outFile, `${process.resourceUsage().maxRSS}\n`));
if (script === '-e') await import(`data:text/javascript,${encodeURIComponent(args[0] ?? '')}`);
else await import(pathToFileURL(resolve(script)).href);
