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
  /** A line of help under the field. */
  hint?: string;
  /** Problems of the value (from the kernel), shown under the field. */
  errors?: string[];
  /** Monospace text (code, expressions). */
  code?: boolean;
}

/** Ids of the hint and the errors of a field, for `aria-describedby`. */
function useDescription(
  hint: string | undefined,
  errors: string[] | undefined
): { hintId: string; errorId: string; describedBy: string | undefined } {
  const id = React.useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-errors`;
  const ids = [hint ? hintId : '', errors?.length ? errorId : ''];
  return {
    hintId,
    errorId,
    describedBy: ids.filter(Boolean).join(' ') || undefined
  };
}

/** The hint and the errors of a field. */
function Description(props: {
  hint?: string;
  errors?: string[];
  hintId: string;
  errorId: string;
}): JSX.Element {
  return (
    <>
      {props.errors && props.errors.length > 0 && (
        <span className="jp-JnoLab-fieldError" id={props.errorId}>
          {props.errors.join('; ')}
        </span>
      )}
      {props.hint && (
        <span className="jp-JnoLab-fieldHint" id={props.hintId}>
          {props.hint}
        </span>
      )}
    </>
  );
}

/** A text input (or text area). */
export function TextField(props: ITextFieldProps): JSX.Element {
  const invalid = !!props.errors?.length;
  const { hintId, errorId, describedBy } = useDescription(
    props.hint,
    props.errors
  );
  const classes = ['jp-mod-styled'];
  if (props.multiline || props.code) {
    classes.push('jp-JnoLab-code');
  }
  if (invalid) {
    classes.push('jp-mod-invalid');
  }
  return (
    <label className="jp-JnoLab-field" title={props.title}>
      <span className="jp-JnoLab-fieldLabel">{props.label}</span>
      {props.multiline ? (
        <textarea
          className={classes.join(' ')}
          value={props.value}
          aria-label={props.label}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          rows={5}
          spellCheck={false}
          placeholder={props.placeholder}
          onChange={e => props.onChange(e.target.value)}
        />
      ) : (
        <input
          className={classes.join(' ')}
          type="text"
          value={props.value}
          aria-label={props.label}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          spellCheck={props.code ? false : undefined}
          placeholder={props.placeholder}
          onChange={e => props.onChange(e.target.value)}
        />
      )}
      <Description
        hint={props.hint}
        errors={props.errors}
        hintId={hintId}
        errorId={errorId}
      />
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
  /** A line of help under the checkbox. */
  hint?: string;
}

/** A checkbox. */
export function CheckField(props: ICheckFieldProps): JSX.Element {
  const { hintId, describedBy } = useDescription(props.hint, undefined);
  const box = (
    <label className="jp-JnoLab-field jp-JnoLab-check" title={props.title}>
      <input
        type="checkbox"
        checked={props.value}
        aria-label={props.label}
        aria-describedby={describedBy}
        onChange={e => props.onChange(e.target.checked)}
      />
      <span className="jp-JnoLab-fieldLabel">{props.label}</span>
    </label>
  );
  if (!props.hint) {
    return box;
  }
  return (
    <div className="jp-JnoLab-checkWithHint">
      {box}
      <span className="jp-JnoLab-fieldHint" id={hintId}>
        {props.hint}
      </span>
    </div>
  );
}
