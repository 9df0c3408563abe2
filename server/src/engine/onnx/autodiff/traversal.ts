// Reverse-mode traversal: finds the nodes on a path from `wrt` to `loss`, visits them in reverse
// emission order, asks each op's rule (registry.ts) for its input gradients and accumulates
// fan-out contributions. Gradient nodes are appended to the loss's own graph.

import { isFloat, type Node, type Value } from '../ir';
import { onesLike, scalar, zerosLike } from '../ops';
import { sameShape } from './broadcast';
import { gradientRule, isDifferentiableInput } from './registry';

export interface GradientOptions {
  /** d(loss)/d(loss); default ones of loss's shape. */
  seed?: Value;
  /** Called with each forward node whose rule runs (coverage checks, debugging). */
  onRule?: (node: Node) => void;
}

const fmtShape = (v: Value): string => (v.shape ? `[${v.shape.join(', ')}]` : '[?]');

/** Returns d(loss)/d(w) for each w (same dtype/shape as w); zeros for w the loss does not depend on. */
export function gradients(loss: Value, wrt: Value[], options: GradientOptions = {}): Value[] {
  const g = loss.graph;
  if (!isFloat(loss.dtype)) throw new Error(`gradients: loss ${loss.name} has dtype ${loss.dtype}; it must be a float tensor`);
  for (const w of wrt) {
    if (w.graph !== g) throw new Error(`gradients: ${w.name} belongs to another graph than the loss ${loss.name}`);
    if (!isFloat(w.dtype)) throw new Error(`gradients: cannot differentiate with respect to ${w.name} of dtype ${w.dtype}; only float values have gradients`);
  }
  const seed = options.seed ?? (loss.shape && loss.shape.length === 0 ? scalar(loss, 1) : onesLike(loss));
  if (seed.dtype !== loss.dtype) throw new Error(`gradients: seed ${seed.name} is ${seed.dtype} but loss ${loss.name} is ${loss.dtype}`);

  // Snapshot: rules append nodes while we walk.
  const forward = g.nodes.slice();

  // Values that depend (differentiably) on some wrt value.
  const dependsOnWrt = new Set<Value>(wrt);
  const reached = new Set<Node>();
  for (const node of forward) {
    const hit = node.inputs.some((v, i) => v && dependsOnWrt.has(v) && isDifferentiableInput(node, i));
    if (!hit) continue;
    reached.add(node);
    for (const out of node.outputs) if (isFloat(out.dtype)) dependsOnWrt.add(out);
  }

  // Values the loss depends on, restricted to reached nodes.
  const feedsLoss = new Set<Value>([loss]);
  const active: Node[] = [];
  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i]!;
    if (!reached.has(node) || !node.outputs.some((o) => feedsLoss.has(o))) continue;
    active.push(node);
    for (const v of node.inputs) if (v) feedsLoss.add(v);
  }

  const contributions = new Map<Value, Value[]>([[loss, [seed]]]);
  const total = (v: Value): Value | undefined => {
    const parts = contributions.get(v);
    if (!parts || parts.length === 0) return undefined;
    if (parts.length > 1) {
      const sum = g.op1(parts.length === 2 ? 'Add' : 'Sum', parts);
      if (!sum.shape && v.shape) sum.shape = [...v.shape];
      contributions.set(v, [sum]);
    }
    return contributions.get(v)![0];
  };

  for (const node of active) {
    const outGrads = node.outputs.map((o) => (feedsLoss.has(o) ? total(o) : undefined));
    if (outGrads.every((d) => d === undefined)) continue;
    const needsGrad = node.inputs.map((v, i) => !!v && dependsOnWrt.has(v) && isDifferentiableInput(node, i));
    const rule = gradientRule(node.op, node.domain);
    if (!rule) {
      const op = node.domain ? `${node.domain}:${node.op}` : node.op;
      throw new Error(
        `autodiff: no gradient rule for op "${op}" (node "${node.name}"), which lies between the parameters and ${loss.name}. ` +
          `Register one with registerGradient('${node.op}', rule${node.domain ? `, '${node.domain}'` : ''}), or, if its result is a constant ` +
          `with respect to the parameters, cut the path with stopGradient() or markNotDifferentiable('${node.op}').`,
      );
    }
    options.onRule?.(node);
    const inGrads = rule(node, outGrads, needsGrad);
    node.inputs.forEach((x, i) => {
      const dx = inGrads[i];
      if (!x || !needsGrad[i] || !dx) return;
      checkGradient(node, i, x, dx);
      const parts = contributions.get(x);
      if (parts) parts.push(dx);
      else contributions.set(x, [dx]);
    });
  }

  return wrt.map((w) => {
    const dw = total(w);
    if (dw) return dw;
    return zerosLike(w);
  });
}

/** A rule must return its input's dtype and shape; unknown static shapes are filled in from the input. */
function checkGradient(node: Node, index: number, x: Value, dx: Value): void {
  const where = `gradient rule for ${node.op} (node "${node.name}") returned ${dx.name}: ${dx.dtype}${fmtShape(dx)} for input ${index} (${x.name}: ${x.dtype}${fmtShape(x)})`;
  if (dx.dtype !== x.dtype) throw new Error(`${where}: dtype differs; this is a bug in the rule`);
  if (!dx.shape) {
    dx.shape = x.shape ? [...x.shape] : undefined;
    return;
  }
  if (x.shape && !sameShape(dx.shape, x.shape)) {
    // Symbolic dims may differ in name but not provably in size; only concrete mismatches are bugs.
    const provablyDifferent = dx.shape.length !== x.shape.length || dx.shape.some((d, i) => typeof d === 'number' && typeof x.shape![i] === 'number' && d !== x.shape![i]);
    if (provablyDifferent) throw new Error(`${where}: shape differs; this is a bug in the rule`);
  }
}
