export * from './history.ts';
export * from './queries.ts';
export * from './account.ts';
export * from './overview.ts';
export * from './cohorts.ts';
export * from './cards.ts';
