// A readable text form of a graph, for debugging and for error messages:
//
//   graph gpt (opset 23)
//   inputs:
//     %ids: int64[B, T]
//   initializers: 12 tensors, 1,234,567 elements (4.9 MB)
//     %wte: float32[1280, 256]
//   nodes:
//     %gather_3: float32[B, T, 256] = Gather(%wte, %ids) {axis=0}
//   outputs:
//     %logits: float32[B, T, 1280]

import type { AttrValue, Graph, Node, TensorData, Value } from './ir';

export interface DumpOptions {
  /** Initializers listed one per line up to this many (default 20); the rest are counted. */
  maxInitializers?: number;
  /** Constants with at most this many elements print their values inline (default 8). */
  inlineValues?: number;
}

export function formatType(v: Value): string {
  return `${v.dtype}[${v.shape ? v.shape.join(', ') : '?'}]`;
}

export function formatAttr(a: AttrValue): string {
  switch (a.type) {
    case 'string':
      return JSON.stringify(a.value);
    case 'strings':
      return `[${a.value.map((s) => JSON.stringify(s)).join(', ')}]`;
    case 'ints':
    case 'floats':
      return `[${a.value.join(', ')}]`;
    case 'tensor':
      return `tensor ${a.value.dtype}[${a.value.shape.join(', ')}]${a.value.data.length <= 8 ? ` ${formatValues(a.value)}` : ''}`;
    default:
      return String(a.value);
  }
}

function formatValues(t: TensorData): string {
  return `{${Array.from(t.data as ArrayLike<number | bigint>, (x) => String(x)).join(', ')}}`;
}

/** One node as `%y: float32[B, T, 32] = MatMul(%x, %w) {attrs}`; small constant inputs show their values. */
export function formatNode(node: Node, inlineValues = 8): string {
  const outs = node.outputs.map((v) => `%${v.name}: ${formatType(v)}`).join(', ');
  const args = node.inputs
    .map((v) => {
      if (!v) return '_';
      const c = v.graph.initializers.get(v);
      return c && c.data.length <= inlineValues && v.name.startsWith('const_') ? formatValues(c) : `%${v.name}`;
    })
    .join(', ');
  const attrs = Object.entries(node.attrs);
  const attrText = attrs.length ? ` {${attrs.map(([k, a]) => `${k}=${formatAttr(a)}`).join(', ')}}` : '';
  const op = node.domain ? `${node.domain}.${node.op}` : node.op;
  return `${outs} = ${op}(${args})${attrText}`;
}

export function dump(graph: Graph, options: DumpOptions = {}): string {
  const maxInit = options.maxInitializers ?? 20;
  const inline = options.inlineValues ?? 8;
  const lines: string[] = [];
  const opsets = [...graph.opsets].map(([d, v]) => (d ? `${d} ${v}` : `opset ${v}`)).join(', ');
  lines.push(`graph ${graph.name} (${opsets})`);
  lines.push('inputs:');
  for (const v of graph.inputs) lines.push(`  %${v.name}: ${formatType(v)}`);
  // Interned scalar constants are shown inline at their use; list only the named tensors.
  const inits = [...graph.initializers].filter(([v, t]) => !(v.name.startsWith('const_') && t.data.length <= inline));
  const elements = inits.reduce((n, [, t]) => n + t.data.length, 0);
  const bytes = inits.reduce((n, [, t]) => n + t.data.byteLength, 0);
  lines.push(`initializers: ${inits.length} tensors, ${elements.toLocaleString('en-US')} elements (${formatBytes(bytes)})`);
  for (const [v] of inits.slice(0, maxInit)) lines.push(`  %${v.name}: ${formatType(v)}`);
  if (inits.length > maxInit) lines.push(`  ... ${inits.length - maxInit} more`);
  lines.push(`nodes: ${graph.nodes.length}`);
  for (const n of graph.nodes) lines.push(`  ${formatNode(n, inline)}`);
  lines.push('outputs:');
  for (const v of graph.outputs) lines.push(`  %${v.name}: ${formatType(v)}`);
  return lines.join('\n');
}

/** The lines around one node (by name), for error messages that point into a big graph. */
export function dumpAround(graph: Graph, nodeName: string, context = 2): string | undefined {
  const i = graph.nodes.findIndex((n) => n.name === nodeName || n.outputs.some((v) => v.name === nodeName));
  if (i < 0) return undefined;
  const lo = Math.max(0, i - context);
  const hi = Math.min(graph.nodes.length, i + context + 1);
  return graph.nodes
    .slice(lo, hi)
    .map((n, k) => `${lo + k === i ? '>>' : '  '} ${formatNode(n)}`)
    .join('\n');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
