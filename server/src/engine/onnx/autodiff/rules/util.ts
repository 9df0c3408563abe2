// Small helpers shared by the gradient rules: attribute access, axes, and shape-preserving builders.

import { type Node, type Shape, type Value } from '../../ir';
import { constInts } from '../../shapes';
import { expand, ints, shapeOf } from '../../ops';

export function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attrs[name];
  return a && a.type === 'int' ? a.value : fallback;
}

export function floatAttr(node: Node, name: string, fallback: number): number {
  const a = node.attrs[name];
  return a && a.type === 'float' ? a.value : fallback;
}

export function stringAttr(node: Node, name: string, fallback: string): string {
  const a = node.attrs[name];
  return a && a.type === 'string' ? a.value : fallback;
}

export function intsAttr(node: Node, name: string): number[] | undefined {
  const a = node.attrs[name];
  return a && a.type === 'ints' ? a.value : undefined;
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The static rank of a value, or a clear error naming the op whose rule needs it. */
export function rankOf(v: Value, node: Node): number {
  if (!v.shape) throw new Error(`autodiff: the ${node.op} rule (node "${node.name}") needs the static rank of ${v.name}, which shape inference could not tell`);
  return v.shape.length;
}

/** The contents of a constant int input (axes, starts...), or a clear error. */
export function constIntsOf(v: Value | undefined, node: Node, what: string): number[] {
  const c = constInts(v);
  if (!c) throw new Error(`autodiff: the ${node.op} rule (node "${node.name}") needs constant ${what}; ${v?.name ?? 'the input'} is computed at run time`);
  return c;
}

/** The shape of `like` as an int64 tensor: a constant when fully concrete, else Shape(like). */
export function shapeValue(like: Value): Value {
  const s = like.shape;
  if (s && s.every((d) => typeof d === 'number')) return ints(like.graph, s as number[]);
  return shapeOf(like);
}

/** Broadcasts `x` to the shape of `like`. */
export function broadcastLike(x: Value, like: Value): Value {
  if (x.shape && like.shape && x.shape.length === like.shape.length && x.shape.every((d, i) => d === like.shape![i])) return x;
  return expand(x, shapeValue(like));
}

/** Sets a static shape the rule knows by construction (ops whose shape inference cannot tell). */
export function withShape(v: Value, shape: Shape | undefined): Value {
  if (!v.shape && shape) v.shape = [...shape];
  return v;
}

/** Perm that swaps the last two axes of a rank-r tensor. */
export function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Axes [axis, ..., rank-1] (the normalized axes of LayerNorm/RMSNorm). */
export function trailingAxes(axis: number, rank: number): number[] {
  const a = normAxis(axis, rank);
  return Array.from({ length: rank - a }, (_, i) => a + i);
}
