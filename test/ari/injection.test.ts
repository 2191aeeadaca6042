import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { callFacts } from '../../src/telephony/ari/call-facts.js';
import { cleanValue, isEndpoint, toMediaUris } from '../../src/telephony/ari/sanitize.js';
import { eventsOf, startRig, waitFor, type Rig } from './harness.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const HOSTILE = [
  '123&PJSIP/evil',
  '1,20,tTL(1)',
  '1;rm -rf /',
  '../../etc/passwd',
  '${SHELL(id)}',
  '1\r\nAction: Originate\r\n',
  `"quoted" 'single'`,
  'x'.repeat(10 * 1024),
];

describe('caller input never becomes a dial string, variable name, path or header', () => {
  it.each(HOSTILE)('hostile caller, dialled number and Stasis args: %s', async (evil) => {
    rig = await startRig({ ari: { routes: { [evil]: 'never' } } });
    const { id } = rig.fake.placeCall({ caller: evil, callerName: evil, dialled: evil, args: [evil, `k=${evil}`, `${evil}=v`] });
    const call = await rig.call();
    const f = call.port.facts;
    for (const value of [f.caller, f.dialled, f.callerName ?? '', ...Object.values(f.args)]) {
      expect(value).not.toMatch(/[\r\n\u0000]/);
      expect(value.length).toBeLessThanOrEqual(256);
    }
    expect(f.flow === undefined || /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(f.flow)).toBe(true);
    expect(Object.keys(f.args).every((k) => /^[A-Za-z][A-Za-z0-9_]*$/.test(k))).toBe(true);

    // A flow doing the usual things with these facts.
    call.port.answer();
    call.port.setVariables({ TOUCHTONE_CALLER: f.caller, [`TOUCHTONE_${f.dialled}`]: 'x' });
    call.port.play('p', [{ kind: 'digits', value: f.caller }]);
    call.port.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 1000 });
    await waitFor(() => eventsOf(call, 'transfer.result').length && eventsOf(call, 'playback.finished').length, 'commands done');

    for (const r of rig.fake.requests) {
      expect(r.path).not.toContain('evil');
      expect(r.path).not.toMatch(/[\r\n]/);
      if (r.query.endpoint !== undefined) expect(r.query.endpoint).toBe('PJSIP/sales');
      if (r.query.variable !== undefined) expect(r.query.variable).toMatch(/^__TOUCHTONE_[A-Z0-9_]+$/);
      if (r.query.media !== undefined) expect(r.query.media).not.toContain(',');
      for (const v of Object.values(r.query)) expect(v).not.toMatch(/[\r\n]/);
    }
    expect(Object.keys(rig.fake.channels.get(id)!.variables)).toEqual(['__TOUCHTONE_CALLER']);
  });

  it('property: facts from any channel strings are clean and bounded', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.string({ maxLength: 600 }), fc.array(fc.string({ maxLength: 300 }), { maxLength: 30 }), (num, exten, args) => {
        const f = callFacts({ id: 'c1', caller: { number: num, name: num }, dialplan: { exten }, language: num }, args, {});
        expect(f.caller.length).toBeLessThanOrEqual(64);
        expect(f.dialled.length).toBeLessThanOrEqual(64);
        expect(`${f.caller}${f.dialled}${f.callerName ?? ''}${Object.values(f.args).join('')}`).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(Object.keys(f.args).length).toBeLessThanOrEqual(16);
        if (f.language !== undefined) expect(f.language).toMatch(/^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/);
      }),
    );
  });

  it('property: media URIs never carry a separator or a scheme injected through a value', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (value) => {
        for (const kind of ['number', 'digits', 'characters'] as const) {
          try {
            const [uri] = toMediaUris([{ kind, value }]);
            expect(uri).not.toMatch(/[,\s]/);
            expect(uri!.split(':')).toHaveLength(2);
          } catch (err) {
            expect((err as { code?: string }).code).toBe('ARI_MEDIA_VALUE');
          }
        }
      }),
    );
  });

  it('endpoints: only technology/resource without separators pass', () => {
    expect(isEndpoint('PJSIP/sales')).toBe(true);
    expect(isEndpoint('PJSIP/+4930123@trunk')).toBe(true);
    expect(isEndpoint('Local/answer@touchtone-test-agents')).toBe(true);
    for (const evil of HOSTILE) expect(isEndpoint(`PJSIP/${evil}`)).toBe(false);
  });

  it('cleanValue strips control characters and bounds length', () => {
    expect(cleanValue('a\r\nb\u0000c\u2028d', 100)).toBe('abcd');
    expect(cleanValue('x'.repeat(5000), 10)).toBe('x'.repeat(10));
    expect(cleanValue(undefined, 10)).toBe('');
  });
});
