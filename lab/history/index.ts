export * from './history.ts';
export * from './queries.ts';
