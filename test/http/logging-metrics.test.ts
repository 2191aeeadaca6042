import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { instrumentPort } from '../../src/metrics/instrument-port.js';
import { VirtualClock } from '../../src/runtime/clock.js';
import type { CallPort, PortEventListener } from '../../src/telephony/port.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('writes JSON lines and redacts secrets wherever they appear', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info', destination: stream });
    log.info({ token: 'tok-1', config: { ari: { password: 'pw-2' }, ami: { secret: 'sec-3' } }, headers: { authorization: 'Bearer tok-4' }, flow: 'demo' }, 'hello');
    log.debug({ flow: 'hidden' }, 'below the level');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'hello', flow: 'demo', token: '****', app: 'touchtone' });
    for (const secret of ['tok-1', 'pw-2', 'sec-3', 'tok-4']) expect(lines[0]).not.toContain(secret);
  });
});

describe('key-to-command latency', () => {
  it('measures from a key to the next command on the line, once per key', async () => {
    const clock = new VirtualClock();
    const metrics = createMetrics();
    let listener: PortEventListener | undefined;
    const calls: string[] = [];
    const port = {
      facts: { callId: 'c1', channel: 'x', caller: '', dialled: '', args: {} },
      onEvent: (l: PortEventListener) => void (listener = l),
      stopPlayback: (id: string) => void calls.push(`stop ${id}`),
      play: (id: string) => void calls.push(`play ${id}`),
    } as unknown as CallPort;
    const wrapped = instrumentPort(port, metrics.keyToCommandSeconds, clock);
    expect(wrapped.facts.callId).toBe('c1');
    wrapped.onEvent(() => undefined);
    wrapped.play('p0', []);
    listener!({ type: 'key', digit: '1' });
    await clock.advance(30);
    wrapped.stopPlayback('p0');
    wrapped.play('p1', []);
    expect(calls).toEqual(['play p0', 'stop p0', 'play p1']);
    const text = await metrics.registry.getSingleMetricAsString('touchtone_key_to_command_seconds');
    expect(text).toContain('touchtone_key_to_command_seconds_count 1');
    expect(text).toContain('touchtone_key_to_command_seconds_sum 0.03');
    expect(text).toContain('touchtone_key_to_command_seconds_bucket{le="0.025"} 0');
    expect(text).toContain('touchtone_key_to_command_seconds_bucket{le="0.05"} 1');
  });
});
