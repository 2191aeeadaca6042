import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

describe('set', () => {
  it('sets literals, templates and CEL expressions in order, each traced', async () => {
    const rig = await startCall(`
flow: sets
language: en
start: s
variables: { first: "Ada", tries: 1 }
steps:
  s:
    set: { greeting: "Hello \${first}", tries: { expr: "tries + 1" }, vip: true, double: { expr: "tries * 2" } }
    next: done
  done: { hangup: true }
`);
    await rig.call.done;
    expect(rig.call.vars).toMatchObject({ greeting: 'Hello Ada', tries: 2, vip: true, double: 4 });
    expect(rig.call.trace.filter((e) => e.type === 'var').map((e) => (e.type === 'var' ? `${e.name}=${e.value}` : ''))).toEqual(['greeting=Hello Ada', 'tries=2', 'vip=true', 'double=4']);
  });
});
