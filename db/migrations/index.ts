import { sql as initial } from './0001-initial.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema step in order. Append new steps; never edit one that has shipped. */
export const migrations: Migration[] = [{ version: 1, name: 'initial', sql: initial }];
