/** The `queue` step kind: its language half and its engine half, joined. */
import type { QueueStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const queueStep: StepModule<QueueStep> = { ...definition, ...compiler, kind: 'queue' };
