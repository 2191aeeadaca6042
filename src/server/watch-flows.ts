/**
 * Hot reload: watches the flows folder and reloads a flow file shortly after it changes (editors write a file in
 * several steps, so each file waits 150 ms for the last one).
 */
import { watch } from 'node:fs';
import { join } from 'node:path';
import { isFlowFileName } from '../flow/find-flows.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/services.js';
import type { FlowCatalog } from './flow-catalog.js';

/**
 * Starts watching; undefined when the folder cannot be watched (logged: edits then need a restart). `close()` stops
 * the watch and drops reloads still waiting, so none runs after the server has shut down.
 * @example const watcher = watchFlows(config.flowsDir, catalog, logger); … watcher?.close();
 */
export function watchFlows(dir: string, catalog: Pick<FlowCatalog, 'loadFile'>, logger: Logger, timers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = systemClock): { close(): void } | undefined {
  const pending = new Map<string, unknown>();
  try {
    const watcher = watch(dir, { recursive: true }, (_event, name) => {
      if (!name || !isFlowFileName(String(name))) return;
      const file = join(dir, String(name));
      if (pending.has(file)) timers.clearTimeout(pending.get(file));
      pending.set(
        file,
        timers.setTimeout(() => {
          pending.delete(file);
          void catalog.loadFile(file).catch((error: unknown) => logger.error({ file, error: String(error) }, 'flow reload failed'));
        }, 150),
      );
    });
    watcher.on('error', (error) => logger.warn({ dir, error: error.message }, 'flow folder watch stopped; restart to pick up edits'));
    return {
      close: () => {
        watcher.close();
        for (const handle of pending.values()) timers.clearTimeout(handle);
        pending.clear();
      },
    };
  } catch (error) {
    logger.warn({ dir, error: error instanceof Error ? error.message : String(error) }, 'cannot watch the flow folder; edits need a restart');
    return undefined;
  }
}
