// The training commands: Start / Stop / Resume Training Run, Run Evaluation Only, Generate Synthetic
// Dataset, Open Dashboard, Open Run Folder, Compare Runs, and the runs view's item actions. Each
// asks what it needs with quick picks, refuses in an untrusted workspace with the reason, and
// leaves the work to the language server.

import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { PRESETS } from '../../../server/src/engine/training/config';
import { syntheticDatasetRequest, type RunInfo } from '../../../server/src/protocol/training-requests';
import type { Ctx } from '../ctx';
import { CommandId } from '../command-ids';
import type { TrainingController } from './controller';
import { showDashboard } from './dashboard-link';
import { checkRunName, defaultRunName, fmtNumber } from './format';
import type { RunsNode, RunsTree } from './runs-tree';
import { trainingConfig, trainingFolder, userSettingsLayer } from './workspace';

export interface TrainingDeps {
  ctx: Ctx;
  training: TrainingController;
  tree: RunsTree;
}

const TRUST_MESSAGE =
  'UME Studio does not train in Restricted Mode: a training run executes reward configurations and reads the files this workspace\'s settings name. Trust this workspace to train.';

/** True when the workspace is trusted; otherwise says why training is refused, with a way to trust it. */
async function ensureTrusted(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const pick = await vscode.window.showErrorMessage(TRUST_MESSAGE, 'Manage Workspace Trust');
  if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** A run folder from a command argument: a path, a runs-view node, a URI, or nothing. */
function runDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const node = arg as RunsNode | undefined;
  if (node && (node.kind === 'run' || node.kind === 'checkpoint')) return node.run.dir;
  return undefined;
}

type Item<T> = vscode.QuickPickItem & { value: T };

async function pick<T>(items: Array<Item<T>>, title: string, placeHolder: string): Promise<T | undefined> {
  const chosen = await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true, matchOnDescription: true });
  return chosen?.value;
}

async function pickFile(title: string, filters: Record<string, string[]>, folder: vscode.WorkspaceFolder | undefined): Promise<string | undefined> {
  const uris = await vscode.window.showOpenDialog({ title, filters, canSelectMany: false, ...(folder ? { defaultUri: folder.uri } : {}) });
  return uris?.[0]?.fsPath;
}

const display = (path: string, folder: vscode.WorkspaceFolder | undefined): string => (folder && !relative(folder.uri.fsPath, path).startsWith('..') ? relative(folder.uri.fsPath, path) : path);

async function pickDataset(folder: vscode.WorkspaceFolder | undefined, title: string): Promise<string | undefined> {
  const current = trainingConfig(folder).get<string>('dataset') ?? 'synthetic';
  const found = folder ? await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.jsonl'), '**/{node_modules,runs,.git}/**', 30) : [];
  const items: Array<Item<string | null>> = [
    { label: '$(beaker) Synthetic prompts', description: 'lobster-style, seed 42: SMILES, proteins, DNA', value: 'synthetic' },
    ...found.map((u) => ({ label: `$(file) ${display(u.fsPath, folder)}`, description: 'prompt JSONL in the workspace', value: u.fsPath })),
    { label: '$(folder-opened) Choose a .jsonl file…', value: null },
  ];
  const i = items.findIndex((x) => x.value === current);
  if (i > 0) items.unshift(...items.splice(i, 1).map((x) => ({ ...x, description: `${x.description ?? ''} (your setting)` })));
  const v = await pick(items, title, 'Prompts to train on (rows of {"prompt", "modality"?})');
  if (v !== null) return v;
  return pickFile('Prompt dataset (JSON Lines)', { 'JSON Lines': ['jsonl'] }, folder);
}

async function pickReward(folder: vscode.WorkspaceFolder | undefined, title: string): Promise<{ reward_function: 'single' | 'multi'; reward_config: string | null } | undefined> {
  const cfg = trainingConfig(folder);
  const currentFile = cfg.get<string | null>('rewardConfig') ?? null;
  const items: Array<Item<'single' | 'multi' | 'file' | 'current'>> = [
    { label: 'Single: the UME reward', description: 'pseudo-log-likelihood under UME / temperature (lobster)', value: 'single' },
    { label: 'Multi: the default mix', description: 'UME plus validity and property components (docs/rewards.md)', value: 'multi' },
    ...(currentFile ? [{ label: `Multi: ${currentFile}`, description: 'your umeStudio.training.rewardConfig', value: 'current' as const }] : []),
    { label: '$(folder-opened) Multi: choose a reward config file…', description: 'JSON, docs/rewards.md', value: 'file' },
  ];
  if (cfg.get<string>('rewardFunction') === 'multi') items.unshift(...items.splice(currentFile ? 2 : 1, 1));
  const v = await pick(items, title, 'What the policy is rewarded for');
  if (v === undefined) return undefined;
  if (v === 'single') return { reward_function: 'single', reward_config: null };
  if (v === 'multi') return { reward_function: 'multi', reward_config: null };
  if (v === 'current') return { reward_function: 'multi', reward_config: currentFile };
  const file = await pickFile('Reward config', { 'Reward config (JSON)': ['json'] }, folder);
  return file ? { reward_function: 'multi', reward_config: file } : undefined;
}

type PresetName = keyof typeof PRESETS | 'settings';

async function pickPreset(title: string): Promise<PresetName | undefined> {
  const q = PRESETS['quick-test'];
  const p = PRESETS.production;
  return pick<PresetName>(
    [
      { label: 'quick-test', description: `${q.max_steps} steps of ${(q.per_device_train_batch_size ?? 8) / (q.num_generations ?? 8)} prompts × ${q.num_generations} completions: minutes on a CPU`, value: 'quick-test' },
      { label: 'production', description: `${p.num_train_epochs} epochs, KL ${p.beta} to the reference, ${p.save_total_limit} checkpoints kept`, value: 'production' },
      { label: 'My settings', description: 'umeStudio.training.* only (defaults: TRL\'s)', value: 'settings' },
    ],
    title,
    'How long and how hard to train (a preset overrides your settings for the keys it sets)',
  );
}

async function pickDevice(folder: vscode.WorkspaceFolder | undefined, title: string): Promise<string | undefined> {
  const current = trainingConfig(folder).get<string>('device') ?? 'auto';
  const items: Array<Item<string>> = [
    { label: 'auto', description: 'CUDA, then WebGPU, then CPU: the first that starts', value: 'auto' },
    { label: 'cpu', description: 'always available', value: 'cpu' },
    { label: 'cuda', description: 'NVIDIA GPU (onnxruntime-node with CUDA)', value: 'cuda' },
    { label: 'webgpu', description: 'a GPU through WebGPU', value: 'webgpu' },
  ];
  const i = items.findIndex((x) => x.value === current);
  if (i > 0) items.unshift(...items.splice(i, 1));
  return pick(items, title, 'ONNX Runtime device for the policy and the reward');
}

async function askRunName(deps: TrainingDeps, prefix: string, title: string): Promise<string | undefined> {
  const existing = (await deps.tree.list().catch(() => [] as RunInfo[])).map((r) => r.name);
  const value = defaultRunName(new Date(), prefix);
  return vscode.window.showInputBox({ title, prompt: 'Run name: the folder under the output folder', value, ignoreFocusOut: true, validateInput: (v) => checkRunName(v, existing) });
}

async function startRun(deps: TrainingDeps, mode: 'train' | 'eval'): Promise<void> {
  if (!(await ensureTrusted())) return;
  const folder = trainingFolder();
  const steps = mode === 'train' ? 5 : 4;
  const t = (n: number): string => `UME: ${mode === 'train' ? 'Start Training Run' : 'Run Evaluation Only'} (${n}/${steps})`;
  const settings = userSettingsLayer(folder);
  const dataset = await pickDataset(folder, t(1));
  if (dataset === undefined) return;
  const reward = await pickReward(folder, t(2));
  if (!reward) return;
  let preset: PresetName = 'settings';
  let n = 3;
  if (mode === 'train') {
    const p = await pickPreset(t(n++));
    if (!p) return;
    preset = p;
  }
  const device = await pickDevice(folder, t(n++));
  if (!device) return;
  const runName = await askRunName(deps, mode === 'train' ? 'grpo' : 'eval', t(n));
  if (!runName) return;
  const layers = [settings, ...(preset !== 'settings' ? [{ ...PRESETS[preset] }] : []), { dataset, ...reward, device, run_name: runName }];
  const what = mode === 'train' ? `training ${runName}` : `evaluating ${runName}`;
  deps.ctx.output.info(`Starting ${what}: ${JSON.stringify(layers)}`);
  await deps.training.start({ trusted: vscode.workspace.isTrusted, baseDir: folder?.uri.fsPath ?? null, layers, ...(mode === 'eval' ? { evalOnly: true } : {}) }, `UME: ${what}`);
  deps.tree.refreshSoon();
  // The dashboard opens beside the editor with a new run and follows it live; the focus stays put.
  const dir = deps.training.active.find((r) => r.runName === runName)?.runDir;
  if (dir) await showDashboard(deps.ctx, [dir], 'beside');
}

async function pickRun(deps: TrainingDeps, title: string, filter: (r: RunInfo) => boolean, empty: string): Promise<RunInfo | undefined> {
  const runs = (await deps.tree.list()).filter(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(empty);
    return undefined;
  }
  return pick(
    runs.map((r) => ({ label: r.name, description: `${r.state} · ${r.step ?? '?'}/${r.totalSteps ?? '?'} steps${r.bestReward !== null ? ` · best ${fmtNumber(r.bestReward)}` : ''}`, detail: r.dir, value: r })),
    title,
    'Pick a run',
  );
}

async function findRun(deps: TrainingDeps, dir: string): Promise<RunInfo | undefined> {
  return (await deps.tree.list()).find((r) => r.dir === dir);
}

async function resumeRun(deps: TrainingDeps, arg: unknown): Promise<void> {
  if (!(await ensureTrusted())) return;
  const title = 'UME: Resume Training Run';
  const dir = runDirOf(arg);
  const run = dir ? await findRun(deps, dir) : await pickRun(deps, title, (r) => r.checkpoints.length > 0 && r.state !== 'running', 'No run has a checkpoint to resume from yet (runs write one every save_steps steps and when stopped).');
  if (!run) return;
  if (run.checkpoints.length === 0) throw new Error(`${run.name} has no checkpoint to resume from (a run writes one every save_steps steps and when it is stopped).`);
  if (deps.training.activeRun(run.dir)) throw new Error(`${run.name} is training now.`);
  const fromNode = (arg as RunsNode | undefined)?.kind === 'checkpoint' ? (arg as Extract<RunsNode, { kind: 'checkpoint' }>).checkpoint.dir : undefined;
  const last = run.checkpoints.at(-1)!;
  const checkpoint =
    fromNode ??
    (run.checkpoints.length === 1
      ? 'latest'
      : await pick<string>(
          [{ label: `Latest (step ${last.step})`, value: 'latest' }, ...[...run.checkpoints].reverse().slice(1).map((c) => ({ label: `Step ${c.step}`, description: basename(c.dir), value: c.dir }))],
          title,
          `Resume ${run.name} from which checkpoint?`,
        ));
  if (!checkpoint) return;
  const overrides: Record<string, unknown> = {};
  const from = checkpoint === 'latest' ? last.step : (run.checkpoints.find((c) => c.dir === checkpoint)?.step ?? 0);
  if (run.totalSteps !== null && from >= run.totalSteps) {
    // Nothing left to train: ask how far to go.
    const more = await vscode.window.showInputBox({
      title,
      prompt: `${run.name} is at step ${from} of ${run.totalSteps}. Train to how many steps in all?`,
      value: String(run.totalSteps * 2),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) > from ? undefined : `A whole number above ${from}.`),
    });
    if (!more) return;
    overrides['max_steps'] = Number(more);
  }
  const folder = trainingFolder();
  await deps.training.start({ trusted: vscode.workspace.isTrusted, baseDir: folder?.uri.fsPath ?? null, layers: [], resume: { runDir: run.dir, checkpoint, overrides } }, `UME: resuming ${run.name}`);
  deps.tree.refreshSoon();
  await showDashboard(deps.ctx, [run.dir], 'beside');
}

async function stopRun(deps: TrainingDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg);
  const stopping = await deps.training.stop(dir);
  if (stopping.length === 0) {
    void vscode.window.showInformationMessage(dir ? `UME: ${basename(dir)} is not training.` : 'UME: no run is training.');
    return;
  }
  void vscode.window.setStatusBarMessage(`UME: stopping ${stopping.map((d) => basename(d)).join(', ')} after the current step (with a checkpoint)…`, 5000);
}

async function generateSynthetic(deps: TrainingDeps): Promise<void> {
  const folder = trainingFolder();
  const title = 'UME: Generate Synthetic Dataset';
  const defaultDir = folder ? join(folder.uri.fsPath, 'data', 'synthetic') : undefined;
  const outDir = await vscode.window.showInputBox({ title, prompt: 'Folder to write train/validation/test/full.jsonl into', value: defaultDir ?? '', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Give a folder.') });
  if (!outDir) return;
  const per = await vscode.window.showInputBox({ title, prompt: 'Rows per modality (SMILES, protein, DNA); lobster uses 100', value: '100', validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 4 ? undefined : 'A whole number, at least 4.') });
  if (!per) return;
  const send = (overwrite: boolean) => deps.ctx.request(syntheticDatasetRequest, { outDir, perModality: Number(per), seed: 42, overwrite });
  let result;
  try {
    result = await send(false);
  } catch (e) {
    if (!/already exist/.test((e as Error).message)) throw e;
    const ok = await vscode.window.showWarningMessage(`${(e as Error).message.replace(/: choose another.*$/, '')}. Replace them?`, { modal: true }, 'Replace');
    if (ok !== 'Replace') return;
    result = await send(true);
  }
  const rows = result.files.reduce((n, f) => n + (f.path.endsWith('full.jsonl') ? (f.rows ?? 0) : 0), 0);
  const train = result.files.find((f) => f.path.endsWith('train.jsonl'))?.path;
  const open = await vscode.window.showInformationMessage(`UME: wrote the synthetic dataset (${rows} rows in all) to ${result.outDir}.`, 'Open train.jsonl');
  if (open && train) await vscode.window.showTextDocument(vscode.Uri.file(train));
}

async function dashboard(deps: TrainingDeps, arg: unknown): Promise<void> {
  const dirs = Array.isArray(arg) ? arg.map(runDirOf).filter((d): d is string => d !== undefined) : [runDirOf(arg) ?? deps.training.active[0]?.runDir].filter((d): d is string => d !== undefined);
  if (dirs.length === 0) {
    const run = await pickRun(deps, 'UME: Open Dashboard', () => true, 'No runs yet: start one with "UME: Start Training Run".');
    if (!run) return;
    dirs.push(run.dir);
  }
  await showDashboard(deps.ctx, dirs);
}

async function compareRuns(deps: TrainingDeps): Promise<void> {
  const runs = await deps.tree.list();
  if (runs.length < 2) {
    void vscode.window.showInformationMessage('UME: Compare Runs needs at least two runs in the output folder.');
    return;
  }
  const chosen = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: r.name, description: `${r.state} · ${r.step ?? '?'} steps${r.bestReward !== null ? ` · best ${fmtNumber(r.bestReward)}` : ''}`, value: r })),
    { title: 'UME: Compare Runs', placeHolder: 'Pick the runs to overlay', canPickMany: true, ignoreFocusOut: true },
  );
  if (!chosen || chosen.length === 0) return;
  await showDashboard(deps.ctx, chosen.map((c) => c.value.dir));
}

function insideWorkspace(path: string): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((f) => !relative(f.uri.fsPath, path).startsWith('..'));
}

/** Shows a folder: in the explorer when it is in the workspace, else in the OS (desktop) or by opening its main file. */
async function revealFolder(dir: string, file: string): Promise<void> {
  const uri = vscode.Uri.file(dir);
  if (insideWorkspace(dir)) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return;
  }
  if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) {
    await vscode.commands.executeCommand('revealFileInOS', uri);
    return;
  }
  if (existsSync(join(dir, file))) await vscode.window.showTextDocument(vscode.Uri.file(join(dir, file)));
}

async function openRunFolder(deps: TrainingDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg) ?? (await pickRun(deps, 'UME: Open Run Folder', () => true, 'No runs yet: start one with "UME: Start Training Run".'))?.dir;
  if (dir) await revealFolder(dir, 'config.json');
}

async function revealCheckpoint(_deps: TrainingDeps, arg: unknown): Promise<void> {
  const node = arg as RunsNode | undefined;
  const dir = node?.kind === 'checkpoint' ? node.checkpoint.dir : node?.kind === 'run' ? node.run.lastCheckpoint : undefined;
  if (!dir) throw new Error('Reveal Checkpoint works on a run or a checkpoint in the UME Runs view.');
  await revealFolder(dir, 'state.json');
}

async function deleteRun(deps: TrainingDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg);
  const run = dir ? await findRun(deps, dir) : await pickRun(deps, 'UME: Delete Run', (r) => r.state !== 'running', 'No runs to delete.');
  if (!run) return;
  if (deps.training.activeRun(run.dir) || run.state === 'running') throw new Error(`${run.name} is training: stop it first ("UME: Stop Training Run").`);
  const ok = await vscode.window.showWarningMessage(
    `Delete the run ${run.name}?`,
    { modal: true, detail: `${run.dir} and everything in it (${run.checkpoints.length} checkpoint${run.checkpoints.length === 1 ? '' : 's'}, metrics, completions) will be deleted.` },
    'Delete',
  );
  if (ok !== 'Delete') return;
  const uri = vscode.Uri.file(run.dir);
  try {
    await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
  } catch {
    // No trash here (remote, web): delete for good, as the dialog said.
    await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
  }
  deps.ctx.output.info(`Deleted the run folder ${run.dir}.`);
  deps.tree.refresh();
}

/** Every training command with its implementation; arguments come from menus and the runs view. */
export function trainingCommands(deps: TrainingDeps): Array<{ id: CommandId; run: (...args: unknown[]) => unknown }> {
  return [
    { id: CommandId.startTraining, run: () => startRun(deps, 'train') },
    { id: CommandId.evaluateOnly, run: () => startRun(deps, 'eval') },
    { id: CommandId.stopTraining, run: (a) => stopRun(deps, a) },
    { id: CommandId.resumeTraining, run: (a) => resumeRun(deps, a) },
    { id: CommandId.generateSyntheticDataset, run: () => generateSynthetic(deps) },
    { id: CommandId.openDashboard, run: (a) => dashboard(deps, a) },
    { id: CommandId.openRunFolder, run: (a) => openRunFolder(deps, a) },
    { id: CommandId.compareRuns, run: () => compareRuns(deps) },
    { id: CommandId.deleteRun, run: (a) => deleteRun(deps, a) },
    { id: CommandId.revealCheckpoint, run: (a) => revealCheckpoint(deps, a) },
    { id: CommandId.refreshRuns, run: () => deps.tree.refresh() },
  ];
}
