import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

const FLOW = (bargeIn: boolean) => `
flow: plays
language: en
start: say
variables: { amount: 42.5, code: "0815" }
prompts: { balance: { sound: acme/balance, text: "Your balance is", duration: 1s } }
steps:
  say:
    play: [balance, { money: "\${amount}", currency: EUR }, { digits: "\${code}" }, { silence: 500ms }]
    bargeIn: ${bargeIn}
    next: ask
  ask: { menu: { prompt: balance, options: { "1": done } } }
  done: { hangup: true }
`;

describe('play', () => {
  it('plays its items as one playback (prompts, money said in the language, digits), then goes on', async () => {
    const rig = await startCall(FLOW(true));
    const [playback] = rig.phone.playbacks;
    expect(playback?.media[0]).toMatchObject({ kind: 'sound', name: 'acme/balance', prompt: 'balance', text: 'Your balance is' });
    expect(playback?.text()).toContain('42');
    expect(playback?.media.some((m) => m.kind === 'digits' && m.value === '0815')).toBe(true);
    await rig.advance(playback!.durationMs);
    expect(rig.step()).toBe('ask');
  });

  it('with barge-in a key ends the play and waits for the next menu', async () => {
    const rig = await startCall(FLOW(true));
    await rig.press('1');
    expect(await rig.call.done).toEqual({ kind: 'completed', step: 'done' });
  });

  it('without barge-in keys are dropped and the play runs to its end', async () => {
    const rig = await startCall(FLOW(false));
    await rig.press('1');
    expect(rig.step()).toBe('say');
    await rig.advance(rig.phone.playbacks[0]!.durationMs);
    expect(rig.step()).toBe('ask');
    expect(rig.heard()).toHaveLength(1 + 1);
  });
});

describe('play: a sound named by a record', () => {
  const flow = (sound: string) => `
flow: catalogue
language: en
start: say
variables: { name: Toaster, sound: "${sound}" }
steps:
  say:
    play: [{ sound: "acme/products/\${sound}", text: "\${name}" }, { sound: acme/costs, text: costs }]
    next: done
  done: { hangup: true }
`;

  it('plays the rendered sound with the record’s text', async () => {
    const rig = await startCall(flow('toaster'));
    expect(rig.phone.playbacks[0]?.media.slice(0, 1)).toEqual([{ kind: 'sound', name: 'acme/products/toaster', text: 'Toaster' }]);
    expect(rig.call.trace.some((e) => e.type === 'note' && e.code === 'unsafe-sound')).toBe(false);
  });

  it('skips an unsafe name with an `unsafe-sound` note and plays the rest; the call goes on', async () => {
    const rig = await startCall(flow('../../etc/passwd'));
    expect(rig.phone.playbacks[0]?.media).toEqual([{ kind: 'sound', name: 'acme/costs', text: 'costs' }]);
    const note = rig.call.trace.find((e) => e.type === 'note' && e.code === 'unsafe-sound');
    expect(note).toMatchObject({ step: 'say' });
    expect(JSON.stringify(note)).toContain('acme/products/../../etc/passwd');
    await rig.advance(rig.phone.playbacks[0]!.durationMs);
    expect(await rig.call.done).toEqual({ kind: 'completed', step: 'done' });
  });
});

describe('play: templates read the call facts', () => {
  it('`${call.caller}`, `${call.dialled}` and the local time render as documented', async () => {
    const rig = await startCall(`
flow: facts
language: en
start: say
steps:
  say:
    play: [{ sound: x/hello, text: "from \${call.caller} to \${call.dialled} at \${call.hour}:\${call.minute} on \${call.weekday}" }, { digits: "\${call.dialled}" }]
    next: done
  done: { hangup: true }
`);
    // START is Monday 2026-01-05 09:00 UTC; a flow without hours runs in UTC.
    expect(rig.phone.playbacks[0]?.media[0]).toEqual({ kind: 'sound', name: 'x/hello', text: 'from +4930123456 to 100 at 9:0 on mon' });
    expect(rig.phone.playbacks[0]?.media[1]).toMatchObject({ kind: 'digits', value: '100' });
  });
});
