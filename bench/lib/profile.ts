// ORT's own profiler on a graph: runs it with profiling on (same session options as the runtime
// otherwise) and sums kernel time by op type, so a bench can show where a step's time goes.
// Development aid for benches only; product code goes through onnx/runtime.

import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Graph, TensorData } from '../../server/src/engine/onnx/ir';
import { ort } from '../../server/src/engine/onnx/runtime/ort';
import { sessionOptions } from '../../server/src/engine/onnx/runtime/session-options';
import { toOrtTensor } from '../../server/src/engine/onnx/runtime/tensors';
import { toModelProto } from '../../server/src/engine/onnx/serialize';

export interface NodeTime {
  node: string;
  op: string;
  ms: number;
  inputs: string;
}

export interface OpTime {
  op: string;
  ms: number;
  count: number;
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; input_type_shape?: Array<Record<string, number[]>> };
}

/** Mean milliseconds per run spent in each op type over `runs` runs (after one unprofiled-equivalent warmup). */
export async function profileByOp(graph: Graph, feeds: Record<string, TensorData>, threads: number, runs: number): Promise<{ ops: OpTime[]; nodes: NodeTime[]; totalMs: number }> {
  const prefix = join(tmpdir(), `ume-profile-${process.pid}`);
  const session = await ort.InferenceSession.create(toModelProto(graph), { ...sessionOptions({ threads }), enableProfiling: true, profileFilePrefix: prefix });
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrtTensor(t)]));
  for (let i = 0; i < runs + 1; i++) await session.run(ortFeeds);
  session.endProfiling();
  await session.release();
  // ORT names the file <prefix>_<date>.json; find it by prefix.
  const { readdirSync } = await import('node:fs');
  const file = readdirSync(tmpdir()).map((f) => join(tmpdir(), f)).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
  if (!file) throw new Error(`ORT wrote no profile file with prefix ${prefix}`);
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  rmSync(file, { force: true });
  const byOp = new Map<string, OpTime>();
  const byNode = new Map<string, NodeTime>();
  let runUs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') runUs += e.dur ?? 0;
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    const t = byOp.get(op) ?? { op, ms: 0, count: 0 };
    t.ms += (e.dur ?? 0) / 1000;
    t.count++;
    byOp.set(op, t);
    const node = e.name.slice(0, -'_kernel_time'.length);
    const n = byNode.get(node) ?? { node, op, ms: 0, inputs: (e.args?.input_type_shape ?? []).map((x) => `[${Object.values(x)[0]?.join(',') ?? ''}]`).join(' ') };
    n.ms += (e.dur ?? 0) / 1000;
    byNode.set(node, n);
  }
  const scale = 1 / (runs + 1);
  const ops = [...byOp.values()].map((t) => ({ op: t.op, ms: t.ms * scale, count: Math.round(t.count * scale) })).sort((a, b) => b.ms - a.ms);
  const nodes = [...byNode.values()].map((n) => ({ ...n, ms: n.ms * scale })).sort((a, b) => b.ms - a.ms);
  return { ops, nodes, totalMs: (runUs / 1000) * scale };
}
