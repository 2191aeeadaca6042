/**
 * Glue between the scheduler and telephony, kept structural so this folder imports no adapter: the ARI
 * adapter's `originate` fits `AriOriginate`, and a finished call's `CallOutcome` becomes the attempt's outcome.
 */
import type { CallOutcome } from '../runtime/services.js';
import type { AriAdapter } from '../telephony/ari/index.js';
import type { OriginateRequest, OriginateResult, Originator } from './types.js';

/** The part of the ARI adapter (`src/telephony/ari`) a callback needs: its `originate`, as the adapter types it. */
export type AriOriginate = Pick<AriAdapter, 'originate'>;

/**
 * An `Originator` over the ARI adapter. The callback's variables travel as `Stasis()` arguments, so the callback
 * flow reads them as `call.args.TOUCHTONE_CALLBACK_QUEUE` …, and as channel variables of the new channel (ARI's
 * originate `variables`), so `QUEUE_PRIO` is already set when the call reaches `Queue()`. The attempt stays open
 * until the server reports the call's end through `CallbackScheduler.outcome()`.
 *
 * @example new CallbackScheduler({ originator: ariOriginator(ari, { ringTimeoutMs: 30_000 }), … })
 */
export function ariOriginator(ari: AriOriginate, options: { ringTimeoutMs?: number } = {}): Originator {
  return {
    async originate(request: OriginateRequest): Promise<OriginateResult> {
      const callerId = callerNumber(request.callerId);
      const result = await ari.originate({
        endpoint: request.endpoint,
        flow: request.flow,
        args: request.vars,
        variables: request.vars,
        ...(callerId ? { callerId } : {}),
        timeoutMs: options.ringTimeoutMs ?? 30_000,
      });
      return result.ok ? { ok: true, placed: true } : { ok: false, reason: `${result.code}: ${result.message}` };
    },
  };
}

/** The number in a caller ID such as `"ACME" <+4930555>` (ARI takes digits only). */
function callerNumber(callerId: string | undefined): string | undefined {
  if (callerId === undefined) return undefined;
  const number = /<([^>]*)>/.exec(callerId)?.[1] ?? callerId;
  return /^\+?[0-9]{1,32}$/.test(number) ? number : undefined;
}

/**
 * How a callback call's end counts: reaching the queue or an agent is success, and so is a flow that ended on
 * purpose (`completed`: the person said they no longer need the call). A hang-up or a failure is a failed
 * attempt, and the request is retried.
 *
 * @example scheduler.outcome(call.facts.args.TOUCHTONE_CALLBACK_ID, callbackOutcome(outcome))
 */
export function callbackOutcome(outcome: CallOutcome): OriginateResult {
  if (outcome.kind === 'queued' || outcome.kind === 'transferred' || outcome.kind === 'completed') return { ok: true };
  return { ok: false, reason: outcome.kind === 'failed' ? `failed at step \`${outcome.step}\`: ${outcome.code}` : `${outcome.kind} at step \`${outcome.step}\`` };
}
