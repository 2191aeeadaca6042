import { describe, expect, it } from 'vitest';
import { loadFlowText } from '../src/flow/load.js';

const flow = (weekly: string) => `flow: t
language: en
start: h
prompts: { hi: { text: Hi } }
hours:
  bar: { timezone: Europe/Berlin, weekly: ${weekly} }
steps:
  h: { hours: bar, open: o, closed: o }
  o: { hangup: [hi] }
`;

describe('validate: opening hours read as the hours service reads them', () => {
  it('accepts shifts past midnight, split shifts and wrapping day ranges', () => {
    const loaded = loadFlowText(flow('{ fri-sat: "20:00-02:00", mon-thu: "08:00-12:00,13:00-17:00", sun-mon: closed }'), 't.yaml');
    expect(loaded.diagnostics).toEqual([]);
  });

  it.each([
    ['"25:00-26:00"', /`25:00-26:00` is not a time range/],
    ['"8-18"', /`8-18` is not a time range/],
    ['"08:00-12:00,11:00-13:00"', /overlap/],
  ])('refuses %s with a sentence that says how to write it', (times, message) => {
    const loaded = loadFlowText(flow(`{ mon: ${times} }`), 't.yaml');
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['invalid-time']);
    expect(loaded.diagnostics[0]!.message).toMatch(message);
    expect(loaded.diagnostics[0]!.range?.start.line).toBe(6);
  });
});
