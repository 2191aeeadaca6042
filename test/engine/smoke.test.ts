import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { flowOf, startCall } from './helpers.js';

const acme = flowOf(readFileSync(new URL('../../flows/acme-hotline.yaml', import.meta.url), 'utf8'));

describe('acme hotline end to end', () => {
  it('welcomes, reaches the main menu and takes a balance', async () => {
    const rig = await startCall(acme, {
      now: Date.parse('2026-01-05T09:00:00Z'),
      services: { data: { accounts: [{ number: '1234567', balance: 42.5 }] } },
    });
    expect(rig.step()).toBe('welcome');
    await rig.advance(2000);
    expect(rig.step()).toBe('main');
    await rig.press('1');
    expect(rig.step()).toBe('balance');
    await rig.press('1234567#');
    await rig.advance(10);
    expect(rig.call.vars['account']).toBe('1234567');
    expect(rig.heard().join(' | ')).toContain('your-balance-is');
    await rig.advance(30_000);
    expect(rig.step()).toBe('main');
    rig.phone.hangupByCaller();
    expect(await rig.call.done).toEqual({ kind: 'hungup', step: 'main' });
    expect(rig.clock.pending).toBe(0);
  });
});
