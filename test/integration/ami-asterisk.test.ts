/**
 * AMI against a real Asterisk with the shipped `asterisk-config/manager.conf` and `queues.conf`. Runs only when
 * TOUCHTONE_TEST_AMI_HOST (and TOUCHTONE_TEST_AMI_SECRET; TOUCHTONE_TEST_AMI_PORT and TOUCHTONE_TEST_AMI_USER
 * default to 5038 and `touchtone`) are set; see README `asterisk`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiClient, createAmiQueueStatus, type AmiQueueStatus } from '../../src/telephony/ami/index.js';
import type { Logger } from '../../src/runtime/services.js';

const host = process.env.TOUCHTONE_TEST_AMI_HOST;
const options = {
  host: host ?? '',
  port: Number(process.env.TOUCHTONE_TEST_AMI_PORT ?? '5038'),
  username: process.env.TOUCHTONE_TEST_AMI_USER ?? 'touchtone',
  secret: process.env.TOUCHTONE_TEST_AMI_SECRET ?? '',
  timeoutMs: 2000,
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(host !== undefined)('AMI on a real Asterisk', () => {
  const warnings: Array<{ obj: object; msg: string }> = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (obj, msg) => void warnings.push({ obj, msg: msg ?? '' }), error: () => undefined };
  let queues: AmiQueueStatus;
  let client: AmiClient;

  beforeAll(async () => {
    queues = createAmiQueueStatus({ ...options, logger });
    client = new AmiClient({ ...options, logger });
    for (let i = 0; i < 100 && !(queues.status().connected && client.health().connected); i++) await sleep(50);
    expect(queues.status()).toMatchObject({ connected: true });
  });
  afterAll(async () => {
    await queues?.close();
    await client?.close();
  });

  it('the least-privilege user reads a queue summary, with a hyphen in the queue name', async () => {
    const status = await queues.status('touchtone-operators', new AbortController().signal);
    expect(status).toBeDefined();
    for (const n of Object.values(status!)) expect(Number.isInteger(n) && n >= 0).toBe(true);
    expect(status!.free).toBeLessThanOrEqual(status!.loggedIn);
  });

  it('an unknown queue is unknown (the flow follows whenUnknown), with one warning naming it', async () => {
    expect(await queues.status('no-such-queue', new AbortController().signal)).toBeUndefined();
    expect(warnings.filter((w) => (w.obj as { code?: string }).code === 'ami-unknown-queue')).toHaveLength(1);
  });

  it.each([
    ['Originate', { Channel: 'Local/s@touchtone-test-agents', Application: 'Wait', Data: '1' }],
    ['Command', { Command: 'core show version' }],
    ['QueueAdd', { Queue: 'support', Interface: 'PJSIP/sales' }],
    ['Redirect', { Channel: 'none', Context: 'touchtone-fallback', Exten: 's', Priority: '1' }],
  ] as const)('the shipped user cannot %s', async (action, fields) => {
    const result = await client.action({ Action: action, ...fields });
    expect(result).toMatchObject({ ok: false, code: 'ami-error' });
    expect(result.ok ? '' : result.message).toMatch(/permission denied/i);
  });
});
