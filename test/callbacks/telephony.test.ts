import { describe, expect, it } from 'vitest';
import { ariOriginator, callbackOutcome, type AriOriginate } from '../../src/callbacks/telephony.js';

function fakeAri(result: Awaited<ReturnType<AriOriginate['originate']>>): AriOriginate & { requests: Parameters<AriOriginate['originate']>[0][] } {
  const requests: Parameters<AriOriginate['originate']>[0][] = [];
  return {
    requests,
    async originate(request) {
      requests.push(request);
      return result;
    },
  };
}

describe('ARI originator', () => {
  it('passes the variables as Stasis arguments and channel variables, the caller ID number, and reports the call as placed', async () => {
    const ari = fakeAri({ ok: true, channelId: 'touchtone-out-1' });
    const result = await ariOriginator(ari, { ringTimeoutMs: 25_000 }).originate({ endpoint: 'PJSIP/+4930123@trunk', callerId: '"ACME" <+4930555>', flow: 'callback', vars: { TOUCHTONE_CALLBACK_ID: 'cb-1' } });
    expect(result).toEqual({ ok: true, placed: true });
    expect(ari.requests).toEqual([{ endpoint: 'PJSIP/+4930123@trunk', flow: 'callback', args: { TOUCHTONE_CALLBACK_ID: 'cb-1' }, variables: { TOUCHTONE_CALLBACK_ID: 'cb-1' }, callerId: '+4930555', timeoutMs: 25_000 }]);
  });

  it('leaves out a caller ID that is not a number', async () => {
    const ari = fakeAri({ ok: true, channelId: 'x' });
    await ariOriginator(ari).originate({ endpoint: 'PJSIP/1@t', callerId: 'ACME', flow: 'callback', vars: {} });
    expect(ari.requests[0]).not.toHaveProperty('callerId');
  });

  it('turns a refused originate into a failed attempt with the reason', async () => {
    const ari = fakeAri({ ok: false, code: 'ARI_ORIGINATE_FAILED', message: 'Asterisk refused the call.' });
    expect(await ariOriginator(ari).originate({ endpoint: 'PJSIP/1@t', flow: 'callback', vars: {} })).toEqual({ ok: false, reason: 'ARI_ORIGINATE_FAILED: Asterisk refused the call.' });
  });
});

describe('callback call outcomes', () => {
  it.each([
    [{ kind: 'queued', step: 'queue', queue: 'support' }, { ok: true }],
    [{ kind: 'transferred', step: 't', department: 'sales' }, { ok: true }],
    [{ kind: 'completed', step: 'declined' }, { ok: true }],
    [{ kind: 'hungup', step: 'offer' }, { ok: false, reason: 'hungup at step `offer`' }],
    [{ kind: 'failed', step: 'offer', code: 'x-code', reason: 'boom' }, { ok: false, reason: 'failed at step `offer`: x-code' }],
  ] as const)('%o counts as %o', (outcome, expected) => {
    expect(callbackOutcome(outcome)).toEqual(expected);
  });
});
