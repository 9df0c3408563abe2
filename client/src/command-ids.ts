// Command ids, apart from their implementations so that tests (which cannot load 'vscode') can check
// them against package.json.

export const CommandId = {
  showOutput: 'umeStudio.showOutput',
  restartServer: 'umeStudio.restartServer',
  detectModalities: 'umeStudio.detectModalities',
  scoreDocument: 'umeStudio.scoreDocument',
  toggleHeatMap: 'umeStudio.toggleHeatMap',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
