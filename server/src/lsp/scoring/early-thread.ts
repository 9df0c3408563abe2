// Imported first by the server's entry (main.ts), so its side effect runs before the server's own
// modules are loaded: the scorer thread starts ~100 ms sooner (the bundle's module start-up,
// measured) and the model loads while the server starts. The scoring service adopts the thread
// (ModelHolder.prepare), or releases it when scoring is turned off.

import { ThreadedScorer } from '../../engine/ume/thread/threaded-scorer';

ThreadedScorer.startEarly();
