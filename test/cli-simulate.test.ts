import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { main } from '../src/cli/main.js';
import { parseScript } from '../src/cli/simulate.js';
import { captureIO } from './testing/capture-io.js';

const MONDAY = '2026-12-07T10:00:00+01:00';

async function simulate(...args: string[]) {
  const io = captureIO();
  const code = await main(['simulate', 'flows/acme-hotline.yaml', ...args], io);
  return { code, out: io.text(), err: io.stderr.join('\n') };
}

describe('parseScript', () => {
  it('reads keys, waits and hangup', () => {
    expect(parseScript('1, wait 6s, 2#,hangup')).toEqual({
      actions: [
        { kind: 'press', keys: '1' },
        { kind: 'wait', ms: 6000 },
        { kind: 'press', keys: '2#' },
        { kind: 'hangup' },
      ],
    });
    expect(parseScript('1, sleep').error).toContain('`sleep` is not a script action');
    expect(parseScript('wait soon').error).toContain('`wait soon` needs a duration');
  });
});

describe('touchtone simulate --script', () => {
  it('without --data, looks up the flow\'s real sources: the SQLite seed and the CSV table', async () => {
    const r = await simulate('--script', '1, 123456#, wait 5s, 3, 1002, wait 5s, hangup', '--now', MONDAY);
    expect(r.code).toBe(0);
    expect(r.out).toContain('lookup accounts: found');
    expect(r.out).toContain('plays: Your balance is 42 euros and 50 cents');
    // The CSV read must not lose a race against the lookup's virtual timeout.
    expect(r.out).toContain('lookup prices: found');
    expect(r.out).toContain('costs 39 euros');
  });

  it('runs on the virtual clock and prints prompts as text, steps, keys and the outcome', async () => {
    const started = Date.now();
    const r = await simulate('--script', '1, 12345678#, wait 6s, hangup', '--now', MONDAY, '--data', 'test/testing/fixtures/acme-data.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[00:00\.0\] step welcome \(play\)/);
    expect(r.out).toContain('plays: Welcome to ACME.');
    expect(r.out).toContain('step main (menu)');
    expect(r.out).toContain('key 1');
    expect(r.out).toContain('plays: Please enter your account number, followed by the hash key.');
    expect(r.out).toMatch(/plays: Your balance is .*42/);
    expect(r.out).toMatch(/outcome: hungup at step main$/);
    // Virtual: the script's 6 s wait and the prompts take no real time.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('applies fakes from options and runs the call to its end after the script', async () => {
    const r = await simulate('--script', '4', '--now', MONDAY, '--department', 'sales=busy', '--queue', 'support=none');
    expect(r.out).toContain('plays: Sales is busy. Let me find an agent for you.');
    expect(r.out).toContain('(end of script: the call runs on to its end)');
    expect(r.out).toContain('step voicemail (record)');
    expect(r.out).toMatch(/outcome: \w+ at step goodbye$/);
  });

  it('stamps the outcome with the time the call ended, not the end of a longer wait', async () => {
    const r = await simulate('--script', 'wait 30s', '--now', '2026-12-06T11:00:00+01:00');
    expect(r.out).toContain('[00:13.6] plays: Thank you for calling ACME. Goodbye.');
    expect(r.out).toMatch(/\n\[00:15\.8\] outcome: completed at step goodbye$/);
  });

  it('exits 2 on a bad script or fake, 1 on a flow with errors', async () => {
    expect((await simulate('--script', '1, jump')).code).toBe(2);
    const bad = await simulate('--script', '1', '--hours', 'office=shut');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('`shut` is not an hours fake');
    const typo = await simulate('--script', '4', '--department', 'sals=busy', '--lookup', 'acounts=error');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('touchtone simulate: Flow `acme-hotline` has no department `sals`, so this `--department` entry would be ignored. Did you mean `sales`? Name one of its departments: `sales`.');
    expect(typo.err).toContain('has no data source `acounts`, so this `--lookup` entry would be ignored. Did you mean `accounts`?');
    expect(typo.out).toBe('');
    const io = captureIO();
    expect(await main(['simulate', 'no/such.yaml', '--script', '1'], io)).toBe(1);
  });
});

const cli = ['--import', 'tsx', 'src/cli/main.ts', 'simulate', 'flows/acme-hotline.yaml', '--now', MONDAY, '--hours', 'office=open'];

describe('touchtone simulate, interactive', () => {
  it('reads keys from a pipe in real time and exits when the call ends', async () => {
    const child = spawn(process.execPath, cli, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('step main (menu)') && !child.stdin.writableEnded) child.stdin.end('0');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('Reading keys from stdin.');
    expect(out).toContain('key 0');
    expect(out).toMatch(/outcome: queued to queue support at step agent/);
    expect(code).toBe(0);
  }, 30_000);

  it('works in a terminal under tmux (installed by .ci/run)', async () => {
    const session = `tt-${process.pid}`;
    const command = [process.execPath, ...cli].map((a) => `'${a}'`).join(' ');
    expect(spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '50', `${command}; sleep 30`], { cwd: process.cwd() }).status).toBe(0);
    const pane = () => spawnSync('tmux', ['capture-pane', '-p', '-t', session]).stdout.toString();
    const until = async (text: string) => {
      for (let i = 0; i < 200 && !pane().includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      return pane();
    };
    try {
      expect(await until('step main (menu)')).toContain('Press q or Ctrl-C to hang up.');
      spawnSync('tmux', ['send-keys', '-t', session, '0']);
      expect(await until('outcome:')).toMatch(/outcome: queued to queue support at step agent/);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  }, 30_000);
});
