/** Hot reload's debounce: a reload waiting when the server stops is dropped, not run against a closed store. */
import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/runtime/services.js';
import type { Clock } from '../../src/runtime/clock.js';
import { watchFlows } from '../../src/server/watch-flows.js';

describe('watchFlows', () => {
  it('reloads an edited file after the debounce, and close() drops a reload still waiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-watch-'));
    const waiting = new Map<number, () => void>();
    let next = 0;
    const timers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
      setTimeout: (fn) => {
        waiting.set(++next, fn);
        return next;
      },
      clearTimeout: (handle) => void waiting.delete(handle as number),
    };
    const loaded: string[] = [];
    const watcher = watchFlows(dir, { loadFile: async (file) => void loaded.push(file) }, silentLogger, timers)!;
    writeFileSync(join(dir, 'demo.yaml'), 'flow: demo\n');
    await vi.waitFor(() => expect(waiting.size).toBe(1), { timeout: 5000, interval: 20 });
    [...waiting.values()][0]!();
    expect(loaded).toEqual([join(dir, 'demo.yaml')]);
    waiting.clear();
    writeFileSync(join(dir, 'demo.yaml'), 'flow: demo\n# edited\n');
    await vi.waitFor(() => expect(waiting.size).toBe(1), { timeout: 5000, interval: 20 });
    watcher.close();
    expect(waiting.size).toBe(0);
  });
});
