import { describe, expect, it } from 'vitest';
import type { FlowDoc } from '../flow/types.js';
import { flowTimezone, isSafeSoundName, resolveMedia, shownSoundName, type MediaScope } from './media.js';
import { createHoursService } from '../data/hours.js';

const doc: FlowDoc = {
  flow: 'm',
  language: 'en',
  languages: ['en', 'de'],
  start: 's',
  prompts: {
    hi: { sound: 'acme/hi', text: { en: 'Hello', de: 'Hallo' }, duration: '1.5s' },
    plain: 'Just text',
  },
  hours: { office: { timezone: 'Europe/Berlin', weekly: { 'mon-fri': '08:00-18:00' } } },
  steps: {},
};

const scope = (over: Partial<MediaScope> = {}): MediaScope => ({
  doc,
  language: 'en',
  vars: { n: 42, code: '0815', amount: '12.50' },
  timezone: flowTimezone(doc),
  now: Date.parse('2026-01-05T09:00:00Z'),
  hours: createHoursService(),
  ...over,
});

describe('resolveMedia', () => {
  it('prompt names become sounds with the text in the call language and the prompt name', () => {
    expect(resolveMedia(['hi', { prompt: 'plain' }], scope({ language: 'de' }))).toEqual([
      { kind: 'sound', name: 'acme/hi', text: 'Hallo', prompt: 'hi', durationMs: 1500 },
      { kind: 'sound', name: 'plain', text: 'Just text', prompt: 'plain' },
    ]);
  });

  it('a language without a text falls back to the flow language', () => {
    expect(resolveMedia(['hi'], scope({ language: 'fr' }))[0]).toMatchObject({ text: 'Hello' });
  });

  it('number, digits and characters go straight to the port, from templates', () => {
    expect(resolveMedia([{ number: '${n}' }, { digits: '${code}' }, { characters: 'AB1' }], scope())).toEqual([
      { kind: 'number', value: '42', text: '42' },
      { kind: 'digits', value: '0815', text: '0 8 1 5' },
      { kind: 'characters', value: 'AB1', text: 'A B 1' },
    ]);
  });

  it('money and opening hours are spoken by src/say; missing variables play nothing', () => {
    const money = resolveMedia([{ money: '${amount}', currency: 'EUR' }], scope());
    expect(money.map((m) => m.text).join(' ')).toMatch(/12.*euros.*50/);
    expect(resolveMedia([{ opening: 'office' }], scope()).length).toBeGreaterThan(0);
    expect(resolveMedia([{ digits: '${missing}' }, { money: '${missing}' }], scope())).toEqual([]);
  });

  it('the time zone is the flow\u2019s first hours entry, else UTC', () => {
    expect(flowTimezone(doc)).toBe('Europe/Berlin');
    expect(flowTimezone({ ...doc, hours: {} })).toBe('UTC');
  });
});

describe('templated sounds', () => {
  const product = { name: 'Toaster', sound: 'toaster' };

  it('render the sound name and the text from the variables', () => {
    const media = resolveMedia([{ sound: 'acme/products/${product.sound}', text: '${product.name} costs' }], scope({ vars: { product } }));
    expect(media).toEqual([{ kind: 'sound', name: 'acme/products/toaster', text: 'Toaster costs' }]);
  });

  it('leave literal names and texts as written, and drop a text that renders empty', () => {
    expect(resolveMedia([{ sound: 'acme/beep', text: 'beep' }, { sound: 'acme/${product.sound}', text: '${nothing}' }], scope({ vars: { product } }))).toEqual([
      { kind: 'sound', name: 'acme/beep', text: 'beep' },
      { kind: 'sound', name: 'acme/toaster' },
    ]);
  });

  it('skip an unsafe or empty rendered name, say so, and keep the rest of the prompt', () => {
    const bad = ['../etc/passwd', '/etc/passwd', 'a,sound:b', 'x?y=1', 'a&b', 'recording:x', 'a b', 'a//b', '', 'x'.repeat(129), 'a/..', 'a\nb'];
    for (const value of bad) {
      const skipped: [string, string][] = [];
      const media = resolveMedia(['hi', { sound: 'products/${p.sound}', text: 'name' }, { number: '${n}' }], scope({ vars: { n: 7, p: { sound: value } }, onUnsafeSound: (t, r) => skipped.push([t, r]) }));
      expect(media.map((m) => m.kind)).toEqual(['sound', 'number']);
      expect(skipped).toEqual([['products/${p.sound}', `products/${value}`]]);
    }
  });

  it('accept names up to the bound made of letters, digits, `_`, `-` and `/` parts', () => {
    for (const good of ['toaster', 'Kettle_2', 'a-b/c_d/9', 'x'.repeat(128)]) expect(isSafeSoundName(good)).toBe(true);
    expect(isSafeSoundName('x'.repeat(129))).toBe(false);
    expect(isSafeSoundName('a/../b')).toBe(false);
    expect(isSafeSoundName('a.wav')).toBe(false);
  });

  it('a missing record skips the sound (its name renders to a bare folder)', () => {
    const skipped: string[] = [];
    expect(resolveMedia([{ sound: 'products/${product.sound}' }], scope({ vars: {}, onUnsafeSound: (_t, r) => skipped.push(r) }))).toEqual([]);
    expect(skipped).toEqual(['products/']);
  });

  it('a shown name loses control characters and backticks and is bounded', () => {
    expect(shownSoundName('a\u0000b`c\nd')).toBe('abcd');
    expect(shownSoundName('y'.repeat(200))).toHaveLength(80);
  });
});
