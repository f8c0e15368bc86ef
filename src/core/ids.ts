import { v7 as uuidv7 } from 'uuid';

/** Time-ordered UUIDv7, monotonic within the process: good for b-tree indexes and cursors. */
export const newId = (): string => uuidv7();
