/**
 * Shape and meaning problems reported together: the meaning checks run beside shape errors, never throw on
 * what the shape pass rejected, and never echo a shape problem as a meaning problem (no cascades).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shortenQuotes, validateFlow } from '../src/flow/validate.js';
import { loadFlowText } from '../src/flow/load.js';
import { schemaErrors } from '../src/flow/schema.js';
import { shapeDiagnostics } from '../src/flow/shape-errors.js';
import { parseYamlText } from '../src/flow/yaml-text.js';
import { findFlowFiles } from '../src/flow/find-flows.js';
import { pointer } from '../src/flow/diagnostics.js';

const files = [...(await findFlowFiles('flows')), ...(await findFlowFiles('examples'))];
const flows = files.map((file) => ({ file, value: parseYamlText(readFileSync(file), file).value as Record<string, unknown> }));

type Path = string[];

/** Every node of a value below the root, as paths. */
function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, child] of Object.entries(value)) {
    out.push([...at, key]);
    paths(child, [...at, key], out);
  }
  return out;
}

type Mutation = { how: 'replace'; value: unknown } | { how: 'delete' } | { how: 'rename' };

/** A copy of `root` with one node replaced, deleted or its key misspelled. */
function mutate(root: unknown, path: Path, m: Mutation): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const key = path[path.length - 1]!;
  if (m.how === 'replace') parent[key] = m.value;
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else {
    const old = parent[key];
    delete parent[key];
    if (m.how === 'rename') parent[`${key}x`] = old;
  }
  return copy;
}

const WRONG = [null, 7, -1, 2.5, true, [], {}, [1], { zz: 1 }, 'a b/c', ''];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...WRONG).map((value): Mutation => ({ how: 'replace', value })),
  fc.constant<Mutation>({ how: 'delete' }),
  fc.constant<Mutation>({ how: 'rename' }),
);
const flowAndPath = fc.integer({ min: 0, max: flows.length - 1 }).chain((i) => {
  const all = paths(flows[i]!.value);
  return fc.record({ i: fc.constant(i), path: fc.constantFrom(...all) });
});

const twoPaths = fc.integer({ min: 0, max: flows.length - 1 }).chain((i) => {
  const all = paths(flows[i]!.value);
  return fc.record({ i: fc.constant(i), a: fc.constantFrom(...all), b: fc.constantFrom(...all) });
});

const key = (d: { code: string; pointer?: string }) => `${d.code} ${d.pointer}`;
const within = (inner: Path, outer: Path) => outer.every((k, j) => inner[j] === k);

const category = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** A value at `path`. */
function at(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], root);
}

/**
 * Whether a mutation only breaks a node, rather than writing a different flow: a value of another type, or
 * a map key deleted or misspelled (a list item deleted would move the items after it; a map replaced by a
 * map would rename its keys).
 */
function onlyBreaks(root: unknown, path: Path, m: Mutation): boolean {
  if (m.how === 'replace') return category(m.value) !== category(at(root, path));
  return !Array.isArray(at(root, path.slice(0, -1)));
}

const breaksShape = (value: unknown) => shapeDiagnostics(schemaErrors(value), value).length > 0;

/** The diagnostics of a value that the shape pass did not make (by code and pointer). */
function meaningOf(value: unknown): string[] {
  const shape = new Set(shapeDiagnostics(schemaErrors(value), value).map(key));
  return validateFlow(value).map(key).filter((k) => !shape.has(k));
}

const mini = (top: string, steps: string) => `flow: t\nlanguage: en\nstart: main\n${top}steps:\n${steps}`;
const codesOf = (text: string) =>
  validateFlow(parseYamlText(text, 't.yaml').value)
    .map((d) => `${d.code} ${d.pointer}`)
    .sort();

describe('shape and meaning together', () => {
  it('reports the misspelled option and the unknown prompt of one menu in one run', () => {
    const text = mini('prompts:\n  hello: { text: Hi }\n', '  main:\n    menu: { prompt: helo, options: { "1": bye }, timout: 5s }\n  bye: { hangup: true }\n');
    expect(codesOf(text)).toEqual(['unknown-option /steps/main/menu/timout', 'unknown-prompt /steps/main/menu/prompt']);
  });

  it('does not call every prompt unknown when `prompts` itself is misspelled', () => {
    const text = mini('promts:\n  hello: { text: Hi }\n', '  main: { play: hello, next: bye }\n  bye: { hangup: true }\n  lost: { hangup: [helo] }\n');
    expect(codesOf(text)).toEqual(['unknown-property /promts']);
  });

  it('does not blame variables a misspelled menu pattern may set', () => {
    const steps = '  main:\n    menu: { prompt: hi, options: { "1": bye }, paterns: { "9XX": { next: say, into: ext } } }\n  say: { play: { digits: "${ext}" }, next: bye }\n  bye: { hangup: true }\n';
    expect(codesOf(mini('prompts:\n  hi: { text: Hi }\n', steps))).toEqual(['unknown-option /steps/main/menu/paterns']);
  });

  it('still reports a variable nothing could set', () => {
    const steps = '  main: { play: { digits: "${ext}" }, next: bye, nxt: main }\n  bye: { hangup: true }\n';
    expect(codesOf(mini('', steps))).toEqual(['undefined-variable /steps/main/play/digits', 'unknown-option /steps/main/nxt']);
  });

  it('does not lose the error step to a misspelled `defaults.error`, so nothing is called unreachable', () => {
    const steps = '  main: { hangup: true }\n  oops: { play: sorry, next: main }\n';
    expect(codesOf(mini('prompts:\n  sorry: { text: Sorry }\ndefaults: { eror: oops }\n', steps))).toEqual(['unknown-property /defaults/eror']);
    expect(codesOf(mini('prompts:\n  sorry: { text: Sorry }\ndefaults: { timeout: 5 sec }\n', steps))).toEqual(['invalid-duration /defaults/timeout', 'unreachable-step /steps/oops']);
  });

  it('does not read a rejected key as a rival of a menu option', () => {
    const steps = '  main:\n    menu: { prompt: hi, options: { "1": bye, "2": bye }, keys: { "1x": bye } }\n  bye: { hangup: true }\n';
    expect(codesOf(mini('prompts:\n  hi: { text: Hi }\n', steps))).toEqual(['invalid-key /steps/main/menu/keys/1x']);
  });

  it('does not ask for a translation whose key the shape pass rejected', () => {
    const top = 'languages: [en, de]\nprompts:\n  hi: { text: { en: Hi, "d e": Hallo } }\n';
    const got = codesOf(mini(top, '  main: { hangup: [hi] }\n'));
    expect(got.some((c) => c.startsWith('missing-translation'))).toBe(false);
    expect(got.length).toBeGreaterThan(0);
  });

  it('does not blame a `return` when `params` is misspelled', () => {
    const got = codesOf('flow: t\nlanguage: en\nstart: main\nparms: { x: 1 }\nsteps:\n  main: { return: true }\n');
    expect(got).toContain('unknown-property /parms');
    expect(got.some((c) => c.startsWith('return-outside-subflow'))).toBe(false);
  });
});

describe('meaning checks on shape-invalid mutations of real flows', () => {
  it('has real flows to mutate', () => {
    expect(flows.length).toBeGreaterThanOrEqual(4);
    for (const f of flows) expect(paths(f.value).length, f.file).toBeGreaterThan(10);
  });

  it('never throw, whichever node is replaced, deleted or misspelled', () => {
    fc.assert(
      fc.property(flowAndPath, mutation, ({ i, path }, m) => {
        const value = mutate(flows[i]!.value, path, m);
        const diags = validateFlow(value);
        for (const d of diags) expect(d.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 600 },
    );
  });

  it('add no finding of their own to what the shape pass reports (no cascades)', () => {
    const before = flows.map((f) => new Set(meaningOf(f.value)));
    fc.assert(
      fc.property(flowAndPath, mutation, ({ i, path }, m) => {
        fc.pre(onlyBreaks(flows[i]!.value, path, m));
        const value = mutate(flows[i]!.value, path, m);
        fc.pre(breaksShape(value)); // a shape-valid change may well mean something new
        const added = meaningOf(value).filter((k) => !before[i]!.has(k));
        expect(added, `${flows[i]!.file}: ${m.how} ${pointer(...path)}`).toEqual([]);
      }),
      { numRuns: 600 },
    );
  });

  it('add none either when two unrelated nodes are broken at once', () => {
    const before = flows.map((f) => new Set(meaningOf(f.value)));
    fc.assert(
      fc.property(twoPaths, mutation, mutation, ({ i, a, b }, ma, mb) => {
        const root = flows[i]!.value;
        fc.pre(!within(a, b) && !within(b, a) && onlyBreaks(root, a, ma) && onlyBreaks(root, b, mb));
        fc.pre(breaksShape(mutate(root, a, ma)) && breaksShape(mutate(root, b, mb))); // each alone is a shape problem
        const value = mutate(mutate(root, a, ma), b, mb);
        const added = meaningOf(value).filter((k) => !before[i]!.has(k));
        expect(added, `${flows[i]!.file}: ${ma.how} ${pointer(...a)}, ${mb.how} ${pointer(...b)}`).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});

describe('validate: long values in messages', () => {
  it('quotes a 10 KB value by its start and length, not whole', () => {
    const long = 'x'.repeat(10_000);
    const { diagnostics } = loadFlowText(`flow: t\nlanguage: en\nstart: "${long}"\nprompts: { hi: { text: Hi } }\nsteps:\n  bye: { hangup: [hi] }\n`, 't.yaml');
    const start = diagnostics.find((d) => d.code === 'unknown-step');
    expect(start?.message).toContain(`\`${'x'.repeat(60)}…\` (10000 characters)`);
    expect(Math.max(...diagnostics.map((d) => d.message.length))).toBeLessThan(400);
  });

  it('pairs backticks left to right: long plain text between two short quotes stays as written', () => {
    const message = `Menu \`main\` offers no way out: ${'no option leads anywhere, '.repeat(4)}not even \`back\`.`;
    expect(shortenQuotes(message)).toBe(message);
  });
});
