// The server's messages about the builder's fields, by field id: ExerciseBuilder provides them and
// each BuilderField shows its own.
import { createContext } from 'svelte';

export type MessagesByField = Record<string, string[]>;

export const [builderMessages, provideBuilderMessages] = createContext<() => MessagesByField>();
