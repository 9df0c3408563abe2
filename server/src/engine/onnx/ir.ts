// The graph IR: values, nodes and graphs, as plain TypeScript objects that serialize 1:1 to ONNX.
// Model code builds graphs through `ops.ts`; autodiff appends gradient nodes to the same graph.
// Nodes are kept in emission order, which is always a topological order (a node can only use
// values that exist when it is emitted).

import { inferShapes } from './shapes';

export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** ONNX TensorProto.DataType codes (used by Cast's `to`, ConstantOfShape, serialization). */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

export function dtypeFromOnnx(code: number): DType {
  const found = (Object.keys(ONNX_DTYPE) as DType[]).find((k) => ONNX_DTYPE[k] === code);
  if (!found) throw new Error(`unsupported ONNX data type code ${code}`);
  return found;
}

/** A dimension: a concrete size, or a symbolic name (the same name means the same size). */
export type Dim = number | string;
export type Shape = Dim[];

export type TypedArrayOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : D extends 'int32'
        ? Int32Array
        : D extends 'int8'
          ? Int8Array
          : D extends 'float16'
            ? Uint16Array
            : Uint8Array;

export type AnyTypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int8Array
  | Uint16Array
  | Uint8Array;

/** Concrete tensor data (row-major). `bool` is stored one byte per element. */
export interface TensorData {
  dtype: DType;
  shape: number[];
  data: AnyTypedArray;
}

/** Attribute values, tagged because ONNX distinguishes INT from FLOAT attributes. */
export type AttrValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: TensorData };

export const attr = {
  int: (value: number): AttrValue => ({ type: 'int', value }),
  float: (value: number): AttrValue => ({ type: 'float', value }),
  string: (value: string): AttrValue => ({ type: 'string', value }),
  ints: (value: number[]): AttrValue => ({ type: 'ints', value }),
  floats: (value: number[]): AttrValue => ({ type: 'floats', value }),
  strings: (value: string[]): AttrValue => ({ type: 'strings', value }),
  tensor: (value: TensorData): AttrValue => ({ type: 'tensor', value }),
};

export class Value {
  /** Set when a node produces this value; undefined for graph inputs and initializers. */
  producer: Node | undefined;
  constructor(
    readonly graph: Graph,
    readonly id: number,
    public name: string,
    public dtype: DType,
    /** undefined when shape inference could not tell (autodiff then needs a rule that does not care). */
    public shape: Shape | undefined,
  ) {}

  get rank(): number | undefined {
    return this.shape?.length;
  }

  toString(): string {
    return `${this.name}: ${this.dtype}[${this.shape ? this.shape.join(', ') : '?'}]`;
  }
}

export interface Node {
  readonly id: number;
  name: string;
  op: string;
  /** '' for the default ONNX domain, 'com.microsoft' for contrib ops. */
  domain: string;
  /** undefined marks an omitted optional input (serialized as an empty name). */
  inputs: Array<Value | undefined>;
  outputs: Value[];
  attrs: Record<string, AttrValue>;
}

export interface OpOptions {
  domain?: string;
  /** Number of outputs (default 1). */
  outputs?: number;
  /** Names for outputs; defaults to generated unique names. */
  names?: string[];
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  /** Constant tensors baked into the model file. */
  readonly initializers = new Map<Value, TensorData>();
  /** Opset versions by domain; '' is the default ONNX domain. */
  readonly opsets = new Map<string, number>([['', 23]]);
  private nextId = 0;
  private readonly usedNames = new Set<string>();

  constructor(public name = 'graph') {}

  /** A unique name based on `base` (ONNX requires unique value names within a graph). */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  private newValue(name: string, dtype: DType, shape: Shape | undefined): Value {
    return new Value(this, this.nextId++, this.uniqueName(name), dtype, shape);
  }

  /** A graph input fed at run time. */
  input(name: string, dtype: DType, shape: Shape): Value {
    if (this.usedNames.has(name)) throw new Error(`graph input name "${name}" is already used; give each input a unique name`);
    const v = this.newValue(name, dtype, shape);
    this.inputs.push(v);
    return v;
  }

  /** A constant tensor stored in the model (an ONNX initializer). */
  initializer(name: string, data: TensorData): Value {
    const v = this.newValue(name, data.dtype, [...data.shape]);
    this.initializers.set(v, data);
    return v;
  }

  /** Marks a value as a graph output, optionally renaming it (the name must be free). */
  output(v: Value, name?: string): Value {
    if (v.graph !== this) throw new Error(`value ${v.name} belongs to another graph`);
    let out = v;
    if (name !== undefined && name !== v.name) {
      // Graph inputs/outputs need stable names; an Identity keeps the producer's name intact.
      out = this.op('Identity', [v], {}, { names: [name] })[0]!;
    }
    if (this.inputs.includes(out) || this.outputs.includes(out)) {
      out = this.op('Identity', [out], {}, { names: [name ?? `${out.name}_out`] })[0]!;
    }
    this.outputs.push(out);
    return out;
  }

  /**
   * Emits one node. Output dtypes and shapes come from the shape rule registry (shapes.ts);
   * an op without a rule gets outputs of unknown shape and the first input's dtype.
   */
  op(opType: string, inputs: Array<Value | undefined>, attrs: Record<string, AttrValue> = {}, options: OpOptions = {}): Value[] {
    for (const v of inputs) {
      if (v && v.graph !== this) throw new Error(`${opType}: input ${v.name} belongs to another graph`);
    }
    const domain = options.domain ?? '';
    const nOut = options.outputs ?? 1;
    const node: Node = {
      id: this.nodes.length,
      name: this.uniqueName(`${opType}_${this.nodes.length}`),
      op: opType,
      domain,
      inputs,
      outputs: [],
      attrs,
    };
    const inferred = inferShapes(node, nOut);
    for (let i = 0; i < nOut; i++) {
      const info = inferred[i];
      const v = this.newValue(options.names?.[i] ?? `${opType.toLowerCase()}_${this.nextId}`, info?.dtype ?? inputs[0]?.dtype ?? 'float32', info?.shape);
      v.producer = node;
      node.outputs.push(v);
    }
    this.nodes.push(node);
    return node.outputs;
  }

  /** The single output of a one-output op. */
  op1(opType: string, inputs: Array<Value | undefined>, attrs: Record<string, AttrValue> = {}, options: OpOptions = {}): Value {
    return this.op(opType, inputs, attrs, { ...options, outputs: 1 })[0]!;
  }

  isInitializer(v: Value): boolean {
    return this.initializers.has(v);
  }
}

/** Number of elements of a concrete shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates a zero tensor of a concrete shape. */
export function zerosData(dtype: DType, shape: number[]): TensorData {
  const n = numel(shape);
  return { dtype, shape, data: allocate(dtype, n) };
}

export function allocate(dtype: DType, n: number): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'float16':
      return new Uint16Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/** Tensor data from plain numbers (int64 values are converted to bigint). */
export function tensorData(dtype: DType, shape: number[], values: ArrayLike<number>): TensorData {
  const n = numel(shape);
  if (values.length !== n) throw new Error(`tensorData: shape [${shape.join(', ')}] needs ${n} values, got ${values.length}`);
  const data = allocate(dtype, n);
  if (data instanceof BigInt64Array) for (let i = 0; i < n; i++) data[i] = BigInt(Math.trunc(values[i]!));
  else for (let i = 0; i < n; i++) (data as Float32Array)[i] = values[i]!;
  return { dtype, shape, data };
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}
