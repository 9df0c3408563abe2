// Command ids, apart from their implementations so that tests (which cannot load 'vscode') can check
// them against package.json.

export const CommandId = {
  showOutput: 'umeStudio.showOutput',
  restartServer: 'umeStudio.restartServer',
  detectModalities: 'umeStudio.detectModalities',
  scoreDocument: 'umeStudio.scoreDocument',
  scoreDocumentWithRewardConfig: 'umeStudio.scoreDocumentWithRewardConfig',
  toggleHeatMap: 'umeStudio.toggleHeatMap',
  // Training (client/src/training/commands.ts)
  startTraining: 'umeStudio.startTraining',
  stopTraining: 'umeStudio.stopTraining',
  resumeTraining: 'umeStudio.resumeTraining',
  evaluateOnly: 'umeStudio.evaluateOnly',
  generateSyntheticDataset: 'umeStudio.generateSyntheticDataset',
  openDashboard: 'umeStudio.openDashboard',
  openRunFolder: 'umeStudio.openRunFolder',
  compareRuns: 'umeStudio.compareRuns',
  deleteRun: 'umeStudio.deleteRun',
  revealCheckpoint: 'umeStudio.revealCheckpoint',
  refreshRuns: 'umeStudio.refreshRuns',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
