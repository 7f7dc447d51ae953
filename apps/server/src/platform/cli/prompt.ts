import { createInterface } from 'node:readline';

/** Reads all of stdin (for `--password-stdin` style use from scripts), trimmed of the final newline. */
export const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

/** Asks for a secret on a terminal without echoing it; falls back to reading stdin when piped. */
export const promptSecret = async (question: string): Promise<string> => {
  if (!process.stdin.isTTY) return readStdin();
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (text: string) => void; output: NodeJS.WriteStream };
  let muted = false;
  output._writeToOutput = (text: string) => {
    if (!muted) output.output.write(text);
  };
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
  });
};
