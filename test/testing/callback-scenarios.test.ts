/** Scenarios can make callback requests be booked or refused, so a flow's `callback.refused` can be covered. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { captureIO } from './capture-io.js';

const FLOW = `flow: hold
language: en
start: q
prompts:
  offer: { text: "Press 1 to be called back." }
  booked: { text: "We will call you back." }
  sorry: { text: "Sorry, we cannot call you back. Please hold." }
queues: { support: { whenUnknown: open } }
steps:
  q:
    queue: { name: support, callback: { key: "1", prompt: offer, next: booked, refused: sorry } }
  booked: { hangup: [booked] }
  sorry: { play: [sorry], next: again }
  again:
    queue: { name: support }
`;

const BOOKED = `  - name: booked
    steps:
      - expect prompt: offer
      - press: "1"
      - expect prompt: booked
      - expect outcome: { kind: completed, step: booked }
`;

const REFUSED = `  - name: refused
    callbacks: refuse
    steps:
      - press: "1"
      - expect prompt: sorry
      - expect outcome: { kind: queued, step: again }
`;

const HOLDS = `  - name: holds
    steps:
      - expect prompt: offer
      - wait: 10s
      - expect outcome: { kind: queued, step: q }
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function testDir(scenarios: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tt-callback-scenarios-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'hold.yaml'), FLOW);
  writeFileSync(join(dir, 'hold.test.yaml'), `defaults:\n  queues: { support: free }\nscenarios:\n${scenarios}`);
  const io = captureIO();
  const code = await main(['test', '--coverage', '--min-coverage', '100', '--skeletons', dir], io);
  return { code, out: io.text() };
}

describe('callbacks in scenarios', () => {
  it('`callbacks: refuse` takes callback.refused; with both scenarios the flow is fully covered', async () => {
    const r = await testDir(BOOKED + REFUSED + HOLDS);
    expect(r.out).toContain('3 scenario(s): 3 passed, 0 failed');
    expect(r.out).toMatch(/hold \(.*\): 100% covered/);
    expect(r.code).toBe(0);
  });

  it('without a refusing scenario, the refused branch is missing and its skeleton sets `callbacks: refuse`', async () => {
    const r = await testDir(BOOKED + HOLDS);
    expect(r.out).toContain('missing: `q` callbackRefused → `sorry`');
    expect(r.out).toContain('callbacks: refuse');
    expect(r.out).toContain('- press: "1"  # during the callback offer');
    expect(r.code).toBe(1);
  });

  it('rejects another value with its position', async () => {
    const r = await testDir(BOOKED.replace('    steps:', '    callbacks: maybe\n    steps:'));
    expect(r.out).toContain('`callbacks` must be `book` or `refuse`, not `maybe`.');
    expect(r.code).toBe(2);
  });
});
