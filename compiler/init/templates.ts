/**
 * What `pamc init` writes: an example phase file, a GitHub Actions workflow
 * and the .gitattributes line for the lock.
 *
 * Input: the project's settings (schema and output directories) and the
 * `$schema` reference for editors. Output: file texts.
 */

import { LOCK_FILE } from '../lock/names.js';

/** InitSettings are the directories a project uses, as package.json names them. */
export interface InitSettings {
  schema: string;
  out: string;
}

/** The example phase: one feature, one table with an owner rule, so that `pamc build` works at once. */
export function examplePhase(settings: InitSettings, schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# An example phase, written by \`pamc init\`: edit it into your first feature, or
# delete it and write your own. Every *.yaml file under ${settings.schema}/ is one
# phase; \`phase:\` orders them (phase 0 is left for \`pamc pull\`, which declares
# the tables your database already has).
#
#   npx pamc build     one migration per new feature, into ${settings.out}/
#   npx pamc check     what CI runs: nothing shipped was changed or dropped
#   npx pamc explain   the rules pamc enforces
#
# The language is described in node_modules/pamc/README.md.
phase: 1
title: Notes
features:
  notes:                              # a feature becomes one migration: <version>_notes.sql
    description: Private notes; each user reads and writes only their own.
    tables:                           # tables this feature creates, in schema public
      notes:
        comment: A note a user wrote for themselves.
        columns:
          id:         { type: uuid, primary_key: true, default: gen_random_uuid() }
          user_id:    { type: uuid, not_null: true, references: auth.users(id), on_delete: cascade }
          body:       { type: text, not_null: true }
          created_at: { type: timestamptz, not_null: true, default: now() }
        rls:
          owner: user_id                          # rows where user_id = auth.uid()
          allow: [select, insert, update, delete] # what signed-in users may do to their own rows
`;
}

/** The workflow: on pull requests that touch the spec, the migrations or the dependencies, check against the base branch, then verify. */
export function workflow(settings: InitSettings): string {
  return `# Written by \`pamc init\`. A pull request that drops, renames, retypes or
# otherwise alters what was shipped fails here, with an annotation on the
# YAML line; then the migrations are applied to an embedded PostgreSQL and
# every access rule is probed. It runs on every pull request (no \`paths:\`
# filter), so it can be a required check: GitHub waits forever for a required
# check whose workflow a filter skipped. Schema: ${settings.schema}/, migrations: ${settings.out}/.
name: pamc
on:
  pull_request:
jobs:
  pamc:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # check --base reads the lock at the base branch
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - name: pamc check
        run: npx pamc check --base origin/\${{ github.base_ref }} --format github
      - name: pamc verify
        run: npx pamc verify
`;
}

/** The .gitattributes line: git's union merge keeps the lines both branches added to the lock. */
export function gitattributesLine(settings: InitSettings): string {
  return `${settings.out === '.' ? '' : `${settings.out}/`}${LOCK_FILE} merge=union`;
}

/** .gitattributes with the line added (null: it is there already). */
export function withGitattributesLine(text: string | null, line: string): string | null {
  const lines = (text ?? '').split(/\r?\n/).map((l) => l.trim());
  if (lines.includes(line)) return null;
  if (text === null || text === '') return `${line}\n`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${text}${text.endsWith('\n') ? '' : eol}${line}${eol}`;
}
