import { describe, expect, it } from 'vitest';
import { compileFlow, CompileError } from '../../compile/compile-flow.js';
import { parse } from 'yaml';
import { loadFlowText } from '../../flow/load.js';
import type { FlowDoc } from '../../flow/types.js';
import { startCall } from '../../../test/engine/helpers.js';

const MAIN = `
flow: main
language: en
start: ask-pin
variables: { account: "42" }
steps:
  ask-pin:
    subflow: { file: pin.yaml, params: { who: "\${account}" }, into: result }
    next: after
  after: { hangup: true }
`;

const PIN = `
flow: pin
language: en
start: enter
params: { who: null, tries: 3 }
prompts: { p: { text: "PIN", duration: 1s } }
steps:
  enter:
    input: { prompt: p, digits: 4, into: pin }
    next: done
  done:
    return: { ok: "yes", for: "\${who}" }
`;

function load() {
  const loaded = loadFlowText(MAIN, '/flows/main.yaml', { readFile: () => PIN });
  if (!loaded.flow) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  return loaded;
}

describe('subflow and return', () => {
  it("inlines the subflow's steps under the call step's name", () => {
    const loaded = load();
    const compiled = compileFlow({ flow: loaded.flow!, file: loaded.file, subflows: loaded.subflows });
    expect(compiled.stepNames).toEqual(expect.arrayContaining(['ask-pin', 'ask-pin/enter', 'ask-pin/done', 'after']));
  });

  it('binds params, runs the subflow, returns values into `into` and continues at next', async () => {
    const loaded = load();
    const rig = await startCall(loaded.flow!, { subflows: loaded.subflows, file: loaded.file });
    expect(rig.step()).toBe('ask-pin/enter');
    expect(rig.call.vars).toMatchObject({ who: '42', tries: 3 });
    await rig.press('1234');
    expect(await rig.call.done).toEqual({ kind: 'completed', step: 'after' });
    expect(rig.call.vars['result']).toEqual({ ok: 'yes', for: '42' });
  });

  it('a subflow that calls itself is a compile error', () => {
    const self = PIN.replace('start: enter', 'start: again').replace('steps:', 'steps:\n  again:\n    subflow: { file: pin.yaml }\n    next: enter');
    // The loader refuses such a file; the compiler must refuse it too when handed one directly.
    const pinDoc = parse(self) as FlowDoc;
    const main = load();
    const subflows = new Map([['/flows/pin.yaml', { flow: pinDoc }]]);
    expect(() => compileFlow({ flow: main.flow!, file: '/flows/main.yaml', subflows })).toThrow(CompileError);
  });
});
