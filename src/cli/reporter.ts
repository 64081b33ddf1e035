/**
 * Progress output: a line per step with its duration; a spinner while a long step runs on a
 * terminal.
 */

/** Where the command writes what it does. */
export interface Reporter {
  /** A line of information. */
  info(line: string): void;
  /** Runs a step, showing progress and how long it took. */
  step<T>(title: string, fn: () => Promise<T> | T): Promise<T>;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A reporter writing to a stream; animated when the stream is a terminal. */
export function streamReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }): Reporter {
  const tty = !!stream.isTTY && !process.env.CI;
  return {
    info: (line) => stream.write(`${line}\n`),
    async step(title, fn) {
      const started = Date.now();
      let frame = 0;
      let timer: NodeJS.Timeout | undefined;
      if (tty) {
        stream.write(`${FRAMES[0]} ${title}`);
        timer = setInterval(() => stream.write(`\r${FRAMES[++frame % FRAMES.length]} ${title}`), 80);
      } else {
        stream.write(`- ${title}...\n`);
      }
      const done = (mark: string) => {
        if (timer) clearInterval(timer);
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        stream.write(`${tty ? '\r\x1b[2K' : ''}${mark} ${title} (${secs}s)\n`);
      };
      try {
        const result = await fn();
        done('✔');
        return result;
      } catch (e) {
        done('✖');
        throw e;
      }
    },
  };
}

/** A reporter that keeps the lines (tests). */
export function memoryReporter(lines: string[] = []): Reporter & { lines: string[] } {
  return {
    lines,
    info: (line) => lines.push(line),
    async step(title, fn) {
      lines.push(`- ${title}`);
      return fn();
    },
  };
}
