/**
 * Generated text files whose content is rendered (and validated) before synthesis writes anything.
 */
import { IConstruct } from 'constructs';
import { FileBase, IResolver } from 'projen/lib/file';

/**
 * A read-only, tracked file whose content is supplied lazily by `render`, which receives the
 * marker line text (without comment characters).
 */
export class GeneratedTextFile extends FileBase {
  constructor(
    scope: IConstruct,
    filePath: string,
    private readonly render: (marker: string) => string | undefined,
  ) {
    super(scope, filePath, { readonly: true, committed: true, marker: true });
  }

  /** The content this file will have; undefined when the file is not produced (it is removed). */
  content(): string | undefined {
    return this.render(this.marker ?? '');
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    return this.content();
  }
}
