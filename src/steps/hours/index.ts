/** The `hours` step kind: its language half and its engine half, joined. */
import type { HoursStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const hoursStep: StepModule<HoursStep> = { ...definition, ...compiler, kind: 'hours' };
