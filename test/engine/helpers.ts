/** Shared set-up for engine tests: a flow from YAML text, an engine on a virtual clock, a simulated phone. */
import { loadFlowText } from '../../src/flow/load.js';
import type { FlowDoc } from '../../src/flow/types.js';
import { VirtualClock, settle } from '../../src/runtime/clock.js';
import { compileFlow, type CompiledFlow } from '../../src/compile/compile-flow.js';
import { Engine } from '../../src/runtime/engine.js';
import { createInMemoryServices, type InMemoryOptions, type InMemoryServices } from '../../src/runtime/in-memory-services.js';
import { SimulatedPhone, type SimulatorBehaviour } from '../../src/telephony/simulator/simulated-phone.js';
import type { CallSession } from '../../src/runtime/call-session.js';

export const START = Date.parse('2026-01-05T09:00:00Z');

/** Loads (and validates) a flow written in a test; fails the test with the diagnostics if it has errors. */
export function flowOf(text: string, file = 'test.yaml', readFile?: (path: string) => string): FlowDoc {
  const loaded = loadFlowText(text, file, readFile ? { readFile } : {});
  if (!loaded.flow) throw new Error(`test flow does not load:\n${loaded.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n')}`);
  return loaded.flow;
}

export interface Rig {
  clock: VirtualClock;
  services: InMemoryServices;
  engine: Engine;
  flow: CompiledFlow;
  phone: SimulatedPhone;
  call: CallSession;
  /** Prompt names of every playback so far, joined by `+` per playback. */
  heard(): string[];
  /** Prompt names of playbacks started after the given count. */
  step(): string;
  press(keys: string): Promise<void>;
  advance(ms: number): Promise<void>;
}

/** Starts one call of a flow on a fresh engine. */
export async function startCall(
  flow: FlowDoc | string,
  opts: { services?: Partial<InMemoryOptions>; behaviour?: SimulatorBehaviour; subflows?: Map<string, { flow?: FlowDoc }>; file?: string; now?: number; facts?: Record<string, unknown> } = {},
): Promise<Rig> {
  const doc = typeof flow === 'string' ? flowOf(flow) : flow;
  const clock = new VirtualClock(opts.now ?? START);
  const services = createInMemoryServices({ clock, ...opts.services });
  const engine = new Engine(services);
  const compiled = compileFlow({ flow: doc, ...(opts.file ? { file: opts.file } : {}), ...(opts.subflows ? { subflows: opts.subflows } : {}) });
  engine.publish(compiled);
  const phone = new SimulatedPhone(clock, { callId: 'call-1', caller: '+4930123456', dialled: '100', ...opts.facts }, opts.behaviour);
  const call = engine.startCall(phone);
  await settle();
  return {
    clock,
    services,
    engine,
    flow: compiled,
    phone,
    call,
    heard: () => phone.playbacks.map((p) => p.media.map((m) => (m.kind === 'sound' ? (m.prompt ?? m.name) : `${m.kind}:${'value' in m ? m.value : ''}`)).join('+')),
    step: () => call.step,
    press: async (keys) => {
      phone.press(keys);
      await settle();
    },
    advance: (ms) => clock.advance(ms),
  };
}
