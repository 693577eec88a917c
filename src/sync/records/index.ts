export * from './bso.ts';
