/** Templated sounds: named by data the flow trusts they validate clean; named by what the caller keyed they do not. */
import { describe, expect, it } from 'vitest';
import { loadFlowText } from '../src/flow/load.js';

const flow = (sound: string): string => `flow: sounds
language: en
start: ask
variables: { shelf: kettles }
data:
  prices: { file: { path: prices.csv, key: code } }
steps:
  ask:
    input: { prompt: [{ sound: beep }], digits: 4, into: code }
    next: find
    exhausted: bye
  find:
    lookup: { source: prices, key: "\${code}", into: product }
    found: pick
    notFound: bye
    error: bye
  pick: { set: { chosen: "\${product.sound}", fixed: day, counted: { expr: "code + 'x'" } }, next: say }
  say: { play: [{ sound: "${sound}", text: "\${product.name}" }], next: bye }
  bye: { hangup: true }
`;

const codes = (sound: string): string[] => loadFlowText(flow(sound), 'sounds.yaml').diagnostics.map((d) => d.code);

describe('templated sound names', () => {
  it('a lookup record, `variables` and `set` values the flow chooses are fine', () => {
    for (const sound of ['products/${product.sound}', 'shelves/${shelf}', 'x/${chosen}', 'y/${fixed}', 'z/${call.language}']) expect(codes(sound), sound).toEqual([]);
  });

  it('keyed digits, a `set` that copies them, and caller ID are refused', () => {
    for (const sound of ['products/${code}', 'x/${counted}', 'c/${call.callerName}']) expect(codes(sound), sound).toEqual(['caller-input-in-sound']);
  });

  it('an unknown variable in a sound is reported like in any template', () => {
    expect(codes('products/${prodcut.sound}')).toEqual(['undefined-variable']);
  });
});
