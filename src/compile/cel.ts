/**
 * CEL conditions and expressions (branch, set): parsed once at compile time, evaluated per call against the
 * flow's variables (at the top level) and `call` facts. Integral numbers are passed as CEL `int`s, so `count + 1`
 * works on a number read from a lookup; results come back as plain JS values.
 */
import { parse } from '@marcbachmann/cel-js';
import { DateTime } from 'luxon';
import type { CallFacts } from '../telephony/port.js';

/** A parsed CEL expression, ready to evaluate. */
export type CelProgram = (vars: Record<string, unknown>) => unknown;

/** Parses an expression once. Throws the library's syntax error (the validator reports these first). */
export function compileCel(expr: string): CelProgram {
  return parse(expr) as unknown as CelProgram;
}

function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v);
    return out;
  }
  return value;
}

/** Converts a CEL result to a plain value (ints to numbers). */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromCel(v);
    return out;
  }
  return value;
}

/** The `call` object expressions see: facts of the call plus the local time in the flow's time zone. */
export function callFacts(facts: CallFacts, language: string, now: number, timezone: string): Record<string, unknown> {
  const t = DateTime.fromMillis(now, { zone: timezone });
  return {
    id: facts.callId,
    caller: facts.caller,
    callerName: facts.callerName ?? '',
    dialled: facts.dialled,
    channel: facts.channel,
    language,
    args: { ...facts.args },
    hour: t.hour,
    minute: t.minute,
    // ISO weekday name in lowercase three letters, as `hours.weekly` writes days.
    weekday: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][t.weekday - 1],
    date: t.toISODate(),
  };
}

/** Evaluates a program with variables and `call`. */
export function evalCel(program: CelProgram, vars: Record<string, unknown>, call: Record<string, unknown>): unknown {
  return fromCel(program(toCel({ ...vars, call }) as Record<string, unknown>));
}
