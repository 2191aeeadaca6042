/**
 * Prompts on a real Asterisk: the inventory of a flow's prompts per language, whether each sound file exists in
 * the sounds folder, and rendering the missing ones with a local TTS engine. See docs/prompts.md.
 */
export { promptInventory, type PromptEntry } from './inventory.js';
export { SoundFolder, checkSoundName, checkLanguage, DEFAULT_SOUNDS_DIR, SOUND_EXTENSIONS, type NameProblem } from './sound-folder.js';
export { checkSounds, renderMissing, type SoundStatus, type Synthesizer } from './render.js';
export { createEspeakSynthesizer, type EspeakOptions } from './espeak.js';
export { parseWav, toTelephone, encodeWav, TELEPHONE_RATE, type PcmAudio } from './wav.js';
