/** The `subflow` step kind: its language half and its engine half, joined. */
import type { SubflowStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const subflowStep: StepModule<SubflowStep> = { ...definition, ...compiler, kind: 'subflow' };
