/**
 * Keeps the rule registry, the rule modules, their docs and their fixtures in
 * step: one id, one file, one page, one pair of fixtures, no orphans.
 */
import { describe, expect, test } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../compiler/rules/index.js';
import { loadFile } from '../compiler/load/index.js';
import { validateFile } from '../compiler/validate/index.js';
import { ROOT, RULES_FIXTURES } from './helpers/fixtures.js';

const RULES_SOURCE = join(ROOT, 'compiler', 'rules');
const DOCS = join(ROOT, 'docs', 'rules');
/** Modules of compiler/rules/ that are machinery, not rules. */
const NOT_RULES = new Set(['index', 'rule', 'facts', 'describe']);

const ids = RULES.map((r) => r.id as string);

function sorted(xs: Iterable<string>): string[] {
  return [...xs].sort();
}

test('rule ids are unique kebab-case', () => {
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
});

test('every module of compiler/rules/ is a registered rule, and every rule has its module', () => {
  const modules = readdirSync(RULES_SOURCE)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .filter((name) => !NOT_RULES.has(name));
  expect(sorted(modules)).toEqual(sorted(ids));
  for (const id of ids) {
    expect(readFileSync(join(RULES_SOURCE, `${id}.ts`), 'utf8'), `compiler/rules/${id}.ts declares another id`).toContain(`id: '${id}'`);
  }
});

test('every rule judges facts with a check of its own', () => {
  for (const rule of RULES) {
    expect(rule.on.length, `${rule.id} subscribes to no facts`).toBeGreaterThan(0);
    expect(typeof rule.check, rule.id).toBe('function');
    const source = readFileSync(join(RULES_SOURCE, `${rule.id}.ts`), 'utf8');
    expect(source, `compiler/rules/${rule.id}.ts has no check`).toMatch(/check[(:]/);
  }
});

describe('docs/rules/', () => {
  const pages = readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'README.md');

  test('has a page for every rule and no other', () => {
    expect(sorted(pages.map((f) => f.slice(0, -'.md'.length)))).toEqual(sorted(ids));
  });

  test.each(RULES.map((r) => [r.id, r] as const))('%s.md has its title, severity, stage and sections', (id, rule) => {
    const page = readFileSync(join(DOCS, `${id}.md`), 'utf8');
    expect(page.split('\n')[0]).toBe(`# ${id}`);
    expect(page).toContain(`**Severity:** ${rule.severity} · **Stage:** ${rule.stage}`);
    for (const section of ['## Why', '## Bad', '## Good', '## How to fix']) expect(page, `${id}.md lacks ${section}`).toContain(`\n${section}\n`);
  });

  test('README.md lists every rule, with the registry severity and summary', () => {
    const index = readFileSync(join(DOCS, 'README.md'), 'utf8');
    for (const rule of RULES) {
      expect(index).toContain(`| [${rule.id}](${rule.id}.md) | ${rule.severity} | ${rule.summary.replace(/\|/g, '\\|')} |`);
    }
    const linked = [...index.matchAll(/\]\(([a-z-]+)\.md\)/g)].map((m) => m[1]!);
    expect(sorted(new Set(linked))).toEqual(sorted(ids));
  });

  const examples: Array<[string, number, string]> = [];
  for (const file of sorted(readdirSync(DOCS).filter((f) => f.endsWith('.md')))) {
    const text = readFileSync(join(DOCS, file), 'utf8');
    for (const m of text.matchAll(/```yaml\n([\s\S]*?)```/g)) {
      if (!/^phase:/m.test(m[1]!)) continue;
      examples.push([file, text.slice(0, m.index).split('\n').length + 1, m[1]!]);
    }
  }

  test('there are complete phase files among the examples', () => {
    expect(examples.length).toBeGreaterThan(ids.length);
  });

  test.each(examples)('%s:%i is a valid phase file', (file, line, yaml) => {
    const loaded = loadFile({ path: `docs/rules/${file}:${line}`, text: yaml });
    expect(loaded.diagnostics).toEqual([]);
    expect(validateFile(loaded.file!)).toEqual([]);
  });
});

describe('tests/fixtures/rules/', () => {
  const dirs = readdirSync(RULES_FIXTURES).filter((f) => statSync(join(RULES_FIXTURES, f)).isDirectory());

  test('has a folder for every rule and no other', () => {
    expect(sorted(dirs)).toEqual(sorted(ids));
  });

  test.each(ids)('%s has exactly a bad and a good case', (id) => {
    expect(existsSync(join(RULES_FIXTURES, id))).toBe(true);
    expect(sorted(readdirSync(join(RULES_FIXTURES, id)))).toEqual(['bad', 'good']);
    expect(existsSync(join(RULES_FIXTURES, id, 'bad', 'expected.txt')), `${id}/bad/expected.txt`).toBe(true);
    expect(existsSync(join(RULES_FIXTURES, id, 'good', 'expected.txt')), `${id}/good needs no golden`).toBe(false);
  });
});
