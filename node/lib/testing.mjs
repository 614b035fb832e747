// ESM entry point of pleo-installations/testing.
import testing from './testing.js';

export const { MockServer } = testing;
export default testing;
