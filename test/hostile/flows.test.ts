/**
 * Hostile flows: generated malformed or malicious flow files. Every one gets diagnostics with a position (file,
 * line, column), never an exception and never a hang (each is loaded within a time bound), and the diagnostics
 * print. Classes: damaged copies of the real flows, YAML bombs and deep nesting, huge values, hostile keys
 * (`__proto__`, control characters), hostile values in every string the flow language has (conditions, templates,
 * dial strings, regexes, paths, durations), and random structures.
 *
 * Cases per class: TOUCHTONE_HOSTILE_FLOWS (default 40; 7 classes, so 280 flows in CI).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadFlowText, type LoadedFlow } from '../../src/flow/load.js';
import { simulateCall } from '../../src/testing/simulate-call.js';
import { formatDiagnostics } from '../../src/flow/format.js';

const RUNS = Number(process.env.TOUCHTONE_HOSTILE_FLOWS ?? 40);
/** A flow loads in milliseconds; anything near this is a hang in the making. */
const BOUND_MS = 3000;
const REAL = ['flows/acme-hotline.yaml', 'examples/bank/bank.yaml', 'examples/shop/shop.yaml', 'examples/clinic/clinic.yaml'].map((f) => readFileSync(f, 'utf8'));
const counts = new Map<string, number>();
let longestMessage = 0;

/** Loads `text` and checks the contract. `mustFail`: the text is invalid by construction. */
function check(cls: string, text: string, mustFail: boolean): LoadedFlow {
  counts.set(cls, (counts.get(cls) ?? 0) + 1);
  const started = performance.now();
  const loaded = loadFlowText(text, 'hostile.yaml');
  const ms = performance.now() - started;
  expect(ms, `loading took ${ms.toFixed(0)} ms`).toBeLessThan(BOUND_MS);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (mustFail) expect(errors.length, 'an invalid flow was accepted').toBeGreaterThan(0);
  if (loaded.flow) return loaded;
  expect(errors.length).toBeGreaterThan(0);
  for (const d of errors) {
    expect(d.code, d.message).toMatch(/^[a-z0-9-]+$/);
    expect(d.message.length).toBeGreaterThan(0);
    // A position: from the pointer (placed by the loader) or from the YAML parser, inside the text.
    expect(d.range, `\`${d.code}\` has no position: ${d.message}`).toBeDefined();
    expect(d.range!.start.line).toBeGreaterThanOrEqual(1);
    expect(d.range!.start.offset).toBeLessThanOrEqual(text.length);
    longestMessage = Math.max(longestMessage, d.message.length);
  }
  expect(() => formatDiagnostics(loaded.diagnostics, loaded.sources)).not.toThrow();
  return loaded;
}

const options = { numRuns: RUNS, seed: 20261124 };

/** Hostile strings: separators, templates, CEL, CR/LF, quotes, control characters, long runs. */
const hostileString = fc.oneof(
  fc.constantFrom('&', ',', ';', '/', '${', '${call.caller}', '$' + '{env.HOME}', '\r\n', '"', "'", '`', '\u0000', '\u202e', '../../etc/passwd', 'PJSIP/x&Local/y', 'a;b', '#', '*', '%s%n', '(a+)+$', '[', 'process.exit()', '__proto__', 'constructor'),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: 1, max: 10_240 }).map((n) => 'x'.repeat(n)),
);

const base = (steps: string, extra = ''): string =>
  `flow: hostile\nlanguage: en\nstart: main\n${extra}prompts:\n  hi: { text: "Hi" }\nsteps:\n${steps}\n  bye: { hangup: [hi] }\n`;

describe('hostile flows: diagnostics with a position, never a crash or a hang', () => {
  it('damaged copies of the real flows (deleted, repeated, shifted, truncated lines; junk bytes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: REAL.length - 1 }), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('delete', 'repeat', 'shift', 'truncate', 'junk'), fc.string({ minLength: 1, maxLength: 8 }), (which, at, how, junk) => {
        const lines = REAL[which]!.split('\n');
        const i = at % lines.length;
        if (how === 'delete') lines.splice(i, 1);
        else if (how === 'repeat') lines.splice(i, 0, lines[i]!);
        else if (how === 'shift') lines[i] = ' ' + lines[i];
        else if (how === 'truncate') lines.splice(i);
        else lines[i] = lines[i]!.slice(0, at % 40) + junk + lines[i]!.slice(at % 40);
        check('damaged real flows', lines.join('\n'), false);
      }),
      options,
    );
  });

  it('YAML bombs: aliases, deep nesting, many documents, tabs, unclosed quotes, binary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.constantFrom('alias', 'deep-map', 'deep-list', 'docs', 'tabs', 'quote', 'binary'), (n, kind) => {
        let text: string;
        if (kind === 'alias') {
          const layers = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
          for (let i = 1; i <= n; i++) layers.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
          text = `flow: bomb\nlanguage: en\nstart: main\n${layers.join('\n')}\nsteps:\n  main: { hangup: *a${n} }\n`;
        } else if (kind === 'deep-map') text = base(`  main:\n    play: [hi]\n    next: ${'{ a: '.repeat(n * 100)}1${' }'.repeat(n * 100)}`);
        else if (kind === 'deep-list') text = base(`  main: { play: ${'['.repeat(n * 100)}${']'.repeat(n * 100)}, next: bye }`);
        else if (kind === 'docs') text = Array(n).fill(base('  main: { play: [hi], next: bye }')).join('---\n');
        else if (kind === 'tabs') text = base(`  main:\n\t${'\t'.repeat(n)}play: [hi]\n    next: bye`);
        else if (kind === 'quote') text = base(`  main: { play: ["hi], next: bye }`);
        else text = base(`  main: { play: [hi], next: bye }\n\u0000\u0001\u0002${'\u00ff'.repeat(n)}`);
        check('yaml bombs', text, true);
      }),
      options,
    );
  });

  it('huge values: 10 KB names, prompts, keys and step lists', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 10_240 }), fc.constantFrom('step-name', 'next', 'option-key', 'prompt-ref', 'flow-name', 'many-steps'), (size, where) => {
        const big = 'z'.repeat(size);
        let text: string;
        if (where === 'step-name') text = base(`  main: { play: [hi], next: ${big} }\n  ${big}: { hangup: [hi] }`).replace('start: main', `start: ${big}`);
        else if (where === 'next') text = base(`  main: { play: [hi], next: ${big} }`);
        else if (where === 'option-key') text = base(`  main:\n    menu: { prompt: hi, options: { "${big}": bye } }`);
        else if (where === 'prompt-ref') text = base(`  main: { play: [${big}], next: bye }`);
        else if (where === 'flow-name') text = base(`  main: { play: [hi], next: bye }`).replace('flow: hostile', `flow: ${big}`);
        else text = base(Array.from({ length: Math.floor(size / 10) }, (_, i) => `  s${i}: { play: [hi], next: s${i + 2} }`).join('\n'));
        // A long name is legal (nothing bounds it); a dangling or unknown one is not.
        check('huge values', text, where !== 'step-name' && where !== 'flow-name');
      }),
      options,
    );
  });

  it('hostile keys: __proto__, constructor, control characters and separators as names (refused, or run safely)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'a\u0000b', 'a\nb', 'a&b', 'a;b', '../x', '${x}', '', ' '), fc.constantFrom('step', 'variable', 'prompt', 'department', 'queue', 'data'), async (name, where) => {
        const key = JSON.stringify(name);
        let text: string;
        if (where === 'step') text = base(`  main: { play: [hi], next: ${key} }\n  ${key}: { hangup: [hi] }`);
        else if (where === 'variable') text = base(`  main: { set: { ${key}: "1" }, next: bye }`);
        else if (where === 'prompt') text = base(`  main: { play: [${key}], next: bye }`).replace('prompts:\n  hi: { text: "Hi" }', `prompts:\n  hi: { text: "Hi" }\n  ${key}: { text: "x" }`);
        else if (where === 'department') text = base(`  main: { transfer: ${key}, failed: bye }`, `departments:\n  ${key}: { dial: "PJSIP/a&Local/b" }\n`);
        else if (where === 'queue') text = base(`  main: { queue: { name: ${key} } }`, `queues:\n  ${key}: { whenUnknown: sideways }\n`);
        else text = base(`  main: { lookup: { source: ${key}, key: "\${x}", into: r }, found: bye, notFound: bye, error: bye }`, `data:\n  ${key}: { file: { path: "../../../../etc/passwd", key: a } }\n`);
        // Names that are plain identifiers may be legal; anything with a separator or control character is not.
        const loaded = check('hostile keys', text, !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
        if (!loaded.flow) return;
        // Accepted: then a call through it must run to its end without an internal error.
        const call = await simulateCall(loaded.flow);
        await call.runUntilEnd({ within: '10m' });
        expect(call.ended).toBe(true);
        expect(call.trace.filter((e) => e.type === 'note' && e.code === 'internal-error')).toEqual([]);
      }),
      options,
    );
  });

  it('hostile values in conditions, templates, dial strings, regexes, durations and digits', () => {
    fc.assert(
      fc.property(hostileString, fc.constantFrom('condition', 'template', 'dial', 'pattern', 'duration', 'digits', 'key'), (value, where) => {
        const v = JSON.stringify(value);
        let text: string;
        // Each is invalid by construction: the value is hostile, and an unknown step is named beside it.
        if (where === 'condition') text = base(`  main:\n    branch: [{ if: ${JSON.stringify(`${value} && nope(`)}, then: bye }]\n    else: nowhere`);
        else if (where === 'template') text = base(`  main: { set: { x: ${JSON.stringify('${' + value)} }, next: nowhere }`);
        else if (where === 'dial') text = base(`  main: { transfer: d, answered: nowhere }`, `departments:\n  d: { dial: ${JSON.stringify('PJSIP/' + value + '&Local/x')} }\n`);
        else if (where === 'pattern') text = base(`  main: { input: { prompt: hi, pattern: ${JSON.stringify('(' + value)}, into: x }, next: nowhere }`);
        else if (where === 'duration') text = base(`  main: { input: { prompt: hi, digits: 4, timeout: ${v}, into: x }, next: nowhere }`);
        else if (where === 'digits') text = base(`  main: { input: { prompt: hi, digits: ${v}, into: x }, next: nowhere }`);
        else text = base(`  main:\n    menu: { prompt: hi, options: { ${JSON.stringify(value + 'Q')}: bye } }\n    exhausted: nowhere`);
        check('hostile values', text, true);
      }),
      options,
    );
  });

  it('random structures serialized to YAML', () => {
    const step = fc.dictionary(fc.constantFrom('play', 'menu', 'input', 'lookup', 'branch', 'transfer', 'queue', 'record', 'set', 'hangup', 'subflow', 'next', 'options'), fc.anything({ maxDepth: 3 }), { maxKeys: 3 });
    const flow = fc.record({ flow: fc.anything({ maxDepth: 1 }), language: fc.constantFrom('en', 'xx', 3, null), start: fc.constantFrom('a', 'b', ''), steps: fc.dictionary(fc.constantFrom('a', 'b', 'c'), step, { minKeys: 1 }), prompts: fc.anything({ maxDepth: 2 }) }, { requiredKeys: ['steps'] });
    fc.assert(
      fc.property(flow, (doc) => {
        let text: string;
        try {
          text = stringify(doc);
        } catch {
          text = JSON.stringify(doc) ?? '';
        }
        check('random structures', text, false);
      }),
      options,
    );
  });

  it('random text and bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('latin1'))), (text) => {
        check('random text', text, false);
      }),
      options,
    );
  });

  it(`ran at least 200 hostile flows (${RUNS} per class)`, () => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(`hostile flows: ${total} (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}); longest message ${longestMessage} characters\n`);
    expect(total).toBeGreaterThanOrEqual(Math.min(200, RUNS * 7));
  });
});
