// The gradient rule registry: one rule per op, kept apart from the traversal (traversal.ts).
// Rules live in rules/*.ts and register themselves through rules/index.ts.

import type { Node, Value } from '../ir';

/**
 * A gradient rule: given a forward node and the gradients of its outputs (undefined for outputs
 * nothing downstream depends on), returns the gradients of its inputs (undefined where none).
 * `needsGrad[i]` says whether input i needs a gradient at all, so rules can skip emitting
 * nodes nobody will use. A returned gradient must have its input's dtype and shape.
 */
export type GradientRule = (node: Node, outputGrads: ReadonlyArray<Value | undefined>, needsGrad: readonly boolean[]) => Array<Value | undefined>;

const rules = new Map<string, GradientRule>();
/** Per op: the input indices gradients never flow into ('all' = the op's outputs are constants). */
const notDifferentiable = new Map<string, Set<number> | 'all'>();
/** Identity nodes emitted by stopGradient: their outputs are constants to autodiff. */
const stopNodes = new WeakSet<Node>();

const key = (op: string, domain: string): string => `${domain}:${op}`;

export function registerGradient(op: string, rule: GradientRule, domain = ''): void {
  rules.set(key(op, domain), rule);
}

export function gradientRule(op: string, domain = ''): GradientRule | undefined {
  return rules.get(key(op, domain));
}

/**
 * Declares that gradients do not flow into the given inputs of `op` (all inputs when omitted):
 * e.g. Shape, ArgMax, comparisons, or the class-weights input of a loss. Autodiff then treats
 * those inputs as constants instead of failing for lack of a rule.
 */
export function markNotDifferentiable(op: string, inputIndices?: number[], domain = ''): void {
  if (!inputIndices) {
    notDifferentiable.set(key(op, domain), 'all');
    return;
  }
  const prev = notDifferentiable.get(key(op, domain));
  if (prev === 'all') return;
  notDifferentiable.set(key(op, domain), new Set([...(prev ?? []), ...inputIndices]));
}

/** True when gradients can flow from the node's outputs into input `index`. */
export function isDifferentiableInput(node: Node, index: number): boolean {
  if (stopNodes.has(node)) return false;
  const nd = notDifferentiable.get(key(node.op, node.domain));
  if (nd === 'all') return false;
  return !nd?.has(index);
}

/** Ops with a registered rule, as "Op" or "domain:Op" for non-default domains (for coverage checks). */
export function registeredGradientOps(): string[] {
  return [...rules.keys()].map((k) => (k.startsWith(':') ? k.slice(1) : k)).sort();
}

/** Ops (or op inputs) declared not differentiable, for documentation and tests. */
export function notDifferentiableOps(): Array<{ op: string; inputs: number[] | 'all' }> {
  return [...notDifferentiable.entries()].map(([k, v]) => ({ op: k.startsWith(':') ? k.slice(1) : k, inputs: v === 'all' ? 'all' : [...v].sort() }));
}

/** Identity in the forward graph; autodiff treats its output as a constant. */
export function stopGradient(x: Value): Value {
  const y = x.graph.op1('Identity', [x], {}, { names: [`${x.name}_stopgrad`] });
  stopNodes.add(y.producer!);
  return y;
}

export function isStopGradient(node: Node): boolean {
  return stopNodes.has(node);
}
