/**
 * The rule registry: the one list of every rule pamc knows.
 *
 * Each rule lives in its own module named by its id; tests/rules.meta.test.ts
 * keeps this list, the files, docs/rules/ and tests/fixtures/rules/ in step.
 */
import type { Diagnostic, Span } from '../report/diagnostic.js';
import type { Finding, Rule } from './rule.js';
import type { Fact, FactKind } from './facts.js';
import { rule as unreadableFile } from './unreadable-file.js';
import { rule as yamlSyntax } from './yaml-syntax.js';
import { rule as duplicateKey } from './duplicate-key.js';
import { rule as unknownKey } from './unknown-key.js';
import { rule as invalidValue } from './invalid-value.js';
import { rule as missingKey } from './missing-key.js';
import { rule as invalidIdentifier } from './invalid-identifier.js';
import { rule as identifierTooLong } from './identifier-too-long.js';
import { rule as reservedIdentifier } from './reserved-identifier.js';
import { rule as invalidType } from './invalid-type.js';
import { rule as unknownType } from './unknown-type.js';
import { rule as invalidExpression } from './invalid-expression.js';
import { rule as duplicateName } from './duplicate-name.js';
import { rule as missingRls } from './missing-rls.js';
import { rule as unknownOwner } from './unknown-owner.js';
import { rule as nullableOwner } from './nullable-owner.js';
import { rule as ownerWithoutReference } from './owner-without-reference.js';
import { rule as emptyFeature } from './empty-feature.js';
import { rule as invalidSqlPath } from './invalid-sql-path.js';
import { rule as invalidSql } from './invalid-sql.js';
import { rule as tableExists } from './table-exists.js';
import { rule as unknownTable } from './unknown-table.js';
import { rule as unknownReference } from './unknown-reference.js';
import { rule as columnExists } from './column-exists.js';
import { rule as redundantPermission } from './redundant-permission.js';
import { rule as unownedParent } from './unowned-parent.js';
import { rule as conflictingRule } from './conflicting-rule.js';
import { rule as uncheckedReference } from './unchecked-reference.js';
import { rule as openWaiver } from './open-waiver.js';
import { rule as enumValueInUse } from './enum-value-in-use.js';
import { rule as changeEnum } from './change-enum.js';
import { rule as dropTableObject } from './drop-table-object.js';
import { rule as unexplainedWidening } from './unexplained-widening.js';
import { rule as widenedAccess } from './widened-access.js';
import { rule as requiredColumn } from './required-column.js';
import { rule as uniqueOnExistingColumn } from './unique-on-existing-column.js';
import { rule as sqlCreatesTable } from './sql-creates-table.js';
import { rule as sqlDestructive } from './sql-destructive.js';
import { rule as sqlWidensAccess } from './sql-widens-access.js';
import { rule as sqlExposedView } from './sql-exposed-view.js';
import { rule as sqlUnsafeFunction } from './sql-unsafe-function.js';
import { rule as sqlNotRerunnable } from './sql-not-rerunnable.js';
import { rule as sqlTransactionControl } from './sql-transaction-control.js';
import { rule as dropTable } from './drop-table.js';
import { rule as dropColumn } from './drop-column.js';
import { rule as renameTable } from './rename-table.js';
import { rule as renameColumn } from './rename-column.js';
import { rule as retypeColumn } from './retype-column.js';
import { rule as changeNullability } from './change-nullability.js';
import { rule as changeDefault } from './change-default.js';
import { rule as changeReference } from './change-reference.js';
import { rule as dropCheck } from './drop-check.js';
import { rule as changeCheck } from './change-check.js';
import { rule as dropPrimaryKey } from './drop-primary-key.js';
import { rule as dropUnique } from './drop-unique.js';
import { rule as narrowAllow } from './narrow-allow.js';
import { rule as changeOwner } from './change-owner.js';
import { rule as disableRls } from './disable-rls.js';
import { rule as dropAccessRule } from './drop-access-rule.js';
import { rule as changeAccessRule } from './change-access-rule.js';
import { rule as dropFeature } from './drop-feature.js';
import { rule as dropPhase } from './drop-phase.js';
import { rule as reorderFeatures } from './reorder-features.js';
import { rule as modifyEmittedFeature } from './modify-emitted-feature.js';
import { rule as modifyEmittedSql } from './modify-emitted-sql.js';
import { rule as modifiedMigration } from './modified-migration.js';
import { rule as missingMigration } from './missing-migration.js';
import { rule as lockIntegrity } from './lock-integrity.js';
import { rule as versionOrder } from './version-order.js';
import { rule as staleOutput } from './stale-output.js';
import { rule as handWrittenMigration } from './hand-written-migration.js';
import { rule as movedOutput } from './moved-output.js';
import { rule as settingsChanged } from './settings-changed.js';

/** Every rule, in the order the docs list them. */
export const RULES = [
  unreadableFile,
  yamlSyntax,
  duplicateKey,
  unknownKey,
  invalidValue,
  missingKey,
  invalidIdentifier,
  identifierTooLong,
  reservedIdentifier,
  invalidType,
  unknownType,
  invalidExpression,
  duplicateName,
  missingRls,
  unknownOwner,
  nullableOwner,
  ownerWithoutReference,
  emptyFeature,
  invalidSqlPath,
  invalidSql,
  tableExists,
  unknownTable,
  unknownReference,
  columnExists,
  redundantPermission,
  unownedParent,
  conflictingRule,
  uncheckedReference,
  openWaiver,
  enumValueInUse,
  unexplainedWidening,
  widenedAccess,
  requiredColumn,
  uniqueOnExistingColumn,
  sqlCreatesTable,
  sqlDestructive,
  sqlWidensAccess,
  sqlExposedView,
  sqlUnsafeFunction,
  sqlNotRerunnable,
  sqlTransactionControl,
  dropTable,
  dropColumn,
  dropTableObject,
  changeEnum,
  renameTable,
  renameColumn,
  retypeColumn,
  changeNullability,
  changeDefault,
  changeReference,
  dropCheck,
  changeCheck,
  dropPrimaryKey,
  dropUnique,
  narrowAllow,
  changeOwner,
  disableRls,
  dropAccessRule,
  changeAccessRule,
  dropFeature,
  dropPhase,
  reorderFeatures,
  modifyEmittedFeature,
  modifyEmittedSql,
  modifiedMigration,
  missingMigration,
  lockIntegrity,
  versionOrder,
  staleOutput,
  handWrittenMigration,
  movedOutput,
  settingsChanged,
] as const satisfies readonly Rule[];

/** RuleId is the id of a registered rule. */
export type RuleId = (typeof RULES)[number]['id'];

const BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r as Rule]));
const BY_FACT = new Map<FactKind, Rule[]>();
for (const r of RULES as readonly Rule[]) for (const kind of r.on) BY_FACT.set(kind, [...(BY_FACT.get(kind) ?? []), r]);

export function findRule(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** Makes a diagnostic of a registered rule; the severity comes from the registry. */
export function diagnostic(rule: RuleId, span: Span | undefined, message: string, hint: string): Diagnostic {
  const meta = BY_ID.get(rule);
  if (!meta) throw new Error(`unregistered rule ${rule}`);
  return span ? { rule, severity: meta.severity, message, hint, span } : { rule, severity: meta.severity, message, hint };
}

/** Judges one fact: every rule that subscribes to its kind checks it; each finding becomes a diagnostic at its span or the fact's. */
export function judge(fact: Fact): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of BY_FACT.get(fact.kind) ?? []) {
    const found = rule.check(fact as never);
    if (!found) continue;
    for (const f of Array.isArray(found) ? (found as readonly Finding[]) : [found as Finding]) {
      const span = f.span ?? fact.span;
      out.push({ rule: rule.id, severity: rule.severity, message: f.message, hint: f.hint, ...(span.file ? { span } : {}) });
    }
  }
  return out;
}

/** Judges `fact` into `into`; true when no error was found (the stage may go on with what the fact describes). */
export function accept(fact: Fact, into: Diagnostic[]): boolean {
  const found = judge(fact);
  into.push(...found);
  return !found.some((d) => d.severity === 'error');
}
