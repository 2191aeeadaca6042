import { describe, expect, it } from 'vitest';
import { findTransfers, parseTransferId } from '../../src/telephony/ari/found-transfers.js';
import type { AriBridge, AriChannel } from '../../src/telephony/ari/ari-types.js';

const channel = (id: string, state = 'Up', appData = 'touchtone,acme'): [string, AriChannel] => [id, { id, state, dialplan: { app_name: 'Stasis', app_data: appData } }];
const leg = (id: string, state = 'Up', returns = false) => channel(id, state, returns ? 'touchtone,touchtone-dial,returns' : 'touchtone,touchtone-dial');
const bridge = (id: string, channels: string[], returns = false): AriBridge => ({ id, name: returns ? 'touchtone-transfer-returns' : 'touchtone-transfer', channels });

describe('findTransfers: what a previous process left on the calls taken back', () => {
  it('parses call ids that themselves contain dashes and dots', () => {
    expect(parseTransferId('1732-55.7-dial-12', 'dial')).toEqual({ callId: '1732-55.7', n: 12 });
    expect(parseTransferId('a-bridge-3', 'bridge')).toEqual({ callId: 'a', n: 3 });
    expect(parseTransferId('a-bridge-0', 'bridge')).toBeUndefined();
    expect(parseTransferId('a-dial-', 'dial')).toBeUndefined();
    expect(parseTransferId('a-bridge-1', 'dial')).toBeUndefined();
  });

  it('talking: caller and agent in the bridge; `returns` is read from the bridge name', () => {
    const channels = new Map([channel('c1'), leg('c1-dial-1')]);
    const found = findTransfers(new Set(['c1']), channels, [bridge('c1-bridge-1', ['c1', 'c1-dial-1'], true)]);
    expect(found.get('c1')).toEqual({ n: 1, legId: 'c1-dial-1', bridgeId: 'c1-bridge-1', phase: 'talking', returns: true });
  });

  it('agent-left: the caller alone in the bridge, the leg gone', () => {
    const found = findTransfers(new Set(['c1']), new Map([channel('c1')]), [bridge('c1-bridge-1', ['c1'])]);
    expect(found.get('c1')).toMatchObject({ phase: 'agent-left', returns: false });
  });

  it('answered or ringing: a leg and no bridge; `returns` is read from the leg\'s arguments', () => {
    const channels = new Map([channel('c1'), leg('c1-dial-2', 'Up', true), channel('c2'), leg('c2-dial-1', 'Ringing')]);
    const found = findTransfers(new Set(['c1', 'c2']), channels, []);
    expect(found.get('c1')).toEqual({ n: 2, legId: 'c1-dial-2', bridgeId: 'c1-bridge-2', phase: 'answered', returns: true });
    expect(found.get('c2')).toMatchObject({ phase: 'ringing', returns: false });
  });

  it('the latest transfer counts: a new leg ringing after an earlier bridge', () => {
    const channels = new Map([channel('c1'), leg('c1-dial-2', 'Ringing')]);
    const found = findTransfers(new Set(['c1']), channels, [bridge('c1-bridge-1', ['c1'])]);
    expect(found.get('c1')).toMatchObject({ n: 2, phase: 'ringing' });
  });

  it('ignores other calls, bridges of other names, bridges without the caller, and calls with no transfer', () => {
    const channels = new Map([channel('c1'), channel('c2'), leg('c3-dial-1'), leg('other-dial-1')]);
    const bridges: AriBridge[] = [
      { id: 'c1-bridge-1', name: 'conference', channels: ['c1'] },
      bridge('c2-bridge-1', ['someone-else']),
      bridge('other-bridge-1', ['other']),
      { id: 7 as unknown as string, name: 'touchtone-transfer', channels: 'c1' as unknown as string[] },
    ];
    expect(findTransfers(new Set(['c1', 'c2']), channels, bridges)).toEqual(new Map());
  });
});
