/**
 * The meaning checks, in order. Each reports findings with a code and a JSON pointer into the flow.
 */
import type { FlowDoc } from '../types.js';
import { stepDefinitions } from '../../steps/definitions.js';
import { FlowContext, type Finding } from './context.js';
import { checkAgentExit, checkInputFreeLoops, checkNoWayOut, checkReferences, checkUnreachable, reachable } from './graph.js';
import { checkDataSources, checkDepartments, checkLanguages, checkPrompts, checkReservedNames } from './tables.js';
import { checkHours } from './hours.js';

/** Runs every meaning check over a shape-valid flow. */
export function runChecks(flow: FlowDoc): Finding[] {
  const ctx = new FlowContext(flow);
  checkLanguages(ctx);
  checkReservedNames(ctx);
  checkPrompts(ctx);
  checkHours(ctx);
  checkDepartments(ctx);
  checkDataSources(ctx);
  checkReferences(ctx);
  for (const s of ctx.steps.values()) stepDefinitions[s.kind].check?.(s.step, ctx.forStep(s.name));
  const live = reachable(ctx);
  // Steps cut off by a misspelled reference are not news: the unknown-step error says it.
  if (!ctx.findings.some((f) => f.code === 'unknown-step')) checkUnreachable(ctx, live);
  checkInputFreeLoops(ctx);
  checkNoWayOut(ctx, live);
  checkAgentExit(ctx, live);
  return ctx.findings;
}
