/**
 * Sound names reach ARI's `media` parameter as `sound:<name>`, joined by commas; since a `sound` may now be a
 * template rendered from data, the adapter's own check must stop any name that could add a URI, a scheme or a query.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMediaUris } from '../../src/telephony/ari/sanitize.js';

const INJECTIONS = ['a,sound:b', 'a,recording:x', 'x?y=1', 'a&b', 'number:1', 'a:b', 'a b', '../etc/passwd', '/etc/passwd', 'a/../b', 'a\nb', 'a;b', 'a#b', ''];

function refusal(kind: 'sound' | 'recording', name: string): string | undefined {
  try {
    toMediaUris([{ kind, name }]);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('ARI sound and recording names', () => {
  it('refuse names that would add a media URI, a scheme, a query or climb out of the sounds folder', () => {
    for (const name of INJECTIONS) {
      expect(refusal('sound', name), name).toBe('ARI_MEDIA_NAME');
      expect(refusal('recording', name), name).toBe('ARI_MEDIA_NAME');
    }
  });

  it('pass a plain rendered name as one sound URI', () => {
    expect(toMediaUris([{ kind: 'sound', name: 'acme/products/toaster' }])).toEqual(['sound:acme/products/toaster']);
  });

  it('property: whatever the name, the result is refused or exactly one `sound:` URI with no separator', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (name) => {
        const code = refusal('sound', name);
        if (code !== undefined) {
          expect(code).toBe('ARI_MEDIA_NAME');
          return;
        }
        const uris = toMediaUris([{ kind: 'sound', name }]);
        expect(uris).toHaveLength(1);
        expect(uris[0]!.slice('sound:'.length)).not.toMatch(/[,?&:\s]|\.\./);
      }),
    );
  });
});
