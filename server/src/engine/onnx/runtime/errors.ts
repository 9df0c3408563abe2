// Turns ORT's error messages into ones that name the node of our graph and say what to do.

import { dumpAround } from '../dump';
import type { Graph } from '../ir';
import { briefReason } from './providers';

/** Node names ORT mentions: "Node (MatMul_3)", "Name:'MatMul_3'", "node MatMul_3". */
export function nodeNamesIn(message: string): string[] {
  const names = new Set<string>();
  for (const re of [/[Nn]ode \(([^)]+)\)/g, /Name:'([^']+)'/g, /[Nn]ode:? ([A-Za-z_][\w./-]*)/g]) {
    for (const m of message.matchAll(re)) if (m[1]) names.add(m[1]);
  }
  return [...names];
}

function context(graph: Graph | undefined, message: string): string {
  if (!graph) return '';
  for (const name of nodeNamesIn(message)) {
    const around = dumpAround(graph, name);
    if (around) return `\nat node ${name}:\n${around}`;
  }
  return '';
}

export function modelRejected(err: unknown, graph: Graph | undefined): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const hint = graph ? 'print dump(graph) (server/src/engine/onnx/dump.ts) to see every node with its shapes' : 'inspect the model in Netron, or build it from a Graph to get node-level context';
  return new Error(`ONNX Runtime rejected the model: ${briefReason(msg)}${context(graph, msg)}\n(${hint})`, { cause: err });
}

export function runFailed(err: unknown, graph: Graph | undefined): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const hint = graph ? 'print dump(graph) to compare the shapes the builder inferred with the ones fed' : 'check the feed shapes';
  return new Error(`ONNX Runtime failed while running the model: ${briefReason(msg)}${context(graph, msg)}\n(${hint})`, { cause: err });
}
