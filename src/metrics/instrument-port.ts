/**
 * Measures what a caller feels: the time from a key arriving on a line to the next command the engine sends
 * (stop the prompt, play the next one, transfer …). Wrapping the port keeps the measure the same for every adapter.
 */
import type { CallPort, PortEvent } from '../telephony/port.js';
import type { Clock } from '../runtime/clock.js';
import type { Histogram } from 'prom-client';

const COMMANDS = ['answer', 'play', 'stopPlayback', 'startMusicOnHold', 'stopMusicOnHold', 'setVariables', 'transfer', 'enqueue', 'record', 'hangup'] as const;

/**
 * Returns a port that behaves like `port` and observes key-to-command latency in `histogram`.
 * @example engine.startCall(instrumentPort(call, metrics.keyToCommandSeconds, systemClock));
 */
export function instrumentPort(port: CallPort, histogram: Histogram, clock: Clock): CallPort {
  let keyAt: number | undefined;
  const wrapped: CallPort = Object.create(port) as CallPort;
  Object.defineProperty(wrapped, 'facts', { get: () => port.facts });
  wrapped.onEvent = (listener) =>
    port.onEvent((event: PortEvent) => {
      if (event.type === 'key' && keyAt === undefined) keyAt = clock.now();
      listener(event);
    });
  for (const name of COMMANDS) {
    const method = port[name] as ((...args: unknown[]) => void) | undefined;
    if (typeof method !== 'function') continue;
    const original = method.bind(port);
    (wrapped as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      if (keyAt !== undefined) {
        histogram.observe((clock.now() - keyAt) / 1000);
        keyAt = undefined;
      }
      original(...args);
    };
  }
  return wrapped;
}
