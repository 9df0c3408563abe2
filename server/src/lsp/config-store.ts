// Settings per document, pulled from the client (workspace/configuration, so folder-level settings
// apply) or taken from what the client pushed. Bad values never reach the engine: they are replaced
// by defaults and reported once, in words, through `onProblems`.

import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, parseSettings, SETTINGS_SECTION, type SettingsProblem, type UmeSettings } from '../protocol/settings';

export class ConfigStore {
  private readonly cache = new Map<string, Promise<UmeSettings>>();
  /** Settings pushed by the client (didChangeConfiguration or initializationOptions). */
  private pushed: unknown = undefined;
  /** Problems per scope; the union is what the user sees. */
  private readonly problemsByScope = new Map<string, SettingsProblem[]>();
  private lastReported = '';

  constructor(
    private readonly connection: Connection,
    private readonly canPull: boolean,
    private readonly onProblems: (problems: SettingsProblem[], changed: boolean) => void,
  ) {}

  /** Settings for a document URI (or the workspace when no URI). */
  get(uri?: string): Promise<UmeSettings> {
    const key = uri ?? '';
    let p = this.cache.get(key);
    if (!p) {
      p = this.load(uri);
      this.cache.set(key, p);
    }
    return p;
  }

  /** Called on didChangeConfiguration: forget cached settings; keep pushed ones if any were sent. */
  invalidate(pushedSection?: unknown): void {
    if (pushedSection !== undefined) this.pushed = pushedSection;
    this.cache.clear();
    this.problemsByScope.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.problemsByScope.delete(uri);
  }

  private async load(uri: string | undefined): Promise<UmeSettings> {
    let raw: unknown = this.pushed;
    if (this.canPull) {
      try {
        raw = await this.connection.workspace.getConfiguration(
          uri !== undefined ? { scopeUri: uri, section: SETTINGS_SECTION } : { section: SETTINGS_SECTION },
        );
      } catch (error) {
        this.connection.console.warn(`Could not read the ${SETTINGS_SECTION} settings (${String(error)}); using defaults.`);
        return DEFAULT_SETTINGS;
      }
    }
    const { settings, problems } = parseSettings(raw);
    this.problemsByScope.set(uri ?? '', problems);
    this.report();
    return settings;
  }

  private report(): void {
    const seen = new Set<string>();
    const all: SettingsProblem[] = [];
    for (const list of this.problemsByScope.values()) {
      for (const p of list) {
        const k = `${p.key}\u0000${p.message}`;
        if (!seen.has(k)) {
          seen.add(k);
          all.push(p);
        }
      }
    }
    const fingerprint = [...seen].sort().join('\n');
    const changed = fingerprint !== this.lastReported;
    this.lastReported = fingerprint;
    this.onProblems(all, changed);
  }
}
