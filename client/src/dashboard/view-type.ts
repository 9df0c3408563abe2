// The dashboard panel's view type (package.json's onWebviewPanel activation event names it too).
export const DASHBOARD_VIEW_TYPE = 'umeStudio.dashboard';
