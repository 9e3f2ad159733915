import { Signal } from '@lumino/signaling';

import { newDocument } from '../../src/document/types';
import type { WorkbenchClient } from '../../src/kernel/client';
import { RequestError } from '../../src/kernel/errors';
import {
  CodeTrust,
  codeNoticeText,
  type ICodeReview,
  type ReviewChoice,
  revealHidden
} from '../../src/model/codeTrust';
import { RunController } from '../../src/model/runController';
import { VALIDATE_DEBOUNCE_MS, Validator } from '../../src/model/validator';
import { WorkbenchModel } from '../../src/model/workbenchModel';
import type { ICodeNode, IRunStatus } from '../../src/protocol';

// The trust flow over an in-memory stand-in of the kernel: which document is
// shown, which one is trusted, when a run follows. The kernel's side (digests,
// the store, refusing untrusted runs) is tested in Python and in the browser.
(globalThis as unknown as { window: typeof globalThis }).window = globalThis;

const CODE: ICodeNode = {
  node_id: 'f',
  title: 'Custom function',
  field: 'expression',
  code: 'a.T'
};

const STATUS: IRunStatus = {
  state: 'running',
  phase: 0,
  phases: 1,
  step: 0,
  total_steps: 100,
  elapsed_s: 0,
  eta_s: null,
  losses: [],
  total_loss: null,
  error: null
};

/** A kernel that holds code nodes and a trust store; runs refuse untrusted code. */
class FakeKernel {
  state = 'ready';
  errorMessage = '';
  connected = new Signal<this, void>(this);
  stateChanged = new Signal<this, string>(this);
  runEvent = new Signal<this, unknown>(this);
  codeNodes: ICodeNode[] = [CODE];
  trustedDocs: unknown[] = [];
  log: string[] = [];
  failTrust = false;

  get isTrusted(): boolean {
    return this.trustedDocs.length > 0;
  }

  async request(type: string) {
    this.log.push(type);
    if (type === 'validate') {
      return {
        reply: {
          problems: [],
          code_nodes: this.codeNodes,
          trusted: !this.codeNodes.length || this.isTrusted
        },
        buffers: []
      };
    }
    if (type === 'run') {
      if (this.codeNodes.length && !this.isTrusted) {
        throw new RequestError(
          {
            code: 'untrusted',
            message: 'the document holds code you have not trusted',
            node_id: 'f',
            port: 'expression'
          },
          {
            id: '1',
            type: 'run.reply',
            ok: false,
            code_nodes: this.codeNodes
          }
        );
      }
      return { reply: { started: true, status: STATUS }, buffers: [] };
    }
    if (type === 'status') {
      return { reply: { status: { ...STATUS, state: 'idle' } }, buffers: [] };
    }
    throw new Error(`unexpected request ${type}`);
  }

  async trust(document: unknown) {
    this.log.push('trust');
    if (this.failTrust) {
      throw new Error('the trust store could not be written');
    }
    this.trustedDocs.push(document);
    return {
      id: '2',
      type: 'trust.reply',
      ok: true,
      digest: 'd',
      trusted: true
    };
  }
}

function setUp(): {
  kernel: FakeKernel;
  model: WorkbenchModel;
  trust: CodeTrust;
  runs: RunController;
} {
  const kernel = new FakeKernel();
  const client = kernel as unknown as WorkbenchClient;
  const model = new WorkbenchModel(newDocument());
  const trust = new CodeTrust(client);
  const runs = new RunController(model, client);
  return { kernel, model, trust, runs };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

describe('CodeTrust', () => {
  it('needs a review only for code that is not trusted', () => {
    const { trust } = setUp();
    const seen: boolean[] = [];
    trust.changed.connect(() => seen.push(trust.needsReview));
    expect(trust.needsReview).toBe(false);
    trust.update([CODE], false);
    trust.update([CODE], false); // no change, no signal
    trust.update([CODE], true);
    trust.update([], true);
    expect(seen).toEqual([true, false, false]);
  });

  it('is fed by the validation of the document', async () => {
    jest.useFakeTimers();
    try {
      const { kernel, model, trust } = setUp();
      const validator = new Validator(
        model,
        kernel as unknown as WorkbenchClient,
        trust
      );
      jest.advanceTimersByTime(VALIDATE_DEBOUNCE_MS);
      await flush();
      expect([trust.codeNodes, trust.needsReview]).toEqual([[CODE], true]);
      validator.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  it('trusts the reviewed document, not a later one', async () => {
    const { kernel, model, trust, runs } = setUp();
    const review = await trust.snapshot(model.document);
    expect(review.codeNodes).toEqual([CODE]);
    model.edit(d => ({ ...d, seed: 7 }));
    const choice = await trust.review(
      review,
      async () => 'trust',
      () => runs.run()
    );
    expect(choice).toBe('trust');
    expect(kernel.trustedDocs).toEqual([review.document]);
    expect(kernel.trustedDocs[0]).not.toBe(model.document);
    expect(kernel.log).toEqual(['validate', 'trust']);
    expect([trust.trusted, trust.needsReview, trust.reviewing]).toEqual([
      true,
      false,
      false
    ]);
  });

  it('trusts nothing and runs nothing when the review is cancelled', async () => {
    const { kernel, model, trust, runs } = setUp();
    const review = await trust.snapshot(model.document);
    const choice = await trust.review(
      review,
      async () => 'cancel',
      () => runs.run()
    );
    expect(choice).toBe('cancel');
    expect(kernel.log).toEqual(['validate']);
    expect(trust.needsReview).toBe(true);
  });

  it('runs after "trust and run", once the code is trusted', async () => {
    const { kernel, model, trust, runs } = setUp();
    const review = await trust.snapshot(model.document);
    await trust.review(
      review,
      async () => 'trust-and-run',
      () => runs.run()
    );
    expect(kernel.log).toEqual(['validate', 'trust', 'run']);
    expect(runs.status?.state).toBe('running');
    expect(runs.error).toBe('');
  });

  it('says why trusting failed, and does not run', async () => {
    const { kernel, model, trust, runs } = setUp();
    kernel.failTrust = true;
    const review = await trust.snapshot(model.document);
    const choice = await trust.review(
      review,
      async () => 'trust-and-run',
      () => runs.run()
    );
    expect(choice).toBe('cancel');
    expect(trust.error).toBe(
      'The code could not be trusted: the trust store could not be written'
    );
    expect(kernel.log).toEqual(['validate', 'trust']);
  });

  it('opens one review at a time', async () => {
    const { model, trust, runs } = setUp();
    const review = await trust.snapshot(model.document);
    let answer: (choice: ReviewChoice) => void = () => undefined;
    const first = trust.review(
      review,
      () => new Promise(resolve => (answer = resolve)),
      () => runs.run()
    );
    expect(trust.reviewing).toBe(true);
    const prompt = jest.fn(async () => 'trust' as ReviewChoice);
    expect(await trust.review(review, prompt, () => runs.run())).toBe('cancel');
    expect(prompt).not.toHaveBeenCalled();
    answer('cancel');
    expect(await first).toBe('cancel');
  });
});

describe('RunController and untrusted code', () => {
  it('asks for a review of the refused document, then runs once trusted', async () => {
    const { kernel, model, trust, runs } = setUp();
    const asked: ICodeReview[] = [];
    runs.trustRequired.connect((_, review) => asked.push(review));
    const refused = model.document;
    await runs.run();
    expect(asked).toEqual([
      { document: refused, codeNodes: [CODE], reason: 'run' }
    ]);
    expect(runs.status).toBeNull();
    expect(runs.error).toMatch(/^Not run: the Python code of this document/);
    expect(runs.busy).toBe(false);
    await trust.review(
      asked[0],
      async () => 'trust-and-run',
      () => runs.run()
    );
    expect(kernel.trustedDocs).toEqual([refused]);
    expect(kernel.log).toEqual(['run', 'trust', 'run']);
    expect(runs.status?.state).toBe('running');
    expect(runs.error).toBe('');
  });
});

describe('code text', () => {
  it('counts the code nodes in the notice', () => {
    expect(codeNoticeText([CODE])).toBe(
      'This document contains Python code in 1 custom function node. ' +
        'Review it before running: it runs in the kernel only once you trust it.'
    );
    expect(codeNoticeText([CODE, { ...CODE, node_id: 'g' }])).toContain(
      'in 2 custom function nodes.'
    );
  });

  it('keeps visible code as it is', () => {
    expect(revealHidden('a.T + 1\n\tb')).toEqual([{ text: 'a.T + 1\n\tb' }]);
    expect(revealHidden('')).toEqual([{ text: '' }]);
  });

  it('names invisible and direction-changing characters', () => {
    const code = 'a\u202e1#\u2066x\u200b';
    expect(revealHidden(code)).toEqual([
      { text: 'a' },
      { text: '\u202e', hidden: 'U+202E' },
      { text: '1#' },
      { text: '\u2066', hidden: 'U+2066' },
      { text: 'x' },
      { text: '\u200b', hidden: 'U+200B' }
    ]);
    expect(
      revealHidden(code)
        .map(s => s.text)
        .join('')
    ).toBe(code);
    expect(revealHidden('\u0000\ufeff').map(s => s.hidden)).toEqual([
      'U+0000',
      'U+FEFF'
    ]);
  });
});
