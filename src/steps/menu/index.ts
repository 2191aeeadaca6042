/** The `menu` step kind: its language half and its engine half, joined. */
import type { MenuStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const menuStep: StepModule<MenuStep> = { ...definition, ...compiler, kind: 'menu' };
