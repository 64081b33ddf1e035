/**
 * The little shell reading adoption needs: a package.json script split into commands and words.
 */

/** Splits a shell line into commands (at `&&`, `||`, `;`, `|`, `&`) of words, honouring quotes. */
export function commands(line: string): string[][] {
  const out: string[][] = [[]];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) out[out.length - 1].push(word);
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const close = line.indexOf(c, i + 1);
      const stop = close < 0 ? line.length : close;
      word = (word ?? '') + line.slice(i + 1, stop);
      i = stop;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      end();
    } else if (c === ';' || c === '&' || c === '|') {
      end();
      if (line[i + 1] === c) i++;
      out.push([]);
    } else {
      word = (word ?? '') + c;
    }
  }
  end();
  return out;
}

export function quoteWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

