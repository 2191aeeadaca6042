/** Small helpers for step compilers: the entry action every step starts with, and the params of its names. */
import type { StepDef, StepKind } from '../flow/types.js';
import type { CompileContext } from './step-compiler.js';

/** The action every step runs first: counts the transition, resets the visit, traces the step. */
export function enterStep(ctx: CompileContext, kind: StepKind, step: StepDef): { type: 'step.enter'; params: Record<string, unknown> } {
  return { type: 'step.enter', params: { step: ctx.name, kind, ...(step.flush ? { flush: true } : {}) } };
}

/** A named action or guard with the step's name as params. */
export function named(type: string, ctx: CompileContext): { type: string; params: { step: string } } {
  return { type, params: { step: ctx.name } };
}

/**
 * A state that plays something and moves to `then` when it ends: the playback finishes, or there was nothing to
 * play (the entry action raises `tt.prompted`). Leaving the state stops the playback.
 */
export function playingState(entry: unknown, then: string, keyAction?: unknown): Record<string, unknown> {
  return {
    entry,
    exit: 'playback.stop',
    on: {
      ...(keyAction ? { key: { actions: keyAction } } : {}),
      'playback.finished': { guard: 'playback.current', target: then },
      'tt.prompted': then,
    },
  };
}
