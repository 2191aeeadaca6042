/**
 * A tiny valid flow around the steps a test cares about, for checking one step kind's edges and checks
 * through the real validator. Used by the step definitions' tests.
 */
import type { FlowDoc, StepDef } from './types.js';
import { validateFlow } from './validate.js';

/** A flow with a step `bye` (a hangup), a prompt `hi`, a department `desk`, a queue `support`, a data source `db`, a schedule `office`. */
export function miniFlow(steps: Record<string, unknown>, top: Partial<Record<keyof FlowDoc, unknown>> = {}): FlowDoc {
  return {
    flow: 'mini',
    language: 'en',
    start: Object.keys(steps)[0]!,
    prompts: { hi: { text: 'Hi' } },
    departments: { desk: { dial: 'PJSIP/desk' } },
    queues: { support: {} },
    data: { db: { file: { path: 'db.csv', key: 'id' } } },
    hours: { office: { timezone: 'Europe/Berlin', weekly: { 'mon-fri': '08:00-18:00' } } },
    // `bye` is the error step, so it is always reachable.
    defaults: { error: 'bye' },
    ...top,
    steps: { ...(steps as Record<string, StepDef>), bye: { hangup: true } },
  } as FlowDoc;
}

/** Validates a mini flow and returns `code pointer` strings, sorted. */
export function problems(steps: Record<string, unknown>, top: Partial<Record<keyof FlowDoc, unknown>> = {}): string[] {
  return validateFlow(miniFlow(steps, top))
    .map((d) => `${d.code} ${d.pointer}`)
    .sort();
}
