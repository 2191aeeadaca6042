/**
 * The registry of step kinds: one line per kind. Adding a step kind touches its folder and one line here
 * (and one in `definitions.ts`). A test checks the registry, the schema and the docs agree.
 */
import type { StepKind } from '../flow/types.js';
import type { StepModule } from './step-module.js';
import { playStep } from './play/index.js';
import { menuStep } from './menu/index.js';
import { inputStep } from './input/index.js';
import { lookupStep } from './lookup/index.js';
import { branchStep } from './branch/index.js';
import { hoursStep } from './hours/index.js';
import { transferStep } from './transfer/index.js';
import { queueStep } from './queue/index.js';
import { recordStep } from './record/index.js';
import { setStep } from './set/index.js';
import { languageStep } from './language/index.js';
import { hangupStep } from './hangup/index.js';
import { subflowStep } from './subflow/index.js';
import { returnStep } from './return/index.js';

export { stepDefinitions } from './definitions.js';

/** Every step kind's module (definition + compiler), by kind. */
export const stepModules: Record<StepKind, StepModule> = {
  play: playStep as unknown as StepModule,
  menu: menuStep as unknown as StepModule,
  input: inputStep as unknown as StepModule,
  lookup: lookupStep as unknown as StepModule,
  branch: branchStep as unknown as StepModule,
  hours: hoursStep as unknown as StepModule,
  transfer: transferStep as unknown as StepModule,
  queue: queueStep as unknown as StepModule,
  record: recordStep as unknown as StepModule,
  set: setStep as unknown as StepModule,
  language: languageStep as unknown as StepModule,
  hangup: hangupStep as unknown as StepModule,
  subflow: subflowStep as unknown as StepModule,
  return: returnStep as unknown as StepModule,
};
