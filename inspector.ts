/**
 * ecs-heap/inspector: a live view of a heap in the browser, served on localhost beside the game.
 *
 * ```ts
 * import { serveInspector } from 'ecs-heap/inspector';
 * const inspector = await serveInspector(heap, { port: 7437 });
 * console.log(`heap inspector: ${inspector.url}`);
 * ```
 *
 * @module
 */
export { DEFAULT_PORT, type Inspector, type InspectorOptions, serveInspector } from './src/inspector/inspector.ts';
