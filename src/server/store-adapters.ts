/** Adapters from the store's tables to the shapes the server and the admin API use. */
import type { FlowVersions } from '../store/index.js';
import type { FlowVersionRecord, FlowVersionRepo } from './contracts.js';

/**
 * Flow versions kept in the store's `flow_versions` table. The file a version came from is not stored, so it is
 * the flow's current file.
 */
export function storeVersionRepo(table: FlowVersions, fileOf: (flow: string) => string): FlowVersionRepo {
  return {
    save(record) {
      const saved = table.save({ flow: record.flow, version: record.version, source: record.source, publishedAt: record.publishedAt, publishedBy: record.publishedBy, note: record.note });
      if (!saved.ok) throw new Error(saved.message);
    },
    list(flow) {
      return table.list(flow).map((v) => ({ ...v, note: v.note || undefined, source: '', file: fileOf(flow) }));
    },
    get(flow, version) {
      const v = table.get(flow, version);
      return v ? ({ ...v, note: v.note || undefined, file: fileOf(flow) } satisfies FlowVersionRecord) : undefined;
    },
  };
}
