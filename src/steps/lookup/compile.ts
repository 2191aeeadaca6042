/**
 * The engine half of `lookup`: an invoked promise actor asks the data source (with an AbortSignal that fires when
 * the step is left or the call hangs up). A timer on the call's clock bounds it; after `filler.after` a filler
 * prompt or music on hold plays. Branches: `found` (the record goes into `into`), `notFound`, `locked` (else
 * `notFound`), `error` (failures and timeouts). Keys pressed meanwhile wait in the type-ahead buffer.
 */
import { fromPromise } from 'xstate';
import type { FlowDoc, LookupStep, PlayItem } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import type { LookupResult } from '../../runtime/services.js';
import { effect, type EffectArgs } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';
import { runtimeOf } from '../../compile/call-runtime.js';
import type { CallContext } from '../../compile/call-context.js';
import { durationMs } from '../../flow/duration.js';
import { renderString } from '../../flow/template.js';

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_FILLER_AFTER_MS = 1500;

interface LookupData {
  doc: FlowDoc;
  source: string;
  key: string;
  into: string;
  verify?: Record<string, string>;
  filler?: { items: PlayItem[]; musicOnHold?: string };
  found: string;
  notFound: string;
  locked: string;
  error: string;
}

interface PendingLookup {
  key: string;
  verify?: Record<string, string>;
  startedAt: number;
  filler?: 'playing' | 'moh';
}

type Args = EffectArgs<{ step: string }>;

/** Renders the lookup request (key and verify fields) from what templates read (`CallRuntime.templateVars`). */
function prepare(data: LookupData, vars: Readonly<Record<string, unknown>>, now: number): PendingLookup {
  const pending: PendingLookup = { key: renderString(data.key, vars), startedAt: now };
  if (data.verify) {
    pending.verify = {};
    for (const [field, template] of Object.entries(data.verify)) pending.verify[field] = renderString(template, vars);
  }
  return pending;
}

function conclude(a: Args, result: LookupResult): void {
  const { rt, ctx, params } = a;
  const data = rt.stepData<LookupData>(params.step);
  const pending = rt.scratch['lookup'] as PendingLookup | undefined;
  const ms = pending ? rt.now() - pending.startedAt : 0;
  rt.traceEvent({ type: 'lookup', step: ctx.step, source: data.source, result: result.status === 'error' ? `error:${result.code}` : result.status, ms });
  switch (result.status) {
    case 'found':
      ctx.vars[data.into] = { ...result.record };
      rt.traceEvent({ type: 'var', step: ctx.step, name: data.into, value: `{${Object.keys(result.record).join(', ')}}` });
      return a.go(data.found);
    case 'notFound':
      return a.go(data.notFound);
    case 'locked':
      return a.go(data.locked);
    case 'error':
      rt.services.logger.warn({ callId: rt.callId, step: ctx.step, source: data.source, code: result.code }, result.message);
      return a.go(data.error);
  }
}

/** Compiles `lookup` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<LookupStep> = {
  compile(step, ctx) {
    const spec = step.lookup;
    const sourceDef = ctx.doc.data?.[spec.source];
    const timeoutMs = durationMs(spec.timeout ?? sourceDef?.timeout, DEFAULT_TIMEOUT_MS);
    const notFound = ctx.target(step.notFound);
    const data: LookupData = {
      doc: ctx.doc,
      source: spec.source,
      key: spec.key,
      into: spec.into,
      ...(spec.verify ? { verify: spec.verify } : {}),
      ...(spec.filler ? { filler: { items: ctx.prompts(spec.filler.play), ...(spec.filler.musicOnHold ? { musicOnHold: spec.filler.musicOnHold } : {}) } } : {}),
      found: ctx.target(step.found),
      notFound,
      locked: step.locked ? ctx.target(step.locked) : notFound,
      error: ctx.target(step.error),
    };
    ctx.register(data);
    const after: Record<number, unknown> = { [timeoutMs]: { actions: named('lookup.timeout', ctx) } };
    if (spec.filler) {
      const fillerMs = durationMs(spec.filler.after, DEFAULT_FILLER_AFTER_MS);
      if (fillerMs < timeoutMs) after[fillerMs] = { actions: named('lookup.filler', ctx) };
    }
    return {
      entry: [enterStep(ctx, 'lookup', step), named('lookup.prepare', ctx)],
      exit: named('lookup.cleanup', ctx),
      invoke: {
        src: 'lookup',
        input: { step: ctx.name },
        onDone: { actions: named('lookup.done', ctx) },
        onError: { actions: named('lookup.failed', ctx) },
      },
      after,
    };
  },
  implementations: {
    actions: {
      'lookup.prepare': effect(({ rt, ctx, params }) => {
        rt.scratch['lookup'] = prepare(rt.stepData<LookupData>(params.step), rt.templateVars(ctx), rt.now());
      }),
      'lookup.done': effect((a) => conclude(a, a.event['output'] as LookupResult)),
      'lookup.failed': effect((a) => {
        const error = a.event['error'];
        conclude(a, { status: 'error', code: 'lookup-failed', message: error instanceof Error ? error.message : String(error) });
      }),
      'lookup.timeout': effect((a) => conclude(a, { status: 'error', code: 'lookup-timeout', message: `lookup timed out` })),
      'lookup.filler': effect(({ rt, ctx, params }) => {
        const data = rt.stepData<LookupData>(params.step);
        const pending = rt.scratch['lookup'] as PendingLookup | undefined;
        if (!pending || !data.filler) return;
        if (data.filler.items.length > 0) {
          if (rt.play(ctx.step, data.doc, data.filler.items, ctx) !== undefined) pending.filler = 'playing';
        } else {
          rt.startMusicOnHold(data.filler.musicOnHold);
          pending.filler = 'moh';
        }
      }),
      'lookup.cleanup': effect(({ rt }) => {
        const pending = rt.scratch['lookup'] as PendingLookup | undefined;
        if (pending?.filler === 'playing') rt.stopPlayback();
        if (pending?.filler === 'moh') rt.stopMusicOnHold();
        if (pending) delete pending.filler;
      }),
    },
    actors: {
      lookup: fromPromise<LookupResult, { step: string }>(async ({ input, system, signal }) => {
        const rt = runtimeOf(system);
        const data = rt.stepData<LookupData>(input.step);
        // After a resume the scratch is gone (it is never persisted: it may hold a PIN); the request is made again.
        const pending = (rt.scratch['lookup'] as PendingLookup | undefined) ?? (rt.scratch['lookup'] = prepare(data, rt.templateVars(rt.callState()), rt.now()));
        return rt.dataSource(data.doc, data.source).lookup({
          key: pending.key,
          ...(pending.verify ? { verify: pending.verify } : {}),
          signal,
          callId: rt.callId,
        });
      }),
    },
  },
};
