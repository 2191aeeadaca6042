/** The browser phone's bookkeeping: places held by calls the engine never took. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/runtime/clock.js';
import { Engine } from '../../src/runtime/engine.js';
import { createInMemoryServices } from '../../src/runtime/in-memory-services.js';
import { compileFlow } from '../../src/compile/compile-flow.js';
import { loadFlowText } from '../../src/flow/load.js';
import { BrowserPhone } from '../../src/server/browser-phone.js';
import type { CallPort } from '../../src/telephony/port.js';

const FLOW = `flow: demo
language: en
start: bye
prompts: { bye: { text: "Goodbye." } }
steps:
  bye: { hangup: [bye] }
`;

describe('browser phone', () => {
  it('frees the place of a call the engine refused, so a later call is not told there are too many', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-05T10:00:00Z'));
    const engine = new Engine(createInMemoryServices({ clock }));
    engine.publish(compileFlow({ flow: loadFlowText(FLOW, 'demo.yaml').flow! }));
    let stopping = true;
    const phone = new BrowserPhone({
      clock,
      maxLive: 1,
      engine: {
        startCall: (port: CallPort, flow?: string) => {
          if (stopping) throw Object.assign(new Error('The server is shutting down and takes no new calls.'), { code: 'shutting-down' });
          return engine.startCall(port, flow);
        },
      },
    });
    for (let i = 0; i < 3; i++) await expect(phone.start('demo', {})).rejects.toMatchObject({ code: 'shutting-down' });
    stopping = false;
    const call = await phone.start('demo', {});
    expect(call.flow).toBe('demo');
  });
});
