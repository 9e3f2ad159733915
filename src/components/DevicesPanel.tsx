import * as React from 'react';

import type { WorkbenchClient } from '../kernel/client';
import {
  type Mesh,
  meshChoices,
  meshOf,
  meshProblem,
  setMesh
} from '../model/devices';
import type { WorkbenchModel } from '../model/workbenchModel';
import type { IDevicesReply } from '../protocol';
import { NumberField } from './fields';
import { useSignal } from './useSignal';

/** Props of {@link DevicesPanel}. */
export interface IDevicesPanelProps {
  model: WorkbenchModel;
  client: WorkbenchClient;
}

/**
 * The kernel's JAX devices and the document's (batch, model) mesh over them:
 * batch × model must be the number of devices.
 */
export function DevicesPanel(props: IDevicesPanelProps): JSX.Element {
  const { model, client } = props;
  const doc = useSignal(model.changed, () => model.document);
  const [info, setInfo] = React.useState<IDevicesReply | null>(null);
  const [error, setError] = React.useState('');
  const load = React.useCallback(async () => {
    try {
      const { reply } = await client.request('devices', {});
      setInfo(reply);
      setError('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [client]);
  React.useEffect(() => {
    void load();
    const reload = (): void => void load();
    client.connected.connect(reload);
    return () => {
      client.connected.disconnect(reload);
    };
  }, [client, load]);
  const mesh = meshOf(doc);
  const count = info?.devices.length ?? 0;
  const problem = info ? meshProblem(mesh, count) : null;
  const write = (next: Mesh): void =>
    model.edit(d => setMesh(d, next), { coalesce: 'mesh' });
  return (
    <div className="jp-JnoLab-planPanel jp-JnoLab-devices">
      <h2>Devices</h2>
      <div className="jp-JnoLab-planTop">
        <span className="jp-JnoLab-devicesSummary" data-count={count}>
          {info
            ? `${count} ${info.backend} device${count === 1 ? '' : 's'}, ` +
              `${info.process_count} process${info.process_count === 1 ? '' : 'es'}`
            : error
              ? 'Devices unavailable'
              : 'Asking the kernel…'}
        </span>
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Ask the kernel for its devices again"
          aria-label="Refresh the device list"
          onClick={() => void load()}
        >
          ⟳ Refresh
        </button>
      </div>
      {error && (
        <p className="jp-JnoLab-runError" role="alert">
          {error}
        </p>
      )}
      {info && (
        <table className="jp-JnoLab-deviceTable" aria-label="JAX devices">
          <thead>
            <tr>
              <th scope="col">id</th>
              <th scope="col">platform</th>
              <th scope="col">kind</th>
              <th scope="col">process</th>
            </tr>
          </thead>
          <tbody>
            {info.devices.map(d => (
              <tr key={`${d.process_index}:${d.id}`}>
                <td>{d.id}</td>
                <td>{d.platform}</td>
                <td>{d.kind}</td>
                <td>{d.process_index}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Mesh</h3>
      <p className="jp-JnoLab-doc">
        The training data is split over the batch axis and the network
        parameters over the model axis; batch × model is the number of devices.
      </p>
      <div className="jp-JnoLab-planTop">
        <NumberField
          label="batch"
          title="devices the data is split over"
          value={mesh[0]}
          integer
          min={1}
          onChange={v => v !== null && write([v, mesh[1]])}
        />
        <NumberField
          label="model"
          title="devices the parameters are split over"
          value={mesh[1]}
          integer
          min={1}
          onChange={v => v !== null && write([mesh[0], v])}
        />
        {meshChoices(count).map(([b, m]) => (
          <button
            key={`${b}x${m}`}
            type="button"
            className="jp-JnoLab-button"
            aria-pressed={b === mesh[0] && m === mesh[1]}
            title={`Use a ${b} × ${m} mesh (batch × model)`}
            aria-label={`Mesh ${b} by ${m}`}
            onClick={() => write([b, m])}
          >
            {b} × {m}
          </button>
        ))}
      </div>
      <p
        className={`jp-JnoLab-meshStatus${problem ? ' jp-mod-invalid' : ''}`}
        role={problem ? 'alert' : 'status'}
      >
        {problem ??
          (info ? `mesh ${mesh[0]} × ${mesh[1]} uses every device` : '')}
      </p>
    </div>
  );
}
