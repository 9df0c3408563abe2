// The `umeStudio` settings: one typed shape, its defaults, and a validator that turns whatever the
// user wrote into usable settings plus readable problems. Shared by the language server, the client
// and the CLI; pure TypeScript so every side agrees on the same rules.

import { codeInfo } from '../engine/seq/index';
import { DEFAULT_MIN_PLAIN_LENGTH } from '../engine/seq/formats/index';
import type { DetectionMode, Severity } from '../engine/seq/types';
// Types only: the client bundle imports this file and must not pull in ONNX Runtime.
import type { PllMode } from '../engine/ume/pll';
import type { Device } from '../engine/onnx/runtime/providers';

export const SETTINGS_SECTION = 'umeStudio';

export type SeverityOverride = Severity | 'off';

export interface UmeSettings {
  detection: {
    /** `lobster` reproduces lobster's _detect_modality; `default` is our better detector. */
    mode: DetectionMode;
  };
  diagnostics: {
    /** Master switch for modality diagnostics. */
    enable: boolean;
    /** Per-code severity overrides, e.g. { "UME101": "warning", "UME108": "off" }. */
    severity: Record<string, SeverityOverride>;
    /** Also look for tagged sequences (`<smiles>..</smiles>`) in files of any other language. */
    taggedTextInAllFiles: boolean;
  };
  plainText: {
    /** Shortest standalone token in plain text that is considered a sequence. */
    minLength: number;
  };
  /** Only the first this-many megabytes of a file are analysed (UME004 reports the cut). */
  maxFileSizeMB: number;
  /** At most this many sequences per file get diagnostics. */
  maxSequencesPerFile: number;
  scoring: {
    /** Hover scores, `ume/score` and the heat map; off leaves only diagnostics. */
    enabled: boolean;
    /** UME weights (.safetensors file or a folder holding one); empty = the embedded ume-tiny. */
    modelPath: string;
    /** Pseudo-log-likelihood mode (see engine/ume/pll.ts). */
    mode: PllMode;
    /** reward = PLL / temperature (lobster's default 0.1). */
    temperature: number;
    /** ONNX Runtime device; `auto` tries cuda, webgpu, then cpu. */
    device: Device;
  };
  rewards: {
    /**
     * A reward config (docs/rewards.md) whose total and components the hover shows for the hovered
     * sequence; empty = none. `~/` is the home folder, a relative path starts at the workspace
     * folder. Applied only in a trusted workspace.
     */
    configFile: string;
  };
}

export const DEFAULT_SETTINGS: UmeSettings = {
  detection: { mode: 'default' },
  diagnostics: { enable: true, severity: {}, taggedTextInAllFiles: true },
  plainText: { minLength: DEFAULT_MIN_PLAIN_LENGTH },
  maxFileSizeMB: 5,
  maxSequencesPerFile: 20000,
  scoring: { enabled: true, modelPath: '', mode: 'masked', temperature: 0.1, device: 'auto' },
  rewards: { configFile: '' },
};

export const DETECTION_MODES: readonly DetectionMode[] = ['default', 'lobster'];
/** Same lists as the engine's PLL_MODES and DEVICES (settings.test.ts keeps them equal). */
export const SCORING_MODES: readonly PllMode[] = ['masked', 'unmasked', 'sampled'];
export const SCORING_DEVICES: readonly Device[] = ['auto', 'cpu', 'cuda', 'webgpu'];
export const SEVERITY_OVERRIDES: readonly SeverityOverride[] = ['error', 'warning', 'information', 'hint', 'off'];

export interface SettingsProblem {
  /** Dotted setting key, e.g. "umeStudio.detection.mode". */
  key: string;
  message: string;
}

export interface ParsedSettings {
  settings: UmeSettings;
  problems: SettingsProblem[];
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: Json): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Validates raw settings (the `umeStudio` section as VS Code returns it, possibly null or partly
 * wrong). Every bad value falls back to its default and produces one problem saying what to write
 * instead; nothing here throws.
 */
export function parseSettings(raw: Json): ParsedSettings {
  const problems: SettingsProblem[] = [];
  const d = DEFAULT_SETTINGS;
  const root = isRecord(raw) ? raw : {};
  if (raw != null && !isRecord(raw)) {
    problems.push({ key: SETTINGS_SECTION, message: `expected an object, got ${show(raw)}; using defaults` });
  }
  const section = (name: string): Record<string, Json> => {
    const v = root[name];
    if (v === undefined || v === null) return {};
    if (isRecord(v)) return v;
    problems.push({ key: `${SETTINGS_SECTION}.${name}`, message: `expected an object, got ${show(v)}; using defaults` });
    return {};
  };

  const oneOf = <T extends string>(key: string, v: Json, allowed: readonly T[], fallback: T): T => {
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    problems.push({
      key: `${SETTINGS_SECTION}.${key}`,
      message: `${show(v)} is not one of ${allowed.map((a) => `"${a}"`).join(', ')}; using "${fallback}"`,
    });
    return fallback;
  };
  const str = (key: string, v: Json, fallback: string): string => {
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string') return v.trim();
    problems.push({ key: `${SETTINGS_SECTION}.${key}`, message: `expected a string, got ${show(v)}; using ${show(fallback)}` });
    return fallback;
  };
  const bool = (key: string, v: Json, fallback: boolean): boolean => {
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    problems.push({ key: `${SETTINGS_SECTION}.${key}`, message: `expected true or false, got ${show(v)}; using ${fallback}` });
    return fallback;
  };
  const num = (key: string, v: Json, min: number, max: number, fallback: number, integer: boolean): number => {
    if (v === undefined || v === null) return fallback;
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
    if (ok) return v;
    problems.push({
      key: `${SETTINGS_SECTION}.${key}`,
      message: `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${show(v)}; using ${fallback}`,
    });
    return fallback;
  };

  const detection = section('detection');
  const diagnostics = section('diagnostics');
  const plainText = section('plainText');
  const scoring = section('scoring');
  const rewards = section('rewards');

  const severity: Record<string, SeverityOverride> = {};
  const rawSeverity = diagnostics['severity'];
  if (isRecord(rawSeverity)) {
    for (const [code, value] of Object.entries(rawSeverity)) {
      // Codes or their stable names ("invalid-smiles") are accepted; the engine gets codes.
      const info = codeInfo(code);
      if (!info) {
        problems.push({
          key: `${SETTINGS_SECTION}.diagnostics.severity`,
          message: `"${code}" is not a known diagnostic code (codes look like "UME103", see the README's Diagnostics table); ignored`,
        });
        continue;
      }
      if (typeof value === 'string' && (SEVERITY_OVERRIDES as readonly string[]).includes(value)) {
        severity[info.code] = value as SeverityOverride;
      } else {
        problems.push({
          key: `${SETTINGS_SECTION}.diagnostics.severity.${code}`,
          message: `${show(value)} is not one of ${SEVERITY_OVERRIDES.map((s) => `"${s}"`).join(', ')}; ignored`,
        });
      }
    }
  } else if (rawSeverity !== undefined && rawSeverity !== null) {
    problems.push({
      key: `${SETTINGS_SECTION}.diagnostics.severity`,
      message: `expected an object like { "UME101": "warning" }, got ${show(rawSeverity)}; ignored`,
    });
  }

  const settings: UmeSettings = {
    detection: { mode: oneOf('detection.mode', detection['mode'], DETECTION_MODES, d.detection.mode) },
    diagnostics: {
      enable: bool('diagnostics.enable', diagnostics['enable'], d.diagnostics.enable),
      severity,
      taggedTextInAllFiles: bool(
        'diagnostics.taggedTextInAllFiles',
        diagnostics['taggedTextInAllFiles'],
        d.diagnostics.taggedTextInAllFiles,
      ),
    },
    plainText: { minLength: num('plainText.minLength', plainText['minLength'], 1, 100000, d.plainText.minLength, true) },
    maxFileSizeMB: num('maxFileSizeMB', root['maxFileSizeMB'], 0.001, 2048, d.maxFileSizeMB, false),
    maxSequencesPerFile: num('maxSequencesPerFile', root['maxSequencesPerFile'], 1, 10_000_000, d.maxSequencesPerFile, true),
    scoring: {
      enabled: bool('scoring.enabled', scoring['enabled'], d.scoring.enabled),
      // Existence is checked when the model loads, where the error can say what was looked for.
      modelPath: str('scoring.modelPath', scoring['modelPath'], d.scoring.modelPath),
      mode: oneOf('scoring.mode', scoring['mode'], SCORING_MODES, d.scoring.mode),
      temperature: num('scoring.temperature', scoring['temperature'], 0.001, 1000, d.scoring.temperature, false),
      device: oneOf('scoring.device', scoring['device'], SCORING_DEVICES, d.scoring.device),
    },
    // Whether the file exists and is a valid config is said in the hover, where it is used.
    rewards: { configFile: str('rewards.configFile', rewards['configFile'], d.rewards.configFile) },
  };
  return { settings, problems };
}

/** One line per problem, for logs and notifications. */
export function formatSettingsProblems(problems: readonly SettingsProblem[]): string {
  return problems.map((p) => `${p.key}: ${p.message}`).join('\n');
}
