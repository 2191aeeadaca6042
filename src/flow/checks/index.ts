/**
 * The meaning checks, in order. Each reports findings with a code and a JSON pointer into the flow.
 */
import type { FlowDoc } from '../types.js';
import { FlowContext, type Finding } from './context.js';
import type { ShapeDamage } from './damage.js';
import { checkAgentExit, checkInputFreeLoops, checkNoWayOut, checkReferences, checkUnreachable, reachable, reachUncertain } from './graph.js';
import { checkDataSources, checkDepartments, checkLanguages, checkPrompts, checkReservedNames } from './tables.js';
import { checkHours } from './hours.js';

/**
 * Runs every meaning check over a flow whose `steps` is a map. When the shape pass found problems, pass
 * them as `damage`: the checks then judge only what the shape pass accepted (see `validate.ts`).
 */
export function runChecks(flow: FlowDoc, damage?: ShapeDamage): Finding[] {
  const ctx = new FlowContext(flow, damage);
  checkLanguages(ctx);
  checkReservedNames(ctx);
  checkPrompts(ctx);
  checkHours(ctx);
  checkDepartments(ctx);
  checkDataSources(ctx);
  checkReferences(ctx);
  for (const s of ctx.steps.values()) ctx.checkStep(s);
  const live = reachable(ctx);
  // Steps cut off by a misspelled reference are not news: the unknown-step error says it. Nor are steps
  // that a rejected step may have led to.
  if (!ctx.findings.some((f) => f.code === 'unknown-step') && !reachUncertain(ctx, live)) checkUnreachable(ctx, live);
  checkInputFreeLoops(ctx);
  checkNoWayOut(ctx, live);
  checkAgentExit(ctx, live);
  return ctx.findings;
}
