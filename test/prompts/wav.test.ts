import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav, toTelephone } from '../../src/prompts/wav.js';

function sine(rate: number, channels: number, seconds: number, hz: number): Int16Array {
  const frames = Math.round(rate * seconds);
  const out = new Int16Array(frames * channels);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) out[f * channels + c] = Math.round(10_000 * Math.sin((2 * Math.PI * hz * f) / rate));
  return out;
}

/** A WAV header for any channel count (encodeWav writes mono only). */
function wavWith(samples: Int16Array, rate: number, channels: number, dataSize = samples.length * 2): Uint8Array {
  const mono = encodeWav(samples, rate);
  const view = new DataView(mono.buffer);
  view.setUint16(22, channels, true);
  view.setUint32(40, dataSize, true);
  return mono;
}

describe('WAV', () => {
  it('reads back what it writes', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768]);
    expect(parseWav(encodeWav(samples, 8000))).toEqual({ sampleRate: 8000, channels: 1, bitsPerSample: 16, samples });
  });

  it('reads the streaming form espeak-ng writes to a pipe (data size 0xFFFFFFFF)', () => {
    const samples = Int16Array.from([5, 6, 7]);
    expect(parseWav(wavWith(samples, 22050, 1, 0xffffffff)).samples).toEqual(samples);
  });

  it('refuses what is not 16-bit PCM WAV', () => {
    expect(() => parseWav(new TextEncoder().encode('ID3 not a wav file'))).toThrow(/not a WAV/);
    const wav = encodeWav(Int16Array.from([1]));
    new DataView(wav.buffer).setUint16(20, 3, true);
    expect(() => parseWav(wav)).toThrow(/not PCM/);
  });

  it('mixes to mono and resamples to 8 kHz, keeping the length in time and the level of a tone', () => {
    const audio = parseWav(wavWith(sine(22050, 2, 1, 440), 22050, 2));
    const out = toTelephone(audio);
    expect(out.length).toBe(8000);
    const peak = Math.max(...out.slice(100, 7900).map(Math.abs));
    expect(peak).toBeGreaterThan(9000);
    expect(peak).toBeLessThanOrEqual(10_000);
  });

  it('filters a tone above the telephone band instead of folding it back as a loud alias', () => {
    const out = toTelephone(parseWav(wavWith(sine(16000, 1, 1, 7900), 16000, 1)));
    const peak = Math.max(...out.slice(100, 7900).map(Math.abs));
    expect(peak).toBeLessThan(1000);
  });
});
