import { describe, expect, it } from 'vitest';
import { callbackConfigFromEnv, resolveCallbackConfig } from '../../src/callbacks/config.js';
import { allowed, compileAllowList, dialString, maskNumber } from '../../src/callbacks/number-policy.js';

describe('callback allow-list patterns', () => {
  const { patterns } = compileAllowList(['+49X.', '0[1-9]XXXXXX', '_NXXNXXXXXX']);

  it.each([
    ['+4930123', true],
    ['+49', false],
    ['4930123', false],
    ['+4430123', false],
    ['01234567', true],
    ['00234567', false],
    ['012345678', false],
    ['2125550100', true],
    ['1125550100', false],
  ])('`%s` allowed: %s', (number, expected) => {
    expect(allowed(number, patterns)).toBe(expected);
  });

  it('reports patterns it cannot read', () => {
    expect(compileAllowList(['+49X.', '49[', 'X.X', '12*', 'abc']).bad).toEqual(['49[', 'X.X', '12*', 'abc']);
  });
});

describe('dial strings', () => {
  it('put a checked number into the configured template', () => {
    expect(dialString('PJSIP/{number}@trunk', '+4930123456')).toBe('PJSIP/+4930123456@trunk');
  });

  it.each(['+49 30', '123&PJSIP/x', '123\r\n', '', '1'.repeat(21)])('refuse `%s`', (number) => {
    expect(() => dialString('PJSIP/{number}@trunk', number)).toThrow(/Refusing to dial/);
  });

  it('mask all but the last four digits for logs', () => {
    expect(maskNumber('+4930123456')).toBe('*******3456');
    expect(maskNumber('123')).toBe('****');
  });
});

describe('callback settings', () => {
  it('apply defaults', () => {
    const result = resolveCallbackConfig({ endpoint: 'PJSIP/{number}@trunk' });
    expect(result).toMatchObject({ ok: true, config: { flow: 'callback', maxAttempts: 3, retryDelayMs: 120_000, maxConcurrent: 2, priority: 10, allow: [] } });
  });

  it.each([
    [{ endpoint: 'PJSIP/trunk' }, 'callback-bad-endpoint'],
    [{ endpoint: 'PJSIP/{number}@trunk\r\nAction: x' }, 'callback-bad-endpoint'],
    [{ endpoint: 'PJSIP/{number}@trunk', callerId: 'ACME\n' }, 'callback-bad-caller-id'],
    [{ endpoint: 'PJSIP/{number}@trunk', flow: '../x' }, 'callback-bad-flow'],
    [{ endpoint: 'PJSIP/{number}@trunk', maxConcurrent: 0 }, 'callback-bad-setting'],
    [{ endpoint: 'PJSIP/{number}@trunk', maxAttempts: 1.5 }, 'callback-bad-setting'],
    [{ endpoint: 'PJSIP/{number}@trunk', allow: ['+49['] }, 'callback-bad-allow'],
  ])('refuse %o with %s', (input, code) => {
    expect(resolveCallbackConfig(input)).toMatchObject({ ok: false, code });
  });

  it('read from TOUCHTONE_CALLBACK_*', () => {
    expect(callbackConfigFromEnv({})).toBeUndefined();
    const result = callbackConfigFromEnv({
      TOUCHTONE_CALLBACK_ENDPOINT: 'PJSIP/{number}@trunk',
      TOUCHTONE_CALLBACK_ALLOW: '+49X., +43X.',
      TOUCHTONE_CALLBACK_MAX_ATTEMPTS: '5',
      TOUCHTONE_CALLBACK_FLOW: 'acme-callback',
    });
    expect(result).toMatchObject({ ok: true, config: { allow: ['+49X.', '+43X.'], maxAttempts: 5, flow: 'acme-callback' } });
    expect(callbackConfigFromEnv({ TOUCHTONE_CALLBACK_ENDPOINT: 'PJSIP/{number}', TOUCHTONE_CALLBACK_MAX_CONCURRENT: 'many' })).toMatchObject({ ok: false, code: 'callback-bad-setting' });
  });
});
