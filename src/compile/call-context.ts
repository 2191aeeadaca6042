/**
 * The state of one call: plain, serializable data (it is what a persisted snapshot carries).
 * The implementations update it in place, inside the actor's own transitions, to keep the key path free of
 * copies. The machine's context is `{ call: CallContext }`: XState copies the context object once while it
 * creates the actor, and the nested object is what survives that copy, so the session sees the live state.
 */
export interface CallContext {
  /** Flow variables (`variables:`, inputs, lookups, `set`). */
  vars: Record<string, unknown>;
  /** The call's language (prompts are looked up in it). */
  language: string;
  /** Step transitions so far (the step cap counts these). */
  steps: number;
  /** Set once the step cap sent the call to the error step. */
  capHit: boolean;
  /** The current step's qualified name. */
  step: string;
  /** noInput / noMatch counters of this visit of the step. */
  noInput: number;
  noMatch: number;
  /** How the next prompt of a menu/input is chosen: first attempt, after a no-input, after a no-match, repeat. */
  promptMode: 'first' | 'noInput' | 'noMatch' | 'repeat';
  /** Keys of the entry being collected. */
  entry: string;
  /** Type-ahead: keys pressed while no menu or input was collecting. */
  buffer: string;
  /** The menus visited, for `back` and `top`. */
  menus: string[];
  /** Set when a menu/input decided (or started) its entry from type-ahead: its first prompt is not played. */
  held: boolean;
  /** Names of variables holding secret input (masked in traces and views). */
  secrets: string[];
  /**
   * Values the caller heard read back and confirmed (`input` with `confirm`), by variable. A typed callback number
   * is called only while its variable still holds the confirmed value. Absent in snapshots saved before it existed.
   */
  confirmed?: Record<string, string>;
}

/** The longest type-ahead kept; older keys are dropped so a stuck key cannot grow memory. */
export const MAX_BUFFER = 32;

/** Builds the context a call starts with. */
export function initialContext(vars: Record<string, unknown>, language: string): CallContext {
  return {
    vars,
    language,
    steps: 0,
    capHit: false,
    step: '',
    noInput: 0,
    noMatch: 0,
    promptMode: 'first',
    entry: '',
    buffer: '',
    menus: [],
    held: false,
    secrets: [],
  };
}

/** The machine context: the call's state, one level down (see above). */
export interface MachineContext {
  call: CallContext;
}
