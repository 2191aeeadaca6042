/**
 * A readable log of a simulated call: steps, what the caller heard (as text), keys, timers, lookups and the
 * outcome, stamped with the time since the call started. `touchtone simulate` prints it as the call runs.
 */
import type { TraceEntry } from '../runtime/services.js';
import type { Media } from '../telephony/port.js';
import type { SimulatedCall } from './simulate-call.js';

interface LogLine {
  at: number;
  order: number;
  text: string;
}

/** `[mm:ss.s]` since the start. */
export function stamp(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  const minutes = Math.floor(s / 60);
  return `[${String(minutes).padStart(2, '0')}:${(s - minutes * 60).toFixed(1).padStart(4, '0')}]`;
}

function describe(entry: TraceEntry): string | undefined {
  switch (entry.type) {
    case 'step':
      return `step ${entry.step} (${entry.kind})`;
    case 'key':
      return `key ${entry.digit}`;
    case 'timer':
      return `timer ${entry.timer} at ${entry.step}`;
    case 'match':
      return `entry \`${entry.entry}\`: ${entry.result}`;
    case 'lookup':
      return `lookup ${entry.source}: ${entry.result} (${entry.ms} ms)`;
    case 'var':
      return `set ${entry.name} = ${entry.value}`;
    case 'note':
      return `${entry.code}: ${entry.message}`;
    case 'prompt':
      return undefined; // the playback itself is shown, with its text
  }
}

/** Follows a call and hands out the lines not shown yet. */
export class CallLog {
  private traceSeen = 0;
  private playbacksSeen = 0;
  private readonly start: number;

  constructor(private readonly call: SimulatedCall) {
    this.start = call.session.startedAt;
  }

  /** The new lines since the last call, in time order. */
  take(): string[] {
    const lines: LogLine[] = [];
    const trace = this.call.trace;
    for (; this.traceSeen < trace.length; this.traceSeen++) {
      const entry = trace[this.traceSeen]!;
      const text = describe(entry);
      if (text) lines.push({ at: entry.at, order: lines.length, text });
    }
    const playbacks = this.call.phone.playbacks;
    for (; this.playbacksSeen < playbacks.length; this.playbacksSeen++) {
      const playback = playbacks[this.playbacksSeen]!;
      const text = playback.media
        .map((m: Media) => m.text ?? ('name' in m ? m.name : 'value' in m ? m.value : ''))
        .filter(Boolean)
        .join(' ');
      if (text) lines.push({ at: playback.startedAt, order: lines.length, text: `plays: ${text}` });
    }
    lines.sort((a, b) => a.at - b.at || a.order - b.order);
    return lines.map((l) => `${stamp(l.at - this.start)} ${l.text}`);
  }

  /** The outcome line, once the call has ended. */
  outcome(): string | undefined {
    const o = this.call.outcome;
    if (!o) return undefined;
    const detail = o.kind === 'queued' ? ` to queue ${o.queue}` : o.kind === 'transferred' ? ` to ${o.department}` : o.kind === 'failed' ? `: ${o.code} (${o.reason})` : '';
    return `${stamp((this.call.endedAt ?? this.call.clock.now()) - this.start)} outcome: ${o.kind}${detail} at step ${o.step}`;
  }

  /** What the call waits for: its step and the next timer, if any. */
  status(): string {
    const next = this.call.clock.nextDue();
    const timer = next === undefined ? 'no timer' : `next timer in ${((next - this.call.clock.now()) / 1000).toFixed(1)}s`;
    return `  (at step ${this.call.step}; ${timer})`;
  }
}
