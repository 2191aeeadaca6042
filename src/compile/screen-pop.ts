/**
 * The `TOUCHTONE_*` channel variables a call carries when it leaves the flow for people (a queue or a department):
 * the dialplan routes on them and the agent's screen-pop shows them. The ARI adapter passes them on to a dialled
 * agent's channel (Asterisk's `__` inheritance).
 */
import type { Template } from '../flow/types.js';
import { renderString } from '../flow/template.js';
import type { CallContext } from './call-context.js';
import type { CallRuntime } from './call-runtime.js';

/** A channel variable name for a `vars` key: `TOUCHTONE_` plus the key in upper case, safe characters only. */
export function channelVariable(key: string): string {
  return `TOUCHTONE_${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** The call's own variables (flow, step, caller, call id) and the step's `vars`, rendered now. */
export function screenPopVars(rt: CallRuntime, ctx: CallContext, vars: Readonly<Record<string, Template>> | undefined): Record<string, string> {
  const out: Record<string, string> = {
    TOUCHTONE_FLOW: rt.flowName,
    TOUCHTONE_STEP: ctx.step,
    TOUCHTONE_CALLER: rt.facts.caller,
    TOUCHTONE_CALL_ID: rt.callId,
  };
  for (const [key, template] of Object.entries(vars ?? {})) out[channelVariable(key)] = renderString(template, rt.templateVars(ctx));
  return out;
}
