// Graph -> ONNX ModelProto bytes, through onnx-proto's protobufjs static classes.
// Tensors are written as raw_data (little-endian bytes of the typed array), the compact form ORT
// reads without per-element decoding. Inputs and outputs carry full type info (symbolic dims as
// dim_param) so ORT can check feeds and we can read shapes back from the session.

import { onnx } from 'onnx-proto';
import { ONNX_DTYPE, type AttrValue, type Graph, type Shape, type TensorData, type Value } from './ir';

/**
 * IR version 11 is the one that goes with opset 23 (onnx 1.18). ORT 1.30 accepts IR <= 13 and
 * opset <= 26; a graph with a newer default opset needs a newer IR, see `irVersionFor`.
 */
export const DEFAULT_IR_VERSION = 11;

export interface SerializeOptions {
  producer?: string;
  irVersion?: number;
  /** Stored in ModelProto.doc_string (shown by Netron and friends). */
  docString?: string;
}

/** The lowest IR version that knows the graph's default-domain opset (onnx release table). */
export function irVersionFor(opset: number): number {
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  if (opset <= 23) return 11;
  if (opset <= 24) return 12;
  return 13;
}

/** Serializes a graph to ONNX ModelProto bytes. */
export function toModelProto(graph: Graph, options: SerializeOptions = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: options.irVersion ?? Math.max(DEFAULT_IR_VERSION, irVersionFor(graph.opsets.get('') ?? 23)),
    producerName: options.producer ?? 'ume-studio',
    producerVersion: '0.1.0',
    docString: options.docString ?? '',
    opsetImport: opsetImports(graph),
    graph: graphProto(graph),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Opset imports: the graph's declared opsets plus any domain a node uses (com.microsoft -> 1). */
function opsetImports(graph: Graph): onnx.IOperatorSetIdProto[] {
  const opsets = new Map(graph.opsets);
  for (const n of graph.nodes) {
    if (!opsets.has(n.domain)) {
      if (n.domain === 'com.microsoft') opsets.set(n.domain, 1);
      else throw new Error(`node ${n.name} (${n.op}) uses domain "${n.domain}" with no opset version; set graph.opsets.set("${n.domain}", version)`);
    }
  }
  return [...opsets].map(([domain, version]) => ({ domain, version }));
}

function graphProto(graph: Graph): onnx.IGraphProto {
  const initializerValues = [...graph.initializers.keys()];
  const used = usedValues(graph);
  return {
    name: graph.name,
    node: graph.nodes.map((n) => ({
      name: n.name,
      opType: n.op,
      domain: n.domain,
      // An omitted optional input is an empty name in ONNX; trailing ones can simply be dropped.
      input: trimTrailingEmpty(n.inputs.map((v) => v?.name ?? '')),
      output: n.outputs.map((v) => v.name),
      attribute: Object.entries(n.attrs).map(([name, a]) => attributeProto(name, a)),
    })),
    // Unused constants (e.g. interned scalars nobody ended up using) are not worth shipping.
    initializer: initializerValues.filter((v) => used.has(v) || graph.outputs.includes(v)).map((v) => tensorProto(v.name, graph.initializers.get(v)!)),
    input: graph.inputs.map(valueInfo),
    output: graph.outputs.map(valueInfo),
  };
}

function usedValues(graph: Graph): Set<Value> {
  const used = new Set<Value>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v) used.add(v);
  return used;
}

function trimTrailingEmpty(names: string[]): string[] {
  let end = names.length;
  while (end > 0 && names[end - 1] === '') end--;
  return names.slice(0, end);
}

function valueInfo(v: Value): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[v.dtype],
        shape: v.shape ? { dim: v.shape.map(dimProto) } : undefined,
      },
    },
  };
}

function dimProto(d: Shape[number]): onnx.TensorShapeProto.IDimension {
  return typeof d === 'number' ? { dimValue: d } : { dimParam: d };
}

/** A TensorProto with raw_data in little-endian byte order (ONNX's required layout). */
export function tensorProto(name: string, t: TensorData): onnx.ITensorProto {
  return { name, dataType: ONNX_DTYPE[t.dtype], dims: [...t.shape], rawData: littleEndianBytes(t) };
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(t: TensorData): Uint8Array {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (hostIsLittleEndian || t.data.BYTES_PER_ELEMENT === 1) return bytes;
  // Big-endian hosts (none we ship to, but cheap to get right): swap each element's bytes.
  const out = new Uint8Array(bytes.length);
  const w = t.data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += w) for (let j = 0; j < w; j++) out[i + j] = bytes[i + w - 1 - j]!;
  return out;
}

function attributeProto(name: string, a: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case 'ints':
      return { name, type: T.INTS, ints: a.value };
    case 'floats':
      return { name, type: T.FLOATS, floats: a.value };
    case 'strings':
      return { name, type: T.STRINGS, strings: a.value.map((s) => new TextEncoder().encode(s)) };
    case 'tensor':
      return { name, type: T.TENSOR, t: tensorProto('', a.value) };
  }
}
