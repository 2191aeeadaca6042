import { describe, expect, it } from 'vitest';
import * as touchtone from '../src/index.js';
import * as testing from '../src/testing/index.js';

describe('library API (`touchtone`)', () => {
  it('loads, compiles and runs a flow with the exported pieces alone', async () => {
    const { loadFlowFile, compileFlow, Engine, createInMemoryServices, VirtualClock, SimulatedPhone, formatDiagnostics } = touchtone;
    const loaded = await loadFlowFile('flows/acme-hotline.yaml');
    expect(loaded.flow, formatDiagnostics(loaded.diagnostics)).toBeDefined();
    const clock = new VirtualClock(Date.parse('2026-12-07T10:00:00+01:00'));
    const engine = new Engine(createInMemoryServices({ clock }));
    engine.publish(compileFlow(loaded as { flow: touchtone.FlowDoc }));
    const phone = new SimulatedPhone(clock, { caller: '+4930123' });
    const call = engine.startCall(phone, 'acme-hotline');
    await clock.advance(1500);
    expect(call.step).toBe('main');
    phone.hangupByCaller();
    expect(await call.done).toMatchObject({ kind: 'hungup', step: 'main' });
    expect(clock.pending).toBe(0);
  });

  it('exports the test harness separately (`touchtone/testing`)', () => {
    expect(typeof testing.simulateCall).toBe('function');
    expect('simulateCall' in touchtone).toBe(false);
  });
});
