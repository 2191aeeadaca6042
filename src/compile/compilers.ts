/**
 * The engine half of every step kind, by kind. (The registry in `src/steps/registry.ts` joins these with the
 * language half; the compiler imports only this, so compiling never loads schemas.)
 */
import type { StepKind } from '../flow/types.js';
import type { StepCompiler } from './step-compiler.js';
import { compiler as play } from '../steps/play/compile.js';
import { compiler as menu } from '../steps/menu/compile.js';
import { compiler as input } from '../steps/input/compile.js';
import { compiler as lookup } from '../steps/lookup/compile.js';
import { compiler as branch } from '../steps/branch/compile.js';
import { compiler as hours } from '../steps/hours/compile.js';
import { compiler as transfer } from '../steps/transfer/compile.js';
import { compiler as queue } from '../steps/queue/compile.js';
import { compiler as record } from '../steps/record/compile.js';
import { compiler as set } from '../steps/set/compile.js';
import { compiler as language } from '../steps/language/compile.js';
import { compiler as hangup } from '../steps/hangup/compile.js';
import { compiler as subflow } from '../steps/subflow/compile.js';
import { compiler as ret } from '../steps/return/compile.js';

/** The compiler of each step kind. */
export const stepCompilers: Record<StepKind, StepCompiler> = {
  play,
  menu,
  input,
  lookup,
  branch,
  hours,
  transfer,
  queue,
  record,
  set,
  language,
  hangup,
  subflow,
  return: ret,
} as Record<StepKind, StepCompiler>;
