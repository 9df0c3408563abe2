// Placeholder entry of the language server bundle (replaced by the LSP implementation).
export {};
