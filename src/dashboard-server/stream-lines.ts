import { createInterface } from "node:readline";

/** Every line of a stream (stdin) as it arrives; resolves when the stream ends. */
export async function readStreamLines(
  stream: NodeJS.ReadableStream,
  onLine: (text: string) => void,
): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) onLine(line);
}
