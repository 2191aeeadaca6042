/**
 * The loading API others build on: `loadFlowText` / `loadFlowFile` set `flow` only without errors, place every
 * diagnostic, load sub-flows through an injectable reader, and never throw on bad input.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadFlowFile, loadFlowText } from '../src/flow/load.js';
import { formatDiagnostics, diagnosticsToJson } from '../src/flow/format.js';
import { validateFlow } from '../src/flow/validate.js';

const acmePath = new URL('../flows/acme-hotline.yaml', import.meta.url);
const acme = readFileSync(acmePath, 'utf8');

const base = (steps: string, top = '') => `flow: t\nlanguage: en\nstart: main\n${top}steps:\n${steps}`;

describe('loadFlowText', () => {
  it('returns the flow of a valid file, with no diagnostics', () => {
    const loaded = loadFlowText(acme, 'acme.yaml');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.flow?.flow).toBe('acme-hotline');
    expect(loaded.flow?.steps.main).toHaveProperty('menu');
  });

  it('keeps warnings but still returns the flow', () => {
    const loaded = loadFlowText(base('  main: { hangup: true }\n  old: { hangup: true }\n'), 'w.yaml');
    expect(loaded.diagnostics.map((d) => [d.code, d.severity])).toEqual([['unreachable-step', 'warning']]);
    expect(loaded.flow).toBeDefined();
  });

  it('leaves out the flow when there is an error, and places the error at the value', () => {
    const loaded = loadFlowText(base('  main: { play: hi, next: nowhere }\n', 'prompts: { hi: { text: Hi } }\n'), 'e.yaml');
    expect(loaded.flow).toBeUndefined();
    const [d] = loaded.diagnostics;
    expect(d).toMatchObject({ code: 'unknown-step', severity: 'error', file: 'e.yaml', pointer: '/steps/main/next' });
    expect(d!.range!.start).toMatchObject({ line: 6, col: 27 });
  });

  it('loads sub-flows through the injected reader and reports problems in the sub-flow file', () => {
    const files: Record<string, string> = {
      '/f/sub.yaml': 'flow: sub\nlanguage: en\nparams: { who: null }\nstart: done\nsteps:\n  done: { return: { name: "${whom}" } }\n',
    };
    const main = base('  main: { subflow: { file: sub.yaml, params: { who: x } }, next: bye }\n  bye: { hangup: true }\n');
    const loaded = loadFlowText(main, '/f/main.yaml', { readFile: (p) => files[p] ?? (() => { throw new Error('no'); })() });
    expect(loaded.flow).toBeUndefined();
    expect(loaded.diagnostics.map((d) => [d.file, d.code, d.range?.start.line])).toEqual([['/f/sub.yaml', 'undefined-variable', 6]]);
    expect([...loaded.subflows.keys()]).toEqual(['/f/sub.yaml']);
    expect(loaded.sources.get('/f/sub.yaml')?.text).toBe(files['/f/sub.yaml']);
    expect(formatDiagnostics(loaded.diagnostics, loaded.sources)).toContain('/f/sub.yaml:6:');
  });

  it('returns a valid sub-flow in `subflows` and the main flow', () => {
    const sub = 'flow: sub\nlanguage: en\nparams: {}\nstart: done\nsteps:\n  done: { return: true }\n';
    const main = base('  main: { subflow: { file: s/sub.yaml }, next: bye }\n  bye: { hangup: true }\n');
    const loaded = loadFlowText(main, '/x/main.yaml', { readFile: () => sub });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.flow).toBeDefined();
    expect(loaded.subflows.get('/x/s/sub.yaml')?.flow?.flow).toBe('sub');
  });

  it('finds a cycle through two sub-flows', () => {
    const a = 'flow: a\nlanguage: en\nparams: {}\nstart: s\nsteps:\n  s: { subflow: { file: b.yaml }, next: r }\n  r: { return: true }\n';
    const b = 'flow: b\nlanguage: en\nparams: {}\nstart: s\nsteps:\n  s: { subflow: { file: a.yaml }, next: r }\n  r: { return: true }\n';
    const main = base('  main: { subflow: { file: a.yaml }, next: bye }\n  bye: { hangup: true }\n');
    const loaded = loadFlowText(main, '/c/main.yaml', { readFile: (p) => (p.endsWith('a.yaml') ? a : b) });
    expect(loaded.diagnostics.map((d) => [d.file, d.code])).toEqual([['/c/b.yaml', 'subflow-cycle']]);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const loaded = loadFlowText(text, 'fuzz.yaml');
        expect(Array.isArray(loaded.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on damaged copies of a real flow, and always explains a missing flow', () => {
    const lines = acme.split('\n');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: lines.length - 1 }), fc.integer({ min: 0, max: 200 }), fc.string({ maxLength: 6 }), (line, col, junk) => {
        const copy = [...lines];
        const l = copy[line]!;
        copy[line] = l.slice(0, col) + junk + l.slice(col + junk.length);
        const loaded = loadFlowText(copy.join('\n'), 'damaged.yaml');
        if (!loaded.flow) expect(loaded.diagnostics.some((d) => d.severity === 'error' && d.range)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('takes bytes and reports invalid UTF-8 at its line and column', () => {
    const bytes = Buffer.concat([Buffer.from('flow: t\nlanguage: en\nstart: "ab'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]);
    const [d] = loadFlowText(bytes, 'b.yaml').diagnostics;
    expect(d).toMatchObject({ code: 'not-utf8', range: { start: { line: 3, col: 11 } } });
  });

  it('reads a file that starts with a byte-order mark, with positions as editors show them', () => {
    const text = '\ufeff' + base('  main: { play: hi, next: nowhere }\n', 'prompts: { hi: { text: Hi } }\n');
    for (const input of [text, Buffer.from(text, 'utf8')]) {
      const loaded = loadFlowText(input, 'bom.yaml');
      expect(loaded.diagnostics.map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.col}`)).toEqual(['unknown-step 6:27']);
    }
    const first = loadFlowText('\ufeffflow: t\nlanguage: en\nstart: main\nstep: {}\n', 'bom.yaml').diagnostics;
    expect(first.map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.col}`)).toContain('unknown-property 4:1');
    expect(loadFlowText('\ufeff' + acme, 'acme.yaml').diagnostics).toEqual([]);
  });

  it('warns about a spoken text that a `#` comment cut short, and keeps the flow', () => {
    const prompts = [
      'prompts:',
      '  cut: { text: "x" }',
      '  a:',
      '    text: For sales press 1, for support press # then 2.',
      '  b:',
      '    text:',
      '      en: Press   # then 2',
      '  c:',
      '    text: Welcome to ACME.  # the greeting',
      '  d:',
      '    text: "Press # then 2."',
      '',
    ].join('\n');
    const loaded = loadFlowText(base('  main: { play: [a, b, c, d], next: bye }\n  bye: { hangup: true }\n', prompts), 't.yaml');
    expect(loaded.diagnostics.map((d) => `${d.code} ${d.severity} ${d.range?.start.line}:${d.range?.start.col} ${d.message}`)).toEqual([
      'comment-in-text warning 7:48 The text `For sales press 1, for support press` stops at a `#`: YAML reads the rest of the line as a comment, so callers never hear it.',
      'comment-in-text warning 10:19 The text `Press` stops at a `#`: YAML reads the rest of the line as a comment, so callers never hear it.',
    ]);
    expect(loaded.flow).toBeDefined();
  });

  it('reports an alias that names no anchor as such, not as an alias bomb', () => {
    const loaded = loadFlowText(base('  main: { hangup: true }\n  agent: { hangup: true }\n', 'keys: { "0": *agent }\n'), 'a.yaml');
    expect(loaded.diagnostics.map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.col} ${d.message}`)).toEqual([
      'unknown-alias 4:14 The alias `*agent` names no anchor: YAML reads `*` as "the value marked `&agent` above", and there is none.',
    ]);
  });

  it('reports unquoted keys that YAML reads as other numbers, at the key', () => {
    const steps = '  main: { menu: { prompt: hi, options: { 01: bye, 12: bye, 0x1A: bye, 010: bye, 1e1: bye, +1: bye, 1.0: bye } } }\n  bye: { hangup: true }\n';
    const loaded = loadFlowText(base(steps, 'prompts: { hi: { text: Hi } }\nkeys: { 00: bye }\n'), 'n.yaml');
    expect(loaded.diagnostics.map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.col}`)).toEqual([
      'numeric-key 5:9',
      'numeric-key 7:42',
      'numeric-key 7:60',
      'numeric-key 7:71',
      'numeric-key 7:81',
      'numeric-key 7:91',
      'numeric-key 7:100',
    ]);
    expect(loaded.diagnostics[1]!.message).toBe('The key `01` is read by YAML as the number `1`: quote it (`"01":`) so callers press what you wrote.');
    expect(loaded.diagnostics[2]!.message).toBe('The key `0x1A` is read by YAML as the number `26`: quote it (`"0x1A":`) so callers press what you wrote.');
    // Quoted keys, and digits that read as themselves, are what they look like.
    const fine = '  main: { menu: { prompt: hi, options: { "01": bye, 12: bye }, patterns: { "0X": { next: bye } } } }\n  bye: { hangup: true }\n';
    expect(loadFlowText(base(fine, 'prompts: { hi: { text: Hi } }\n'), 'n.yaml').diagnostics).toEqual([]);
  });
});

describe('loadFlowFile', () => {
  it('reads a file from disk', async () => {
    const loaded = await loadFlowFile(acmePath.pathname);
    expect(loaded.flow?.flow).toBe('acme-hotline');
  });

  it('reports a missing file instead of throwing', async () => {
    const loaded = await loadFlowFile('/no/such/flow.yaml');
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['file-not-found']);
  });
});

describe('validateFlow', () => {
  it('validates a plain value: shape first', () => {
    expect(validateFlow({ flow: 'x' }).map((d) => d.code)).toEqual(['missing-property', 'missing-property', 'missing-property']);
  });

  it('then meaning, with pointers', () => {
    const diags = validateFlow({ flow: 'x', language: 'en', start: 'a', steps: { a: { play: 'nope', next: 'a' } } });
    expect(diags.map((d) => [d.code, d.pointer])).toEqual([
      ['unknown-prompt', '/steps/a/play'],
      ['input-free-loop', '/steps/a'],
    ]);
  });
});

describe('formatDiagnostics and diagnosticsToJson', () => {
  it('print the same problems: heading, code frame and hint in text; fields in JSON', () => {
    const loaded = loadFlowText(base('  main: { play: hi, next: nowhere }\n', 'prompts: { hi: { text: Hi } }\n'), 'e.yaml');
    const text = formatDiagnostics(loaded.diagnostics, loaded.sources);
    expect(text.split('\n')).toEqual([
      'e.yaml:6:27: error unknown-step: Step `nowhere` does not exist.',
      '  4 | prompts: { hi: { text: Hi } }',
      '  5 | steps:',
      '> 6 |   main: { play: hi, next: nowhere }',
      '    |                           ^^^^^^^',
      '  hint: Name a step from `steps` (the message suggests the closest); `back`, `top` and `repeat` work only in options and keys.',
    ]);
    expect(diagnosticsToJson(loaded.diagnostics)).toEqual([
      expect.objectContaining({ file: 'e.yaml', line: 6, column: 27, severity: 'error', code: 'unknown-step', pointer: '/steps/main/next' }),
    ]);
  });

  it('colours only when asked', () => {
    const loaded = loadFlowText('', 'empty.yaml');
    expect(formatDiagnostics(loaded.diagnostics, loaded.sources)).not.toContain('\x1b[');
    expect(formatDiagnostics(loaded.diagnostics, loaded.sources, { color: true })).toContain('\x1b[');
  });
});

describe('sub-flows that are broken files', () => {
  it('report the sub-flow file’s own problem and nothing that would need its content', () => {
    let bomb = 'flow: s\nlanguage: en\nparams: {}\nstart: r\nsteps:\n  r: { return: true }\nx0: &x0 [a, a, a, a, a, a, a, a, a]\n';
    for (let i = 1; i < 7; i++) bomb += `x${i}: &x${i} [${Array(9).fill(`*x${i - 1}`).join(', ')}]\n`;
    const main = 'flow: t\nlanguage: en\nstart: main\nsteps:\n  main: { subflow: { file: bomb.yaml }, next: bye }\n  bye: { hangup: true }\n';
    const loaded = loadFlowText(main, '/b/main.yaml', { readFile: () => bomb });
    expect(loaded.diagnostics.map((d) => [d.file, d.code])).toEqual([['/b/bomb.yaml', 'alias-bomb']]);
  });
});

describe('validateFlow on arbitrary values', () => {
  it('never throws and always explains itself', () => {
    const step = fc.dictionary(fc.constantFrom('play', 'menu', 'input', 'lookup', 'branch', 'hangup', 'next', 'options', 'prompt', 'queue', 'set', 'else', 'paly'), fc.anything(), { maxKeys: 3 });
    const flow = fc.record({ flow: fc.anything(), language: fc.constantFrom('en', 'de', 3), start: fc.constantFrom('a', 'b'), steps: fc.dictionary(fc.constantFrom('a', 'b', 'c'), step) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), flow), (value) => {
        const diags = validateFlow(value);
        for (const d of diags) expect(d.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('meaning checks on mutated real flows', () => {
  it('never throw, whichever value is replaced', () => {
    const flow = loadFlowText(acme, 'acme.yaml').flow!;
    const leaves: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
      else leaves.push(path);
    };
    walk(flow, []);
    const values = ['main', 'agent', 'back', 'top', '', '${acct.balance}', '${pin', '0', '5s', 'x > ', 'de', '1XX', 0, true, null, []];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: leaves.length - 1 }), fc.constantFrom(...values), (i, value) => {
        const copy = structuredClone(flow) as unknown as Record<string, unknown>;
        const path = leaves[i]!;
        let node = copy;
        for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
        node[path[path.length - 1]!] = value;
        expect(() => validateFlow(copy)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });
});

describe('code frames on long lines', () => {
  it('show a window around the column, with the caret under the value', () => {
    const filler = Array.from({ length: 30 }, (_, i) => `"${i + 1}": bye`).join(', ');
    const text = `flow: t\nlanguage: en\nstart: main\nsteps:\n  main: { menu: { prompt: hi, options: { ${filler}, "99": nowhere } } }\n  bye: { hangup: true }\n`;
    const loaded = loadFlowText(text, 'long.yaml');
    const lines = formatDiagnostics(loaded.diagnostics.filter((d) => d.code === 'unknown-step'), loaded.sources).split('\n');
    const frame = lines.find((l) => l.startsWith('> 5 |'))!;
    const caret = lines.find((l) => l.includes('^'))!;
    expect(frame.length).toBeLessThan(140);
    expect(frame.slice(caret.indexOf('^'), caret.indexOf('^') + 'nowhere'.length)).toBe('nowhere');
  });
});
