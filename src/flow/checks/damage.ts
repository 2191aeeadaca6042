/**
 * What the shape pass found wrong, in the form the meaning checks need: which steps and tables cannot be
 * trusted, and which nodes already have their diagnostic (so a meaning check never reports them again).
 */
import { pointerSegments, type Diagnostic } from '../diagnostics.js';

/**
 * Shape codes that say nothing about the node at their pointer itself: a missing property points at the
 * map that lacks it (its other entries are fine), and a step-kind problem is handled by the step's damage.
 */
const NODE_STAYS_USABLE = new Set(['missing-property', 'unknown-step-kind', 'multiple-step-kinds']);

/** Whether a value is a plain map (the YAML loader never makes class instances). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entries of a map (a value of another type was reported by the shape pass, so it has none to check). */
export function entries(value: unknown): [string, unknown][] {
  return isMap(value) ? Object.entries(value) : [];
}

/** The shape pass's findings, indexed for the meaning checks. Empty for a shape-valid flow. */
export class ShapeDamage {
  /** Steps with at least one shape diagnostic at or under them. */
  readonly steps = new Set<string>();
  /** Top-level keys (`start`, `keys`, `variables` …) with at least one shape diagnostic at or under them. */
  readonly top = new Set<string>();
  private readonly condemned: string[] = [];
  private readonly pointers: string[] = [];

  constructor(shape: readonly Pick<Diagnostic, 'code' | 'pointer'>[] = []) {
    for (const d of shape) {
      if (d.pointer === undefined) continue;
      const [first, second] = pointerSegments(d.pointer);
      this.pointers.push(d.pointer);
      if (first !== undefined) this.top.add(first);
      if (first === 'steps' && second !== undefined) this.steps.add(second);
      if (!NODE_STAYS_USABLE.has(d.code)) this.condemned.push(d.pointer);
    }
  }

  /** Whether any shape problem was found. */
  get any(): boolean {
    return this.pointers.length > 0;
  }

  /** Whether any shape diagnostic lies at `ptr` or inside it. */
  touches(ptr: string): boolean {
    return this.pointers.some((p) => p === ptr || p.startsWith(ptr + '/'));
  }

  /** Whether the node at `ptr` (or a node around it) already has a shape diagnostic that says its value is wrong. */
  covers(ptr: string | undefined): boolean {
    if (ptr === undefined) return false;
    return this.condemned.some((c) => ptr === c || ptr.startsWith(c + '/'));
  }
}
