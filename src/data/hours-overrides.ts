/**
 * Admin overrides of opening hours ("closed today: storm"). The hours service reads them through
 * `HoursOverrideSource`; the CLI and the admin API manage them through `HoursOverrideStore`. The store in
 * `src/store/` keeps them in SQLite so they survive restarts; this module keeps them in memory.
 */

/** One override of a named schedule. Times are epoch milliseconds. */
export interface HoursOverride {
  /** The schedule's name, as the flow's `hours:` map names it (`office`). */
  hours: string;
  state: 'open' | 'closed';
  reason: string;
  /** When the override expires; absent means until cleared. */
  until?: number;
  setAt: number;
  setBy?: string;
}

/** What the hours service needs: the override in force for a schedule at an instant. */
export interface HoursOverrideSource {
  get(hours: string, at: number): HoursOverride | undefined;
}

/** Management of overrides: one override per schedule name (setting again replaces it). */
export interface HoursOverrideStore extends HoursOverrideSource {
  set(override: HoursOverride): void;
  /** Overrides still in force at `at` (all, when `at` is absent). */
  list(at?: number): HoursOverride[];
  /** Removes a schedule's override; false when there was none. */
  clear(hours: string): boolean;
}

/** Whether an override is in force at an instant. */
export function overrideActive(override: HoursOverride, at: number): boolean {
  // `setAt` is not compared: a simulated call on a virtual clock must see an override set in real time.
  return override.until === undefined || at < override.until;
}

/**
 * In-memory overrides, for tests and for running without a database.
 * @example const o = createMemoryOverrides(); o.set({ hours: 'office', state: 'closed', reason: 'storm', setAt: Date.now() });
 */
export function createMemoryOverrides(): HoursOverrideStore {
  const byName = new Map<string, HoursOverride>();
  return {
    get(hours, at) {
      const o = byName.get(hours);
      return o && overrideActive(o, at) ? o : undefined;
    },
    set(override) {
      byName.set(override.hours, { ...override });
    },
    list(at) {
      return [...byName.values()].filter((o) => at === undefined || overrideActive(o, at));
    },
    clear(hours) {
      return byName.delete(hours);
    },
  };
}
