// Placeholder entry of the CLI bundle (replaced by the CLI implementation).
export {};
