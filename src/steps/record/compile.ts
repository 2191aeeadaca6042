/**
 * The engine half of `record`: an optional prompt, then the port records the caller (the terminator, silence
 * and maximum length end it). A finished recording is filed with the record sink (voicemail or callback) and its
 * name goes into `into`; a failed one goes to `failed` (else `next`).
 */
import type { Digit, FlowDoc, PlayItem, RecordStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import type { RecordingOutcome } from '../../telephony/port.js';
import { effect } from '../../compile/effects.js';
import { enterStep, named, playingState } from '../../compile/step-config.js';
import { durationMs } from '../../flow/duration.js';

/** Extra time after `maxDuration` before a recording the port never reports is taken as failed. */
const RECORD_GRACE_MS = 10_000;

interface RecordData {
  doc: FlowDoc;
  items: PlayItem[];
  purpose: 'voicemail' | 'callback';
  maxDurationMs: number;
  maxSilenceMs: number;
  beep: boolean;
  terminator: Digit | 'none';
  into?: string;
  next: string;
  failed: string;
}

let recordings = 0;

/** Compiles `record` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<RecordStep> = {
  compile(step, ctx) {
    const spec = step.record;
    const next = ctx.target(step.next);
    const data: RecordData = {
      doc: ctx.doc,
      items: ctx.prompts(spec.prompt),
      purpose: spec.purpose ?? 'voicemail',
      maxDurationMs: durationMs(spec.maxDuration, 120_000),
      maxSilenceMs: durationMs(spec.maxSilence, 5000),
      beep: spec.beep ?? true,
      terminator: spec.terminator ?? '#',
      ...(spec.into ? { into: spec.into } : {}),
      next,
      failed: step.failed ? ctx.target(step.failed) : next,
    };
    ctx.register(data);
    return {
      entry: enterStep(ctx, 'record', step),
      initial: 'prompt',
      // Keys belong to the recorder (its terminator); they are not type-ahead.
      on: { key: { actions: [] } },
      states: {
        prompt: playingState(named('record.prompt', ctx), 'recording'),
        recording: {
          entry: named('record.start', ctx),
          on: { 'recording.finished': { actions: named('record.done', ctx) } },
          after: { [data.maxDurationMs + RECORD_GRACE_MS]: { actions: { type: 'record.lost', params: { step: ctx.name } } } },
        },
      },
    };
  },
  implementations: {
    actions: {
      'record.prompt': effect(({ rt, ctx, params, raise }) => {
        const data = rt.stepData<RecordData>(params.step);
        if (rt.play(ctx.step, data.doc, data.items, ctx) === undefined) raise({ type: 'tt.prompted' });
      }),
      'record.start': effect(({ rt, params }) => {
        const data = rt.stepData<RecordData>(params.step);
        // The name comes from the runtime only; the call id is network input, so it is reduced to safe characters.
        const name = `${data.purpose}-${rt.callId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)}-${++recordings}`;
        rt.scratch['recording'] = name;
        rt.port.record(name, { name, maxDurationMs: data.maxDurationMs, maxSilenceMs: data.maxSilenceMs, beep: data.beep, terminator: data.terminator });
      }),
      'record.done': effect(({ rt, ctx, params, event, go }) => {
        const data = rt.stepData<RecordData>(params.step);
        const name = String(rt.scratch['recording'] ?? '');
        if (event['recordingId'] !== name) return;
        const outcome = event['outcome'] as RecordingOutcome;
        rt.traceEvent({ type: 'match', step: ctx.step, entry: 'recording', result: outcome });
        if (outcome !== 'finished') return go(data.failed);
        const vars: Record<string, string> = {};
        for (const [k, v] of Object.entries(ctx.vars)) if (!ctx.secrets.includes(k) && (typeof v !== 'object' || v === null)) vars[k] = String(v);
        rt.services.records.recording?.(rt.callId, { purpose: data.purpose, name, durationMs: Number(event['durationMs'] ?? 0), at: rt.now(), caller: rt.facts.caller, vars });
        if (data.into) {
          ctx.vars[data.into] = name;
          rt.traceEvent({ type: 'var', step: ctx.step, name: data.into, value: name });
        }
        go(data.next);
      }),
      'record.lost': effect(({ rt, ctx, params, go }) => {
        rt.traceEvent({ type: 'note', step: ctx.step, code: 'recording-lost', message: 'The telephony never reported the end of the recording.' });
        go(rt.stepData<RecordData>(params.step).failed);
      }),
    },
  },
};
