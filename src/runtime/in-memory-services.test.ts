import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';
import { createInMemoryServices } from './in-memory-services.js';
import type { DataSourceDef } from '../flow/types.js';

const def: DataSourceDef = { sqlite: { file: 'a.db', table: 'accounts', key: 'number' } };
const records = [{ number: '1', pin: '1111', balance: 3 }];

describe('in-memory services', () => {
  it('looks records up by the source key field and compares verify fields', async () => {
    const clock = new VirtualClock();
    const s = createInMemoryServices({ clock, data: { accounts: records } });
    const source = s.data.create('accounts', def, '.');
    const signal = new AbortController().signal;
    expect(await source.lookup({ key: '1', signal, callId: 'c' })).toEqual({ status: 'found', record: records[0] });
    expect(await source.lookup({ key: '2', signal, callId: 'c' })).toEqual({ status: 'notFound' });
    expect(await source.lookup({ key: '1', verify: { pin: '0000' }, signal, callId: 'c' })).toEqual({ status: 'notFound' });
  });

  it('without a key field in the definition, the first field of the records is the key', async () => {
    const s = createInMemoryServices({ clock: new VirtualClock(), data: { prices: [{ code: '7', price: 1 }] } });
    const source = s.data.create('prices', { module: { path: 'x.js' } }, '.');
    expect((await source.lookup({ key: '7', signal: new AbortController().signal, callId: 'c' })).status).toBe('found');
  });

  it('an `error` source fails; a slow source answers on the clock and clears its timer when aborted', async () => {
    const clock = new VirtualClock();
    const s = createInMemoryServices({ clock, data: { bad: 'error', slow: { records, delay: 1000 } } });
    const signal = new AbortController().signal;
    expect(await s.data.create('bad', def, '.').lookup({ key: '1', signal, callId: 'c' })).toMatchObject({ status: 'error' });
    const abort = new AbortController();
    const pending = s.data.create('slow', def, '.').lookup({ key: '1', signal: abort.signal, callId: 'c' });
    expect(clock.pending).toBe(1);
    abort.abort();
    expect(await pending).toMatchObject({ status: 'error', code: 'aborted' });
    expect(clock.pending).toBe(0);
  });

  it('queues: listed status, `unknown`, or one free agent by default', async () => {
    const s = createInMemoryServices({ clock: new VirtualClock(), queues: { a: { loggedIn: 0, free: 0, waiting: 0, holdTimeSec: 0 }, b: 'unknown' } });
    const signal = new AbortController().signal;
    expect(await s.queues.status('a', signal)).toMatchObject({ loggedIn: 0 });
    expect(await s.queues.status('b', signal)).toBeUndefined();
    expect(await s.queues.status('c', signal)).toMatchObject({ free: 1 });
  });

  it('the sink keeps calls, traces, outcomes and recordings, and forwards to another sink', () => {
    const seen: string[] = [];
    const s = createInMemoryServices({
      clock: new VirtualClock(),
      records: { callStarted: () => seen.push('start'), event: () => seen.push('event'), callEnded: () => seen.push('end') },
    });
    s.records.callStarted({ callId: 'c', channel: 'x', caller: '1', dialled: '2', flow: 'f', version: 'v', startedAt: 0 });
    s.records.event('c', { at: 0, type: 'step', step: 's', kind: 'play' });
    s.records.callEnded('c', { kind: 'completed', step: 's' }, 5);
    expect(s.sink.calls.get('c')).toMatchObject({ trace: [{ step: 's' }], outcome: { kind: 'completed' }, endedAt: 5 });
    expect(seen).toEqual(['start', 'event', 'end']);
  });
});
