// Runs in every test file: collects every structured log line, whatever sink a test installed, and fails the
// file if any line contains a signature of a token the file signed (a raw token always contains its signature).
import { observeLogs } from '../../lambda/authorizer/log';
import { issuedSignatures } from '../support/keys';

const lines: string[] = [];
const stop = observeLogs((line) => lines.push(line));

afterAll(() => {
  stop();
  const leaks = lines.filter((line) =>
    [...issuedSignatures()].some((sig) => sig.length >= 16 && line.includes(sig)),
  );
  expect(leaks).toEqual([]);
});
