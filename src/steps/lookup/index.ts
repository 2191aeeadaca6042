/** The `lookup` step kind: its language half and its engine half, joined. */
import type { LookupStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const lookupStep: StepModule<LookupStep> = { ...definition, ...compiler, kind: 'lookup' };
