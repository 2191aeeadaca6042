import { describe, expect, it } from 'vitest';
import type { FlowDoc } from '../../src/flow/types.js';
import { promptInventory } from '../../src/prompts/inventory.js';

function flow(steps: FlowDoc['steps'], languages = ['en', 'fr']): FlowDoc {
  return { flow: 'bank', language: languages[0]!, languages, start: 'a', steps };
}

const builtins = (doc: FlowDoc) => promptInventory(doc, 'f.yaml').filter((e) => e.origin === 'builtin').map((e) => `${e.language} ${e.sound} "${e.text}"`);

describe('Touchtone’s own sounds a flow needs', () => {
  it('lists currency names per language, and "one" where the language needs a word for it', () => {
    const doc = flow({ a: { play: [{ money: '${amount}', currency: 'GBP' }], next: 'b' }, b: { hangup: true } });
    expect(builtins(doc)).toEqual([
      'en touchtone/pound "pound"',
      'en touchtone/penny "penny"',
      'en touchtone/pounds "pounds"',
      'en touchtone/pence "pence"',
      'fr touchtone/pound "livre"',
      'fr touchtone/penny "penny"',
      'fr touchtone/pounds "livres"',
      'fr touchtone/pence "pence"',
      'fr touchtone/one-f "une"',
      'fr touchtone/one-m "un"',
    ]);
  });

  it('takes EUR when `money` names no currency, leaves out Asterisk core sounds (`cents`), and points at the step', () => {
    const entries = promptInventory(flow({ a: { play: [{ money: '${x}' }], next: 'a' } }, ['en']), 'f.yaml').filter((e) => e.origin === 'builtin');
    expect(entries.map((e) => e.sound)).toEqual(['touchtone/euro', 'touchtone/cent', 'touchtone/euros']);
    expect(entries[0]!.pointer).toBe('/steps/a/play/0');
  });

  it('lists the opening-hours phrases, skipping words a language does not say', () => {
    const doc = flow({ a: { play: [{ opening: 'office' }], next: 'a' } });
    const fr = builtins(doc).filter((line) => line.startsWith('fr'));
    expect(fr).toContain('fr touchtone/we-open-again "Nous rouvrons"');
    expect(fr.some((line) => line.includes('touchtone/on '))).toBe(false);
    expect(builtins(doc)).toContain('en touchtone/on "on"');
    expect(builtins(doc).some((line) => line.includes('digits/'))).toBe(false);
  });

  it('lists nothing for a flow that speaks no money and no opening hours', () => {
    expect(builtins(flow({ a: { play: [{ number: '${n}' }, { digits: '${d}' }], next: 'a' } }))).toEqual([]);
  });
});
