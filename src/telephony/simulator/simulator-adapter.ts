/**
 * The simulator as a telephony adapter: the server's built-in phone places calls with `placeCall()`, and the
 * engine receives them through `onCall` exactly as it would receive calls from Asterisk.
 */
import type { Clock } from '../../runtime/clock.js';
import type { CallFacts, CallPort, TelephonyAdapter } from '../port.js';
import { SimulatedPhone, type SimulatorBehaviour } from './simulated-phone.js';

/**
 * @example const adapter = new SimulatorAdapter(clock); adapter.onCall((call) => engine.startCall(call)); await adapter.start();
 *   const phone = adapter.placeCall({ caller: '+4930123' }); phone.press('1');
 */
export class SimulatorAdapter implements TelephonyAdapter {
  readonly name = 'simulator';
  private handler: ((call: CallPort) => void) | undefined;
  private running = false;
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly behaviour: SimulatorBehaviour = {},
  ) {}

  onCall(handler: (call: CallPort) => void): void {
    this.handler = handler;
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /** Places a call into the engine and returns the phone the caller holds. */
  placeCall(facts: Partial<CallFacts> = {}, behaviour?: SimulatorBehaviour): SimulatedPhone {
    const callId = facts.callId ?? `sim-${this.clock.now().toString(36)}-${++this.seq}`;
    const phone = new SimulatedPhone(this.clock, { caller: 'browser', dialled: '100', channel: `Local/${callId}`, args: {}, ...facts, callId }, behaviour ?? this.behaviour);
    if (!this.running || !this.handler) {
      phone.hangup('not-running');
      return phone;
    }
    this.handler(phone);
    return phone;
  }
}
