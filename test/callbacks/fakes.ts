/** Fakes for the callback scheduler's ports: queue status you set by hand, and an originator you answer by hand. */
import type { QueueStatus, QueueStatusProvider } from '../../src/runtime/services.js';
import type { OriginateRequest, OriginateResult, Originator } from '../../src/callbacks/types.js';

export class FakeQueues implements QueueStatusProvider {
  readonly states = new Map<string, QueueStatus | undefined>();
  asked = 0;

  set(queue: string, free: number | undefined, loggedIn = Math.max(free ?? 0, 1)): void {
    this.states.set(queue, free === undefined ? undefined : { loggedIn, free, waiting: 0, holdTimeSec: 0 });
  }

  async status(queue: string): Promise<QueueStatus | undefined> {
    this.asked++;
    return this.states.get(queue);
  }
}

export interface PlacedCall {
  request: OriginateRequest;
  answer(result: OriginateResult): void;
  settled: boolean;
}

/** Calls stay open until the test answers them, unless `auto` answers every call at once. */
export class FakeOriginator implements Originator {
  readonly calls: PlacedCall[] = [];
  auto: OriginateResult | undefined;
  throws = false;

  originate(request: OriginateRequest): Promise<OriginateResult> {
    if (this.throws) throw new Error('adapter exploded');
    return new Promise((resolve) => {
      const call: PlacedCall = {
        request,
        settled: false,
        answer: (result) => {
          call.settled = true;
          resolve(result);
        },
      };
      this.calls.push(call);
      if (this.auto) call.answer(this.auto);
    });
  }

  get open(): PlacedCall[] {
    return this.calls.filter((c) => !c.settled);
  }
}
