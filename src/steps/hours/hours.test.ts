import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

const FLOW = `
flow: office
language: en
start: h
hours:
  office:
    timezone: Europe/Berlin
    weekly: { mon-fri: "08:00-18:00" }
    holidays: { country: DE }
steps:
  h: { hours: office, open: open, closed: closed, holiday: holiday }
  open: { hangup: true }
  closed: { hangup: true }
  holiday: { hangup: true }
`;

describe('hours', () => {
  it('open during the schedule, on the call clock', async () => {
    const rig = await startCall(FLOW, { now: Date.parse('2026-01-05T09:00:00Z') });
    expect((await rig.call.done).step).toBe('open');
  });

  it('closed outside it', async () => {
    const rig = await startCall(FLOW, { now: Date.parse('2026-01-10T12:00:00Z') });
    expect((await rig.call.done).step).toBe('closed');
  });

  it('holiday on a public holiday (New Year)', async () => {
    const rig = await startCall(FLOW, { now: Date.parse('2026-01-01T10:00:00Z') });
    expect((await rig.call.done).step).toBe('holiday');
  });
});
