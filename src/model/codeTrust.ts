/**
 * Trust in a document's code. Most of a document is data; a custom function
 * marked as code holds Python text that the kernel runs as written, and only
 * once the user has read it and trusted it (per digest of the code, stored by
 * the kernel). This model keeps what the kernel's validation says about the
 * code of the current document, and carries a review through: the code of one
 * exact document is shown, and that same document is what gets trusted.
 *
 * The editor never evaluates document text: it only shows it.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import type { IWorkbenchDocument } from '../document/types';
import type { WorkbenchClient } from '../kernel/client';
import type { ICodeNode } from '../protocol';

/** What the user chose in a code review. */
export type ReviewChoice = 'cancel' | 'trust' | 'trust-and-run';

/** A review to show: the code nodes of exactly `document`. */
export interface ICodeReview {
  document: IWorkbenchDocument;
  codeNodes: ICodeNode[];
  /** Why the review was opened: the notice's button, or a refused run. */
  reason: 'notice' | 'run';
}

/** Asks the user about a review (the dialog); resolves with the choice. */
export type ReviewPrompt = (review: ICodeReview) => Promise<ReviewChoice>;

/** The code of a document and whether the user trusts it. */
export class CodeTrust {
  constructor(client: WorkbenchClient) {
    this._client = client;
  }

  /** The nodes whose text runs as Python (from the last validation). */
  get codeNodes(): readonly ICodeNode[] {
    return this._codeNodes;
  }

  /** Whether the code is trusted (true when there is none). */
  get trusted(): boolean {
    return this._trusted;
  }

  /** Whether the document has code the user has not trusted yet. */
  get needsReview(): boolean {
    return this._codeNodes.length > 0 && !this._trusted;
  }

  /** Why the last review or trust request failed (empty when it did not). */
  get error(): string {
    return this._error;
  }

  /** Whether a review is open (a second one waits for it). */
  get reviewing(): boolean {
    return this._reviewing;
  }

  /** Emitted whenever the code, the trust, the error or the review state change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Take what the kernel says about the current document's code. */
  update(codeNodes: readonly ICodeNode[], trusted: boolean): void {
    const same =
      trusted === this._trusted && sameCodeNodes(codeNodes, this._codeNodes);
    if (same) {
      return;
    }
    this._codeNodes = [...codeNodes];
    this._trusted = trusted;
    this._changed.emit();
  }

  /** A review of `document` as it is now: its code nodes, asked of the kernel. */
  async snapshot(document: IWorkbenchDocument): Promise<ICodeReview> {
    const { reply } = await this._client.request('validate', { document });
    this.update(reply.code_nodes ?? [], reply.trusted ?? true);
    return { document, codeNodes: reply.code_nodes ?? [], reason: 'notice' };
  }

  /**
   * Show a review with `prompt`; when the user trusts, trust the reviewed
   * document's code, then (for "trust-and-run") call `run`. Resolves with the
   * choice, "cancel" also when trusting failed (see {@link error}) or another
   * review is open.
   */
  async review(
    review: ICodeReview,
    prompt: ReviewPrompt,
    run: () => Promise<void>
  ): Promise<ReviewChoice> {
    if (this._reviewing) {
      return 'cancel';
    }
    this._setReviewing(true);
    let choice: ReviewChoice;
    try {
      choice = await prompt(review);
      if (choice !== 'cancel') {
        await this._client.trust(review.document);
        this._error = '';
        this._trusted = true;
        this._changed.emit();
      }
    } catch (error) {
      this._error = `The code could not be trusted: ${
        error instanceof Error ? error.message : String(error)
      }`;
      this._changed.emit();
      return 'cancel';
    } finally {
      this._setReviewing(false);
    }
    if (choice === 'trust-and-run') {
      await run();
    }
    return choice;
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _setReviewing(on: boolean): void {
    this._reviewing = on;
    this._changed.emit();
  }

  private _client: WorkbenchClient;
  private _codeNodes: ICodeNode[] = [];
  private _trusted = true;
  private _error = '';
  private _reviewing = false;
  private _changed = new Signal<this, void>(this);
}

function sameCodeNodes(
  a: readonly ICodeNode[],
  b: readonly ICodeNode[]
): boolean {
  return (
    a.length === b.length &&
    a.every(
      (n, i) =>
        n.node_id === b[i].node_id &&
        n.title === b[i].title &&
        n.field === b[i].field &&
        n.code === b[i].code
    )
  );
}

/** The notice of a document with untrusted code: how much code, and what to do. */
export function codeNoticeText(codeNodes: readonly ICodeNode[]): string {
  const n = codeNodes.length;
  return (
    `This document contains Python code in ${n} custom function ` +
    `node${n === 1 ? '' : 's'}. Review it before running: ` +
    'it runs in the kernel only once you trust it.'
  );
}

/** A piece of code text; `hidden` pieces are one invisible or control character. */
export interface ICodeSegment {
  text: string;
  /** "U+202E" for a hidden character, absent for visible text. */
  hidden?: string;
}

/**
 * Characters that change how code reads without being seen: bidirectional
 * overrides and isolates, zero-width characters, the byte-order mark, the soft
 * hyphen, and control characters other than tab and newline.
 */
const HIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\ufff9-\ufffb]/gu;

/** Split code into visible text and the hidden characters it holds (shown by name). */
export function revealHidden(code: string): ICodeSegment[] {
  const out: ICodeSegment[] = [];
  const pattern = new RegExp(HIDDEN.source, 'gu');
  let last = 0;
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
    if (match.index > last) {
      out.push({ text: code.slice(last, match.index) });
    }
    const point = match[0].codePointAt(0) ?? 0;
    out.push({
      text: match[0],
      hidden: `U+${point.toString(16).toUpperCase().padStart(4, '0')}`
    });
    last = match.index + match[0].length;
  }
  if (last < code.length || out.length === 0) {
    out.push({ text: code.slice(last) });
  }
  return out;
}
