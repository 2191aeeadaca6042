/**
 * Small helpers shared by the fault-injection tests.
 */
import type { FakeAri } from '../fakes/fake-ari/index.js';

/** Resolves when a playback whose media names `sound` starts on the fake ARI. */
export function promptStarted(fake: FakeAri, sound: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (type: string, fields: { playback?: { id?: string } }): void => {
      const id = fields.playback?.id;
      if (type !== 'PlaybackStarted' || !id) return;
      const media = fake.playbacks.get(id)?.media.join(',') ?? fake.requests.findLast((r) => r.path.endsWith(`/play/${encodeURIComponent(id)}`))?.query.media;
      if (media?.includes(sound)) {
        fake.off('event', on);
        resolve();
      }
    };
    fake.on('event', on);
  });
}
