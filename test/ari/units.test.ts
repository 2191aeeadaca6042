import { describe, expect, it } from 'vitest';
import { AriConfigError, ariOptionsFromEnv, createAriAdapter, transferOutcome } from '../../src/telephony/ari/index.js';
import { backoffDelay } from '../../src/telephony/ari/event-socket.js';
import { argsFromAppData } from '../../src/telephony/ari/call-facts.js';
import { ariBaseUrl } from '../../src/telephony/ari/rest-client.js';

describe('transfer outcome mapping', () => {
  it.each([
    ['ANSWER', undefined, 'answered'],
    ['BUSY', undefined, 'busy'],
    ['NOANSWER', undefined, 'noAnswer'],
    ['CHANUNAVAIL', undefined, 'failed'],
    ['CONGESTION', undefined, 'failed'],
    [undefined, 17, 'busy'],
    [undefined, 18, 'noAnswer'],
    [undefined, 19, 'noAnswer'],
    [undefined, 16, 'failed'],
    [undefined, undefined, 'failed'],
  ] as const)('dial status %s / cause %s → %s', (status, cause, outcome) => {
    expect(transferOutcome(status, cause)).toBe(outcome);
  });
});

describe('reconnect backoff', () => {
  it('doubles from the initial delay, is capped, and jitters by ±25 %', () => {
    const mid = (): number => 0.5;
    expect([0, 1, 2, 3, 10, 100].map((n) => backoffDelay(n, 250, 10_000, mid))).toEqual([250, 500, 1000, 2000, 10_000, 10_000]);
    expect(backoffDelay(0, 1000, 10_000, () => 0)).toBe(750);
    expect(backoffDelay(0, 1000, 10_000, () => 1)).toBe(1250);
  });
});

describe('options', () => {
  it('reads the environment and returns undefined without a URL', () => {
    expect(ariOptionsFromEnv({})).toBeUndefined();
    expect(ariOptionsFromEnv({ TOUCHTONE_ARI_URL: 'http://127.0.0.1:8088', TOUCHTONE_ARI_USER: 'u', TOUCHTONE_ARI_PASSWORD: 'p', TOUCHTONE_ARI_APP: 'ivr' })).toEqual({
      url: 'http://127.0.0.1:8088',
      username: 'u',
      password: 'p',
      app: 'ivr',
    });
  });

  it('refuses missing credentials, credentials in the URL and bad app names, without echoing the password', () => {
    expect(() => ariOptionsFromEnv({ TOUCHTONE_ARI_URL: 'http://127.0.0.1:8088', TOUCHTONE_ARI_USER: 'u' })).toThrow(AriConfigError);
    const withCreds = (): unknown => createAriAdapter({ url: 'http://u:hunter2@127.0.0.1:8088', username: 'u', password: 'hunter2' });
    expect(withCreds).toThrow(/credentials/);
    try {
      withCreds();
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
      expect((err as AriConfigError).code).toBe('ARI_URL_CREDENTIALS');
    }
    expect(() => createAriAdapter({ url: 'not a url', username: 'u', password: 'p' })).toThrow(/is not a URL/);
    expect(() => createAriAdapter({ url: 'http://127.0.0.1:8088', username: 'u', password: 'p', app: 'a,b' })).toThrow(/application name/);
  });

  it('normalises the ARI base path', () => {
    expect(ariBaseUrl('http://127.0.0.1:8088').href).toBe('http://127.0.0.1:8088/ari');
    expect(ariBaseUrl('http://127.0.0.1:8088/ari/').href).toBe('http://127.0.0.1:8088/ari');
    expect(ariBaseUrl('https://pbx.example:8089/asterisk').href).toBe('https://pbx.example:8089/asterisk/ari');
  });
});

describe('Stasis application data', () => {
  it('splits the arguments after the app name', () => {
    expect(argsFromAppData('touchtone,acme-hotline,vip=1')).toEqual(['acme-hotline', 'vip=1']);
    expect(argsFromAppData('touchtone')).toEqual([]);
    expect(argsFromAppData(undefined)).toEqual([]);
  });
});
