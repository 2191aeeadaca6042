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

/** Shape codes that reject a key itself (its value was never read): pruning drops the key. */
const BAD_KEY = new Set(['invalid-key', 'unknown-option', 'unknown-property']);

/** Shape codes about a key where another was expected: the value meant for a missing key may be under it. */
const STRAY = new Set(['unknown-property', 'unknown-option', 'missing-property']);

function parentOf(ptr: string): string {
  return ptr.slice(0, ptr.lastIndexOf('/'));
}

/** The shape pass's findings, indexed for the meaning checks. Empty for a shape-valid flow. */
export class ShapeDamage {
  /** Steps with at least one shape diagnostic at or under them. */
  readonly steps = new Set<string>();
  private readonly condemned: string[] = [];
  private readonly pointers: string[] = [];
  /** Where pruning blanks a value or drops a key: a tree of segments, `drop` or `blank` at each rejected node. */
  private readonly rejected: PruneTree = new Map();
  /** Maps with a misspelled key in them or a required key missing: a key absent there may be that one. */
  private readonly strayParents = new Set<string>();

  constructor(shape: readonly Pick<Diagnostic, 'code' | 'pointer'>[] = []) {
    for (const d of shape) {
      if (d.pointer === undefined) continue;
      const [first, second] = pointerSegments(d.pointer);
      this.pointers.push(d.pointer);
      if (first === 'steps' && second !== undefined) this.steps.add(second);
      if (!NODE_STAYS_USABLE.has(d.code)) {
        this.condemned.push(d.pointer);
        addToTree(this.rejected, pointerSegments(d.pointer), BAD_KEY.has(d.code) ? 'drop' : 'blank');
      }
      if (d.code === 'missing-property') this.strayParents.add(d.pointer);
      else if (STRAY.has(d.code) && d.pointer !== '') this.strayParents.add(parentOf(d.pointer));
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

  /**
   * The flow with every value the shape pass rejected blanked (left `undefined`, so a misspelled prompt's
   * name still counts as declared) and every rejected key dropped, copying only the maps on the way. The
   * checks then never read, compare or report a value that already has its shape diagnostic.
   */
  prune(value: unknown): unknown {
    const out = prune(value, this.rejected);
    return out === DROP ? undefined : out;
  }

  /**
   * Whether the value at `ptr` cannot be trusted to be what the author meant: the shape pass found fault
   * with it, with something in it or around it, or it is absent (`value` undefined) while its map has a
   * misspelled key or lacks a required one, which may be it (`promts:` for `prompts:`).
   */
  unsure(ptr: string, value: unknown): boolean {
    if (!this.any) return false;
    return this.touches(ptr) || this.namesUnsure(ptr, value);
  }

  /**
   * Whether the names a map at `ptr` declares (a table such as `prompts`, or `variables`) cannot be trusted:
   * the map or a node around it was rejected, or it is absent where a misspelled or missing key may be it.
   * Problems inside its entries leave the names alone.
   */
  namesUnsure(ptr: string, value: unknown): boolean {
    if (!this.any) return false;
    return this.covers(ptr) || (value === undefined && this.strayParents.has(parentOf(ptr)));
  }
}

type PruneTree = Map<string, PruneTree | 'drop' | 'blank'>;
const DROP = Symbol('drop');

function addToTree(tree: PruneTree, segments: string[], how: 'drop' | 'blank'): void {
  if (segments.length === 0) return; // the whole document: `covers` then keeps every meaning finding back
  let node = tree;
  for (const seg of segments.slice(0, -1)) {
    const next = node.get(seg);
    if (typeof next === 'string') return; // an outer node is rejected already
    if (next) node = next;
    else {
      const fresh: PruneTree = new Map();
      node.set(seg, fresh);
      node = fresh;
    }
  }
  const last = segments[segments.length - 1]!;
  if (node.get(last) !== 'drop') node.set(last, how);
}

/** Sets a property as data, even `__proto__`, which plain assignment would treat as the prototype. */
function put(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function prune(value: unknown, tree: PruneTree | 'drop' | 'blank'): unknown {
  if (tree === 'drop') return DROP;
  if (tree === 'blank') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
  for (const [key, sub] of tree) {
    if (!Object.hasOwn(value, key)) continue;
    const out = prune((value as Record<string, unknown>)[key], sub);
    if (out === DROP && !Array.isArray(copy)) delete copy[key];
    else put(copy, key, out === DROP ? undefined : out);
  }
  return copy;
}
