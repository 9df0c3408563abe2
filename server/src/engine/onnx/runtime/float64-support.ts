// Ops whose float64 form ONNX Runtime 1.30's CPU provider has no kernel for ("Could not find an
// implementation for X(ver) node with name ..."). Gradient checks want float64 for tight finite
// differences; for these ops they must fall back to float32 with a looser tolerance.
// Measured by server/src/engine/onnx/ops-runtime.test.ts, which fails if this table drifts.

export const FLOAT64_UNSUPPORTED: ReadonlySet<string> = new Set<string>([
  'Erf', // float32 only (so exact Gelu written as 0.5*x*(1+Erf(x/sqrt2)) is float32-only too)
  'Gelu', // Gelu-20, both approximate='none' and 'tanh'
  'Softplus',
]);

/**
 * Every op the round-trip test ran in float64 and found working (the complement, for reference):
 * Add Sub Mul Div Pow Max Min Neg Exp Log Sqrt Tanh Sigmoid Relu Abs Reciprocal Sin Cos Floor Ceil
 * Sign Identity Clip Softmax LogSoftmax MatMul RMSNormalization LayerNormalization ReduceSum
 * ReduceMean ReduceMax ReduceMin Reshape Transpose Concat Slice Unsqueeze Squeeze Expand Where
 * Gather GatherElements ScatterND(add) ScatterElements(add) Cast Trilu Equal Less Greater Split
 * Tile CumSum TopK ArgMax. Note: float64 graphs compile with optimization 'basic' by default
 * (runtime/index.ts), because 'all' fuses x*Sigmoid(x) into a float32-only contrib op.
 */
export const FLOAT64_VERIFIED: readonly string[] = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Neg', 'Exp', 'Log', 'Sqrt', 'Tanh', 'Sigmoid', 'Relu', 'Abs',
  'Reciprocal', 'Sin', 'Cos', 'Floor', 'Ceil', 'Sign', 'Identity', 'Clip', 'Softmax', 'LogSoftmax', 'MatMul',
  'RMSNormalization', 'LayerNormalization', 'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'Reshape',
  'Transpose', 'Concat', 'Slice', 'Unsqueeze', 'Squeeze', 'Expand', 'Where', 'Gather', 'GatherElements',
  'ScatterND', 'ScatterElements', 'Cast', 'Trilu', 'Equal', 'Less', 'Greater', 'Split', 'Tile', 'CumSum', 'TopK', 'ArgMax',
];

/** Whether ORT's CPU provider runs `op` on float64 inputs (default domain ops we build). */
export function supportsFloat64(op: string): boolean {
  return !FLOAT64_UNSUPPORTED.has(op);
}
