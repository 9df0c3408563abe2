// Static shape and dtype inference, one rule per op, kept apart from the IR.
// Autodiff relies on these shapes (e.g. to sum a broadcast gradient back to its input's shape),
// so a rule must be exact or return undefined (unknown), never a guess.

import { dtypeFromOnnx, type DType, type Dim, type Node, type Shape, type Value } from './ir';

export interface ValueInfo {
  dtype: DType;
  shape: Shape | undefined;
}

export type ShapeRule = (node: Node, nOut: number) => Array<ValueInfo | undefined>;

const rules = new Map<string, ShapeRule>();

/** Registers the shape rule of an op (key: "domain:Op" with '' for the default domain). */
export function registerShapeRule(op: string, rule: ShapeRule, domain = ''): void {
  rules.set(`${domain}:${op}`, rule);
}

export function hasShapeRule(op: string, domain = ''): boolean {
  return rules.has(`${domain}:${op}`);
}

export function inferShapes(node: Node, nOut: number): Array<ValueInfo | undefined> {
  const rule = rules.get(`${node.domain}:${node.op}`);
  if (!rule) return [];
  return rule(node, nOut);
}

/** The integer contents of a constant (initializer) value, or undefined if not constant. */
export function constInts(v: Value | undefined): number[] | undefined {
  if (!v) return undefined;
  const t = v.graph.initializers.get(v);
  if (!t) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
}

/**
 * The shape a shape-tensor input stands for: a constant's contents, or the static shape of `y`
 * when the input is `Shape(y)` (how autodiff reshapes/expands back to a symbolic input shape).
 */
export function shapeInput(v: Value | undefined): Shape | undefined {
  if (!v) return undefined;
  const c = constInts(v);
  if (c) return c;
  const p = v.producer;
  if (p && p.op === 'Shape' && p.domain === '' && !p.attrs['start'] && !p.attrs['end']) {
    const src = p.inputs[0]!.shape;
    return src ? [...src] : undefined;
  }
  return undefined;
}

/** Numpy-style broadcast of shapes; undefined when unknown or provably incompatible. */
export function broadcastShapes(...shapes: Array<Shape | undefined>): Shape | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes as Shape[]) {
      const d = s[s.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (dim === 1) dim = d;
      else if (dim !== d) {
        // Two different symbolic names (or a name and a number) cannot be proven equal.
        if (typeof dim === 'number' && typeof d === 'number') {
          throw new Error(`cannot broadcast shapes ${shapes.map((x) => `[${x!.join(', ')}]`).join(' and ')}`);
        }
        return undefined;
      }
    }
    out.push(dim);
  }
  return out;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attrs[name];
  return a && a.type === 'int' ? a.value : fallback;
}

function intsAttr(node: Node, name: string): number[] | undefined {
  const a = node.attrs[name];
  return a && a.type === 'ints' ? a.value : undefined;
}

const first = (node: Node): ValueInfo | undefined => {
  const x = node.inputs[0];
  return x ? { dtype: x.dtype, shape: x.shape ? [...x.shape] : undefined } : undefined;
};

const sameAsFirst: ShapeRule = (node) => [first(node)];

const broadcastRule: ShapeRule = (node) => {
  const ins = node.inputs.filter((v): v is Value => !!v);
  return [{ dtype: ins[0]!.dtype, shape: broadcastShapes(...ins.map((v) => v.shape)) }];
};

const compareRule: ShapeRule = (node) => {
  const ins = node.inputs.filter((v): v is Value => !!v);
  return [{ dtype: 'bool', shape: broadcastShapes(...ins.map((v) => v.shape)) }];
};

for (const op of ['Neg', 'Exp', 'Log', 'Sqrt', 'Tanh', 'Sigmoid', 'Erf', 'Relu', 'Abs', 'Reciprocal', 'Identity', 'Softmax', 'LogSoftmax', 'Gelu', 'Sin', 'Cos', 'Floor', 'Ceil', 'Sign', 'Elu', 'LeakyRelu', 'Softplus', 'IsNaN', 'IsInf', 'Not', 'Dropout']) {
  registerShapeRule(op, sameAsFirst);
}
registerShapeRule('IsNaN', (node) => [{ dtype: 'bool', shape: first(node)?.shape }]);
registerShapeRule('IsInf', (node) => [{ dtype: 'bool', shape: first(node)?.shape }]);
for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'Sum', 'Mean']) registerShapeRule(op, broadcastRule);
for (const op of ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']) registerShapeRule(op, compareRule);
registerShapeRule('Clip', sameAsFirst);

registerShapeRule('Where', (node) => {
  const [c, a, b] = node.inputs;
  return [{ dtype: a!.dtype, shape: broadcastShapes(c!.shape, a!.shape, b!.shape) }];
});

registerShapeRule('Cast', (node) => {
  const to = node.attrs['to'];
  if (!to || to.type !== 'int') throw new Error('Cast: attribute "to" must be an int ONNX data type code (use ops.cast)');
  const dtype = dtypeFromOnnx(to.value);
  return [{ dtype, shape: node.inputs[0]!.shape ? [...node.inputs[0]!.shape] : undefined }];
});

registerShapeRule('MatMul', (node) => {
  const [a, b] = node.inputs;
  if (!a!.shape || !b!.shape) return [{ dtype: a!.dtype, shape: undefined }];
  let sa = [...a!.shape];
  let sb = [...b!.shape];
  const aVec = sa.length === 1;
  const bVec = sb.length === 1;
  if (aVec) sa = [1, sa[0]!];
  if (bVec) sb = [sb[0]!, 1];
  const batch = broadcastShapes(sa.slice(0, -2), sb.slice(0, -2));
  if (!batch) return [{ dtype: a!.dtype, shape: undefined }];
  const out: Dim[] = [...batch];
  if (!aVec) out.push(sa[sa.length - 2]!);
  if (!bVec) out.push(sb[sb.length - 1]!);
  return [{ dtype: a!.dtype, shape: out }];
});

registerShapeRule('Transpose', (node) => {
  const x = node.inputs[0]!;
  if (!x.shape) return [{ dtype: x.dtype, shape: undefined }];
  const perm = intsAttr(node, 'perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p]!) }];
});

function reduceRule(axesFromInput: boolean): ShapeRule {
  return (node) => {
    const x = node.inputs[0]!;
    const keep = intAttr(node, 'keepdims', 1) === 1;
    const noopEmpty = intAttr(node, 'noop_with_empty_axes', 0) === 1;
    if (!x.shape) return [{ dtype: x.dtype, shape: undefined }];
    const axesRaw = axesFromInput ? (node.inputs[1] ? constInts(node.inputs[1]) : []) : (intsAttr(node, 'axes') ?? []);
    if (axesRaw === undefined) return [{ dtype: x.dtype, shape: undefined }];
    const rank = x.shape.length;
    if (axesRaw.length === 0 && noopEmpty) return [{ dtype: x.dtype, shape: [...x.shape] }];
    const axes = new Set((axesRaw.length ? axesRaw : x.shape.map((_, i) => i)).map((a) => normAxis(a, rank)));
    const out: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!axes.has(i)) out.push(d);
      else if (keep) out.push(1);
    });
    return [{ dtype: x.dtype, shape: out }];
  };
}
// From opset 18 every Reduce* takes axes as an input (ReduceSum since 13).
for (const op of ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare', 'ReduceL2', 'ReduceLogSumExp']) {
  registerShapeRule(op, reduceRule(true));
}

registerShapeRule('Shape', (node) => [{ dtype: 'int64', shape: node.inputs[0]!.shape ? [node.inputs[0]!.shape.length] : undefined }]);

/**
 * The -1 dim of a Reshape when symbolic dims are involved: the input's dims divided by the target's
 * known dims. Symbols cancel by name; what is left becomes a product name ("B*T", or "4*B" with a
 * numeric factor), so the same flattening always yields the same name. Undefined if it cannot tell.
 */
function symbolicRemainder(input: Shape, known: Dim[]): Dim | undefined {
  const syms = input.filter((d): d is string => typeof d === 'string');
  let num = (input.filter((d) => typeof d === 'number') as number[]).reduce((a, b) => a * b, 1);
  for (const d of known) {
    if (typeof d === 'number') {
      if (d <= 0 || num % d !== 0) return undefined;
      num /= d;
    } else {
      const at = syms.indexOf(d);
      if (at < 0) return undefined; // a target symbol the input does not have: cannot cancel
      syms.splice(at, 1);
    }
  }
  if (syms.length === 0) return num;
  const product = syms.join('*');
  return num === 1 ? product : `${num}*${product}`;
}

registerShapeRule('Reshape', (node) => {
  const [x, s] = node.inputs;
  if (s && !constInts(s)) {
    const viaShape = shapeInput(s);
    return [{ dtype: x!.dtype, shape: viaShape }];
  }
  const target = constInts(s);
  if (!target) return [{ dtype: x!.dtype, shape: undefined }];
  const allowZero = intAttr(node, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (x!.shape?.[i] ?? -1) : d));
  const inferIdx = out.indexOf(-1);
  if (inferIdx >= 0) {
    if (!x!.shape || x!.shape.some((d) => typeof d !== 'number') || out.some((d, i) => i !== inferIdx && typeof d !== 'number')) {
      const inferred = x!.shape ? symbolicRemainder(x!.shape, out.filter((_, i) => i !== inferIdx)) : undefined;
      if (inferred === undefined) return [{ dtype: x!.dtype, shape: undefined }];
      out[inferIdx] = inferred;
    } else {
      const total = (x!.shape as number[]).reduce((a, b) => a * b, 1);
      const rest = (out.filter((_, i) => i !== inferIdx) as number[]).reduce((a, b) => a * b, 1);
      out[inferIdx] = total / rest;
    }
  }
  return [{ dtype: x!.dtype, shape: out }];
});

registerShapeRule('Unsqueeze', (node) => {
  const [x, a] = node.inputs;
  const axes = constInts(a);
  if (!x!.shape || !axes) return [{ dtype: x!.dtype, shape: undefined }];
  const rank = x!.shape.length + axes.length;
  const set = new Set(axes.map((ax) => normAxis(ax, rank)));
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(set.has(i) ? 1 : x!.shape[j++]!);
  return [{ dtype: x!.dtype, shape: out }];
});

registerShapeRule('Squeeze', (node) => {
  const [x, a] = node.inputs;
  if (!x!.shape) return [{ dtype: x!.dtype, shape: undefined }];
  const axes = a ? constInts(a) : x!.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  if (!axes) return [{ dtype: x!.dtype, shape: undefined }];
  const set = new Set(axes.map((ax) => normAxis(ax, x!.shape!.length)));
  return [{ dtype: x!.dtype, shape: x!.shape.filter((_, i) => !set.has(i)) }];
});

registerShapeRule('Concat', (node) => {
  const ins = node.inputs as Value[];
  const axisRaw = intAttr(node, 'axis', 0);
  if (ins.some((v) => !v.shape)) return [{ dtype: ins[0]!.dtype, shape: undefined }];
  const rank = ins[0]!.shape!.length;
  const axis = normAxis(axisRaw, rank);
  const out: Dim[] = [...ins[0]!.shape!];
  const dims = ins.map((v) => v.shape![axis]!);
  out[axis] = dims.every((d) => typeof d === 'number') ? (dims as number[]).reduce((a, b) => a + b, 0) : dims.join('+');
  return [{ dtype: ins[0]!.dtype, shape: out }];
});

registerShapeRule('Gather', (node) => {
  const [data, idx] = node.inputs;
  if (!data!.shape || !idx!.shape) return [{ dtype: data!.dtype, shape: undefined }];
  const axis = normAxis(intAttr(node, 'axis', 0), data!.shape.length);
  return [{ dtype: data!.dtype, shape: [...data!.shape.slice(0, axis), ...idx!.shape, ...data!.shape.slice(axis + 1)] }];
});

registerShapeRule('GatherElements', (node) => [{ dtype: node.inputs[0]!.dtype, shape: node.inputs[1]!.shape ? [...node.inputs[1]!.shape] : undefined }]);
registerShapeRule('ScatterND', sameAsFirst);
registerShapeRule('ScatterElements', sameAsFirst);

registerShapeRule('Expand', (node) => {
  const [x, s] = node.inputs;
  const target = shapeInput(s);
  if (!target) return [{ dtype: x!.dtype, shape: undefined }];
  return [{ dtype: x!.dtype, shape: broadcastShapes(x!.shape, target) }];
});

registerShapeRule('Slice', (node) => {
  const [x, starts, ends, axesV, stepsV] = node.inputs;
  const s = constInts(starts);
  const e = constInts(ends);
  if (!x!.shape || !s || !e) return [{ dtype: x!.dtype, shape: undefined }];
  const rank = x!.shape.length;
  const axes = axesV ? constInts(axesV) : s.map((_, i) => i);
  const steps = stepsV ? constInts(stepsV) : s.map(() => 1);
  if (!axes || !steps) return [{ dtype: x!.dtype, shape: undefined }];
  const out: Dim[] = [...x!.shape];
  for (let i = 0; i < axes.length; i++) {
    const ax = normAxis(axes[i]!, rank);
    const dim = x!.shape[ax]!;
    const step = steps[i]!;
    if (typeof dim !== 'number') {
      // Full-range slices of a symbolic dim keep it; anything else is unknown.
      if (s[i] === 0 && e[i]! >= 2 ** 31 - 1 && step === 1) continue;
      return [{ dtype: x!.dtype, shape: undefined }];
    }
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let st = s[i]! < 0 ? s[i]! + dim : s[i]!;
    let en = e[i]! < 0 ? e[i]! + dim : e[i]!;
    if (step > 0) {
      st = clamp(st, 0, dim);
      en = clamp(en, 0, dim);
      out[ax] = Math.max(0, Math.ceil((en - st) / step));
    } else {
      st = clamp(st, 0, dim - 1); // ONNX: negative steps clamp starts to [0, dim-1], ends to [-1, dim-1]
      en = clamp(en, -1, dim - 1);
      out[ax] = Math.max(0, Math.ceil((en - st) / step));
    }
  }
  return [{ dtype: x!.dtype, shape: out }];
});

registerShapeRule('Constant', (node) => {
  const v = node.attrs['value'];
  if (v && v.type === 'tensor') return [{ dtype: v.value.dtype, shape: [...v.value.shape] }];
  return [];
});

registerShapeRule('ConstantOfShape', (node) => {
  const target = shapeInput(node.inputs[0]);
  const v = node.attrs['value'];
  const dtype = v && v.type === 'tensor' ? v.value.dtype : 'float32';
  return [{ dtype, shape: target }];
});

registerShapeRule('LayerNormalization', (node, nOut) => {
  const x = node.inputs[0]!;
  const out: Array<ValueInfo | undefined> = [{ dtype: x.dtype, shape: x.shape ? [...x.shape] : undefined }];
  if (nOut > 1) {
    const axis = normAxis(intAttr(node, 'axis', -1), x.shape?.length ?? 0);
    const stat = x.shape ? x.shape.map((d, i) => (i < axis ? d : 1)) : undefined;
    out.push({ dtype: 'float32', shape: stat }, { dtype: 'float32', shape: stat });
  }
  return out;
});

registerShapeRule('RMSNormalization', sameAsFirst);

registerShapeRule('OneHot', (node) => {
  const [idx, depth, values] = node.inputs;
  const d = constInts(depth);
  if (!idx!.shape || !d) return [{ dtype: values!.dtype, shape: undefined }];
  const axis = intAttr(node, 'axis', -1);
  const out: Dim[] = [...idx!.shape];
  out.splice(axis < 0 ? out.length + 1 + axis : axis, 0, d[0]!);
  return [{ dtype: values!.dtype, shape: out }];
});

registerShapeRule('Trilu', sameAsFirst);

registerShapeRule('SoftmaxCrossEntropyLoss', (node, nOut) => {
  const [scores, labels] = node.inputs;
  const reduction = node.attrs['reduction'];
  const red = reduction && reduction.type === 'string' ? reduction.value : 'mean';
  const out: Array<ValueInfo | undefined> = [{ dtype: scores!.dtype, shape: red === 'none' ? (labels!.shape ? [...labels!.shape] : undefined) : [] }];
  if (nOut > 1) out.push({ dtype: scores!.dtype, shape: scores!.shape ? [...scores!.shape] : undefined });
  return out;
});

registerShapeRule('ArgMax', (node) => {
  const x = node.inputs[0]!;
  if (!x.shape) return [{ dtype: 'int64', shape: undefined }];
  const axis = normAxis(intAttr(node, 'axis', 0), x.shape.length);
  const keep = intAttr(node, 'keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: x.shape.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d])) }];
});

// Ops emitted by autodiff rules (gradients of Slice and of broadcasting); Size, Range and Split are below.
registerShapeRule('NonZero', (node) => [{ dtype: 'int64', shape: node.inputs[0]!.shape ? [node.inputs[0]!.shape.length, 'nonzero'] : undefined }]);
registerShapeRule('Pad', (node) => {
  const [x, padsV] = node.inputs;
  const pads = constInts(padsV);
  if (!x!.shape || !pads || node.inputs[3] || pads.length !== 2 * x!.shape.length) return [{ dtype: x!.dtype, shape: undefined }];
  const r = x!.shape.length;
  return [{ dtype: x!.dtype, shape: x!.shape.map((d, i) => (pads[i] === 0 && pads[i + r] === 0 ? d : typeof d === 'number' ? d + pads[i]! + pads[i + r]! : `${d}+${pads[i]! + pads[i + r]!}`)) }];
});

/** A scalar or 1-element int input known statically, or `Gather(Shape(y), k)` resolved to y's dim k. */
function scalarDim(v: Value | undefined): Dim | undefined {
  const c = constInts(v);
  if (c) return c.length === 1 ? c[0] : undefined;
  const p = v?.producer;
  if (p && p.op === 'Gather' && p.domain === '' && intAttr(p, 'axis', 0) === 0) {
    const dims = shapeInput(p.inputs[0]);
    const k = constInts(p.inputs[1]);
    if (dims && k && k.length === 1) return dims[normAxis(k[0]!, dims.length)];
  }
  return undefined;
}

// Range(start, limit, delta): length max(ceil((limit - start) / delta), 0). Range(0, n, 1) keeps a
// symbolic n (positions 0..T-1 from Gather(Shape(x), 1)).
registerShapeRule('Range', (node) => {
  const [start, limit, delta] = node.inputs;
  const s = constInts(start);
  const d = constInts(delta);
  const l = scalarDim(limit);
  const dtype = start!.dtype;
  if (!s || !d || l === undefined) return [{ dtype, shape: undefined }];
  if (typeof l === 'string') return [{ dtype, shape: s[0] === 0 && d[0] === 1 ? [l] : undefined }];
  // constInts reads float constants as plain numbers too, so fractional steps stay exact.
  return [{ dtype, shape: [Math.max(Math.ceil((l - s[0]!) / d[0]!), 0)] }];
});

// Split: equal parts (num_outputs, opset 18) or the sizes in the optional `split` input.
registerShapeRule('Split', (node, nOut) => {
  const [x, splitV] = node.inputs;
  const none = Array.from({ length: nOut }, () => ({ dtype: x!.dtype, shape: undefined }));
  if (!x!.shape) return none;
  const axis = normAxis(intAttr(node, 'axis', 0), x!.shape.length);
  const dim = x!.shape[axis]!;
  let sizes = splitV ? constInts(splitV) : undefined;
  if (!sizes) {
    if (splitV || typeof dim !== 'number') return none;
    const n = intAttr(node, 'num_outputs', nOut);
    const chunk = Math.ceil(dim / n);
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  return sizes.map((s) => {
    const shape = [...x!.shape!];
    shape[axis] = s;
    return { dtype: x!.dtype, shape };
  });
});

registerShapeRule('Tile', (node) => {
  const [x, r] = node.inputs;
  const reps = constInts(r);
  if (!x!.shape || !reps) return [{ dtype: x!.dtype, shape: undefined }];
  const shape = x!.shape.map((d, i) => (reps[i] === 1 ? d : typeof d === 'number' ? d * reps[i]! : undefined));
  return [{ dtype: x!.dtype, shape: shape.includes(undefined) ? undefined : (shape as Dim[]) }];
});

registerShapeRule('CumSum', sameAsFirst);

// TopK(x, k): values and int64 indices with dim `axis` replaced by k.
registerShapeRule('TopK', (node) => {
  const [x, kV] = node.inputs;
  const k = constInts(kV);
  if (!x!.shape || !k) return [{ dtype: x!.dtype, shape: undefined }, { dtype: 'int64', shape: undefined }];
  const axis = normAxis(intAttr(node, 'axis', -1), x!.shape.length);
  const shape = [...x!.shape];
  shape[axis] = k[0]!;
  return [{ dtype: x!.dtype, shape }, { dtype: 'int64', shape: [...shape] }];
});

registerShapeRule('ArgMin', (node) => {
  const x = node.inputs[0]!;
  if (!x.shape) return [{ dtype: 'int64', shape: undefined }];
  const axis = normAxis(intAttr(node, 'axis', 0), x.shape.length);
  const keep = intAttr(node, 'keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: x.shape.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d])) }];
});

// Gemm(A, B, C): [M, K] x [K, N] (+ C broadcast to [M, N]), transA/transB swap the operand axes.
registerShapeRule('Gemm', (node) => {
  const [a, b] = node.inputs;
  if (!a!.shape || !b!.shape) return [{ dtype: a!.dtype, shape: undefined }];
  const m = intAttr(node, 'transA', 0) ? a!.shape[1]! : a!.shape[0]!;
  const n = intAttr(node, 'transB', 0) ? b!.shape[0]! : b!.shape[1]!;
  return [{ dtype: a!.dtype, shape: [m, n] }];
});

registerShapeRule('Size', () => [{ dtype: 'int64', shape: [] }]);
for (const op of ['HardSigmoid', 'Round', 'Selu', 'Mish', 'Softsign']) registerShapeRule(op, sameAsFirst);
