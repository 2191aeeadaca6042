/**
 * Per-step traffic since the server started: how many calls entered each step, and how many hung up or failed
 * there. The dashboard paints it on the flow diagram as a heat map. Counts are kept per flow version, because
 * step names can change between versions.
 */
import type { CallSessionLike, EngineLike } from './contracts.js';

export interface StepCounts {
  visits: number;
  dropped: number;
}

/**
 * Visits and drop-offs per step of each flow version.
 * @example const traffic = new StepTraffic(); traffic.follow(engine); traffic.of('acme-hotline', '3').get('main');
 */
export class StepTraffic {
  private readonly counts = new Map<string, Map<string, StepCounts>>();

  /** Counts for one version of a flow, by step. */
  of(flow: string, version: string): ReadonlyMap<string, StepCounts> {
    return this.counts.get(`${flow}@${version}`) ?? new Map();
  }

  entered(flow: string, version: string, step: string): void {
    this.bump(flow, version, step).visits++;
  }

  dropped(flow: string, version: string, step: string): void {
    this.bump(flow, version, step).dropped++;
  }

  /** Follows an engine's steps and call ends. Returns the unsubscribe function. */
  follow(engine: Pick<EngineLike, 'onStep' | 'onCallEnded'>): () => void {
    const offStep = engine.onStep((call: CallSessionLike, step: string) => this.entered(call.flow.name, call.flow.version, step));
    const offEnd = engine.onCallEnded((call: CallSessionLike) => {
      const kind = call.outcome?.kind;
      if (kind === 'hungup' || kind === 'failed') this.dropped(call.flow.name, call.flow.version, call.outcome!.step);
    });
    return () => {
      offStep();
      offEnd();
    };
  }

  private bump(flow: string, version: string, step: string): StepCounts {
    const key = `${flow}@${version}`;
    let byStep = this.counts.get(key);
    if (!byStep) this.counts.set(key, (byStep = new Map()));
    let c = byStep.get(step);
    if (!c) byStep.set(step, (c = { visits: 0, dropped: 0 }));
    return c;
  }
}
