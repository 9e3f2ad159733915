import * as React from 'react';

/** Props of {@link NumberField}. */
export interface INumberFieldProps {
  label: string;
  value: number | null | undefined;
  /** Called with a parsed number, or null when the field is emptied. */
  onChange: (value: number | null) => void;
  integer?: boolean;
  min?: number;
  max?: number;
  /** Whether an empty field is allowed (sends null). */
  nullable?: boolean;
  title?: string;
  step?: number | 'any';
}

/**
 * A numeric input that keeps what is typed while it does not parse
 * ("1e-", "-") and reports every value that does.
 */
export function NumberField(props: INumberFieldProps): JSX.Element {
  const { value, integer, min, max, nullable } = props;
  const shown = value === null || value === undefined ? '' : String(value);
  const [draft, setDraft] = React.useState(shown);
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    setDraft(current =>
      Number(current) === value && current !== '' ? current : shown
    );
  }, [shown]);
  const commit = (text: string): void => {
    setDraft(text);
    if (text.trim() === '') {
      if (nullable) {
        setError('');
        props.onChange(null);
      } else {
        setError('required');
      }
      return;
    }
    const n = Number(text);
    if (!Number.isFinite(n)) {
      setError('not a number');
      return;
    }
    if (integer && !Number.isInteger(n)) {
      setError('an integer');
      return;
    }
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      setError(`between ${min ?? '−∞'} and ${max ?? '∞'}`);
      return;
    }
    setError('');
    props.onChange(n);
  };
  return (
    <label className="jp-JnoLab-field" title={props.title}>
      <span className="jp-JnoLab-fieldLabel">{props.label}</span>
      <input
        className={`jp-mod-styled${error ? ' jp-mod-invalid' : ''}`}
        type="text"
        inputMode="decimal"
        value={draft}
        aria-label={props.label}
        aria-invalid={!!error}
        placeholder={nullable ? 'default' : ''}
        onChange={e => commit(e.target.value)}
      />
      {error && <span className="jp-JnoLab-fieldError">{error}</span>}
    </label>
  );
}

/** Props of {@link TextField}. */
export interface ITextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
  title?: string;
  placeholder?: string;
}

/** A text input (or text area). */
export function TextField(props: ITextFieldProps): JSX.Element {
  return (
    <label className="jp-JnoLab-field" title={props.title}>
      <span className="jp-JnoLab-fieldLabel">{props.label}</span>
      {props.multiline ? (
        <textarea
          className="jp-mod-styled jp-JnoLab-code"
          value={props.value}
          aria-label={props.label}
          rows={5}
          placeholder={props.placeholder}
          onChange={e => props.onChange(e.target.value)}
        />
      ) : (
        <input
          className="jp-mod-styled"
          type="text"
          value={props.value}
          aria-label={props.label}
          placeholder={props.placeholder}
          onChange={e => props.onChange(e.target.value)}
        />
      )}
    </label>
  );
}

/** Props of {@link SelectField}. */
export interface ISelectFieldProps {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
  title?: string;
}

/** A drop-down of strings. */
export function SelectField(props: ISelectFieldProps): JSX.Element {
  return (
    <label className="jp-JnoLab-field" title={props.title}>
      <span className="jp-JnoLab-fieldLabel">{props.label}</span>
      <select
        className="jp-mod-styled"
        value={props.value}
        aria-label={props.label}
        onChange={e => props.onChange(e.target.value)}
      >
        {props.options.map(o => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Props of {@link CheckField}. */
export interface ICheckFieldProps {
  label: string;
  value: boolean;
  onChange: (value: boolean) => void;
  title?: string;
}

/** A checkbox. */
export function CheckField(props: ICheckFieldProps): JSX.Element {
  return (
    <label className="jp-JnoLab-field jp-JnoLab-check" title={props.title}>
      <input
        type="checkbox"
        checked={props.value}
        aria-label={props.label}
        onChange={e => props.onChange(e.target.checked)}
      />
      <span className="jp-JnoLab-fieldLabel">{props.label}</span>
    </label>
  );
}
