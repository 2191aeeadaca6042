/** The `record` step kind: its language half and its engine half, joined. */
import type { RecordStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const recordStep: StepModule<RecordStep> = { ...definition, ...compiler, kind: 'record' };
