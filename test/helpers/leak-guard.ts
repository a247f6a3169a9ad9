import { afterAll } from 'vitest';
import { trackResources } from './open-resources.js';

/**
 * A setup file of every test file: the file fails if it leaves an app, a server, a socket or
 * a timer open. Registered before the file's own hooks, this afterAll runs after them.
 */
const resources = trackResources();

afterAll(async () => {
  await resources.expectNoneLeft();
});
