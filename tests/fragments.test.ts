/**
 * Expression facts shared between expressions that differ only in their
 * numbers (compiler/sql/fragments.ts numberShape): whatever a text shares,
 * its facts are those of parsing the text itself, and so are the answers
 * checkExpression and columnRefs give from them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadParser, type SqlParser } from '../compiler/sql/parser.js';
import { checkExpression, columnRefs, exactExpressionFacts, expressionFacts, numberShape } from '../compiler/sql/fragments.js';

let parser: SqlParser;
beforeAll(async () => {
  parser = await loadParser();
});

/** A parser of its own (fragment results are kept per parser), counting the texts it parses. */
function countingParser(): { parser: SqlParser; parsed: string[] } {
  const parsed: string[] = [];
  return {
    parsed,
    parser: {
      parse: (sql) => {
        parsed.push(sql);
        return parser.parse(sql);
      },
      check: (sql) => parser.check(sql),
    },
  };
}

/** The facts of `text` through the shared path (checkExpression and columnRefs answer from these alone). */
function answers(p: SqlParser, text: string): unknown {
  return expressionFacts(p, text);
}

/** The facts of a parse of exactly `text`, by a parser that has seen nothing else. */
function exactAnswers(text: string): unknown {
  return exactExpressionFacts(countingParser().parser, text);
}

describe('numberShape', () => {
  it('writes each integer of up to nine digits as 0, outside quotes and names', () => {
    expect(numberShape('amount >= 10 AND amount < 1234')).toBe('amount >= 0 AND amount < 0');
    expect(numberShape(`status <> 'done1' AND "c2" > 3`)).toBe(`status <> 'done1' AND "c2" > 0`);
    expect(numberShape('x1 + y_2 > 1.5e10')).toBe('x1 + y_2 > 0.5e10');
    expect(numberShape('x > 1234567890')).toBe('x > 1234567890');
    // Numbers the lexer reads as something else than one integer, or refuses, stay as written.
    expect(numberShape('x > 1_000_000_000_0 AND y = 0x1F AND z = 1abc')).toBe('x > 1_000_000_000_0 AND y = 0x1F AND z = 1abc');
    expect(numberShape(`'it''s 5' = a`)).toBe(`'it''s 5' = a`);
  });

  it('leaves alone what only the parser can delimit: backslashes, dollar signs, unterminated quotes', () => {
    expect(numberShape(`E'\\'' = a AND b > 1`)).toBeNull();
    expect(numberShape('a = $1')).toBeNull();
    expect(numberShape(`'abc > 1`)).toBeNull();
  });
});

describe('expression facts shared by number shape', () => {
  it('parses two checks that differ only in a number once, and answers each as its own parse would', () => {
    const { parser: p, parsed } = countingParser();
    const texts = ['amount >= 0 AND amount < 1000', 'amount >= 0 AND amount < 1001', 'amount >= 5 AND amount < 77'];
    for (const t of texts) expect(answers(p, t), t).toEqual(exactAnswers(t));
    expect(parsed).toHaveLength(1);
    expect(columnRefs(p, texts[1]!)).toEqual(['amount']);
    expect(checkExpression(p, texts[2]!, 'check')).toBeNull();
    expect(checkExpression(p, 'amount < 1000 AND', 'check')).toMatchObject({ message: 'check does not parse: syntax error at or near ")"', offset: 18 });
  });

  it('never lends a parse to a text that does not parse itself', () => {
    const cases = [
      'x::float(10) > 0', // the shape float(0) is an error: the text is parsed itself, and is valid
      'x::float(60) > 0', // an error of its own, at its own offset
      `'a'::char(99999999999) = b`, // too long to share: a numeric constant where the grammar wants an integer
      `'a'::char(1_000_000_000_0) = b`, // the same number with underscores
      `'a'::char(1_000) = b`,
      'x = 0x1F',
      'x = 1abc', // trailing junk after a number: an error
      'amount < 1000 AND', // an error: the offset is the text's own
      'amount < 1000 )',
      '"1col" > 2',
      'x = 08',
      '123abc > 1',
    ];
    const { parser: p } = countingParser();
    for (const t of cases) expect(answers(p, t), t).toEqual(exactAnswers(t));
  });

  it('answers random expressions with random numbers as their own parses do', () => {
    const number = fc.oneof(
      fc.integer({ min: 0, max: 2_000_000_000 }).map(String),
      fc.constantFrom('0', '007', '1.5', '.5', '1e5', '2e', '99999999999', '1_000', '1_000_000_000_0', '0x1F', '0o17', '0b101', '1.000_1', '1abc', '1.5e1_0'),
    );
    const column = fc.constantFrom('a', 'b1', 'amount', '"2x"', 'c_3');
    const operand = fc.oneof(
      number,
      column,
      number.map((n) => `'${n}'`),
      fc.tuple(column, number).map(([c, n]) => `${c}::numeric(${n})`),
      number.map((n) => `x::float(${n})`),
      number.map((n) => `'a'::char(${n})`),
    );
    const op = fc.constantFrom('<', '>=', '=', '+', '*', 'AND', 'OR', '', ')', '(');
    const expression = fc.array(fc.tuple(operand, op), { minLength: 1, maxLength: 5 }).map((parts) =>
      parts
        .map(([a, o]) => `${a} ${o}`)
        .join(' ')
        .trim(),
    );
    const { parser: p } = countingParser();
    fc.assert(
      fc.property(expression, (text) => {
        expect(answers(p, text)).toEqual(exactAnswers(text));
      }),
      { numRuns: 3000 },
    );
  });
});
