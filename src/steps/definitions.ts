/**
 * The language halves of every step kind, one line each. Validation imports only this file, so it works
 * without the engine half (`registry.ts` joins both).
 */
import type { StepKind } from '../flow/types.js';
import type { StepDefinition } from './definition.js';
import { definition as playDefinition } from './play/definition.js';
import { definition as menuDefinition } from './menu/definition.js';
import { definition as inputDefinition } from './input/definition.js';
import { definition as lookupDefinition } from './lookup/definition.js';
import { definition as branchDefinition } from './branch/definition.js';
import { definition as hoursDefinition } from './hours/definition.js';
import { definition as transferDefinition } from './transfer/definition.js';
import { definition as queueDefinition } from './queue/definition.js';
import { definition as recordDefinition } from './record/definition.js';
import { definition as setDefinition } from './set/definition.js';
import { definition as languageDefinition } from './language/definition.js';
import { definition as hangupDefinition } from './hangup/definition.js';
import { definition as subflowDefinition } from './subflow/definition.js';
import { definition as returnDefinition } from './return/definition.js';

/** Every step kind's definition (schema, edges, checks), by kind. */
export const stepDefinitions: Record<StepKind, StepDefinition> = {
  play: playDefinition as unknown as StepDefinition,
  menu: menuDefinition as unknown as StepDefinition,
  input: inputDefinition as unknown as StepDefinition,
  lookup: lookupDefinition as unknown as StepDefinition,
  branch: branchDefinition as unknown as StepDefinition,
  hours: hoursDefinition as unknown as StepDefinition,
  transfer: transferDefinition as unknown as StepDefinition,
  queue: queueDefinition as unknown as StepDefinition,
  record: recordDefinition as unknown as StepDefinition,
  set: setDefinition as unknown as StepDefinition,
  language: languageDefinition as unknown as StepDefinition,
  hangup: hangupDefinition as unknown as StepDefinition,
  subflow: subflowDefinition as unknown as StepDefinition,
  return: returnDefinition as unknown as StepDefinition,
};
