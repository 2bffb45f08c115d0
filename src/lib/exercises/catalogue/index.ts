// The built-in exercises, stored in the database like any custom definition (see server/exercises.ts).
import type { ExerciseDefinition } from '../definition';
import { boundaries } from './boundaries';
import { connectionCheckin } from './connection-checkin';
import { forgivenessReadiness } from './forgiveness-readiness';
import { reassurancePlan } from './reassurance-plan';
import { trustCheckin } from './trust-checkin';

export const builtInExercises: ExerciseDefinition[] = [
	boundaries,
	forgivenessReadiness,
	trustCheckin,
	reassurancePlan,
	connectionCheckin
];
