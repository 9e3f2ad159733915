import { Signal } from '@lumino/signaling';

import { newDocument } from '../../src/document/types';
import type { WorkbenchClient } from '../../src/kernel/client';
import { RequestError } from '../../src/kernel/errors';
import { CATALOGUE } from '../../src/model/catalogue';
import { addNode } from '../../src/model/graphEdits';
import { VALIDATE_DEBOUNCE_MS, Validator } from '../../src/model/validator';
import { WorkbenchModel } from '../../src/model/workbenchModel';
import type { IProblem } from '../../src/protocol';

// The validator's own logic (debounce, stale replies, states) over an
// in-memory stand-in of the comm; the kernel side is tested in Python and
// in the browser tests.
(globalThis as unknown as { window: typeof globalThis }).window = globalThis;

interface ICall {
  nodes: number;
  answer: (problems: IProblem[]) => void;
  fail: (message: string) => void;
}

class ScriptedClient {
  state = 'ready';
  errorMessage = '';
  connected = new Signal<this, void>(this);
  stateChanged = new Signal<this, string>(this);
  calls: ICall[] = [];

  request(type: string, fields: { document: ReturnType<typeof newDocument> }) {
    return new Promise((resolve, reject) => {
      this.calls.push({
        nodes: fields.document.graph.nodes.length,
        answer: problems => resolve({ reply: { problems }, buffers: [] }),
        fail: message =>
          reject(
            new RequestError({ code: 'x', message, node_id: null, port: null })
          )
      });
    });
  }
}

const problem: IProblem = {
  code: 'no_constraint',
  message: 'the graph has no constraint',
  node_id: null,
  port: null
};

/** A validator of a new document, talking to a scripted client. */
function validating(): {
  model: WorkbenchModel;
  client: ScriptedClient;
  validator: Validator;
} {
  const model = new WorkbenchModel(newDocument());
  const client = new ScriptedClient();
  const validator = new Validator(model, client as unknown as WorkbenchClient);
  return { model, client, validator };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

describe('Validator', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('validates once after a burst of edits, then reports the problems', async () => {
    const { model, client, validator } = validating();
    const states: string[] = [];
    validator.stateChanged.connect((_, s) => states.push(s));
    for (let i = 0; i < 3; i++) {
      model.edit(d => addNode(d, CATALOGUE, 'mlp', [0, 0])[0]);
      jest.advanceTimersByTime(VALIDATE_DEBOUNCE_MS / 2);
    }
    expect(client.calls).toHaveLength(0);
    jest.advanceTimersByTime(VALIDATE_DEBOUNCE_MS);
    expect(client.calls.map(c => c.nodes)).toEqual([3]);
    client.calls[0].answer([problem]);
    await flush();
    expect(validator.state).toBe('invalid');
    expect(model.problems).toEqual([problem]);
    expect(states).toEqual(['checking', 'invalid']);
    validator.dispose();
  });

  it('drops the reply of a superseded validation', async () => {
    const { model, client, validator } = validating();
    jest.advanceTimersByTime(VALIDATE_DEBOUNCE_MS);
    model.edit(d => addNode(d, CATALOGUE, 'mlp', [0, 0])[0]);
    jest.advanceTimersByTime(VALIDATE_DEBOUNCE_MS);
    expect(client.calls.map(c => c.nodes)).toEqual([0, 1]);
    client.calls[1].answer([]);
    await flush();
    client.calls[0].answer([problem]);
    await flush();
    expect(validator.state).toBe('valid');
    expect(model.problems).toEqual([]);
    validator.dispose();
  });

  it('says why validation is unavailable', async () => {
    const { client, validator } = validating();
    jest.advanceTimersByTime(VALIDATE_DEBOUNCE_MS);
    client.calls[0].fail('the kernel died');
    await flush();
    expect([validator.state, validator.message]).toEqual([
      'unavailable',
      'the kernel died'
    ]);
    client.state = 'no-kernel';
    client.stateChanged.emit('no-kernel');
    expect(validator.message).toBe('no kernel: validation needs a kernel');
    validator.dispose();
  });
});
