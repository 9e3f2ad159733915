import * as React from 'react';

import { type CodeTrust, codeNoticeText } from '../model/codeTrust';
import type { RunController } from '../model/runController';
import { useSignal } from './useSignal';

/** Props of {@link CodeNotice}. */
export interface ICodeNoticeProps {
  trust: CodeTrust;
  /** Open the code review of the document as it is now. */
  onReview: () => void;
}

/**
 * The notice of a document holding Python code the user has not trusted:
 * how many nodes, and a button opening the review. Hidden otherwise.
 */
export function CodeNotice(props: ICodeNoticeProps): JSX.Element | null {
  const { trust } = props;
  useSignal(trust.changed, () => trust.needsReview);
  if (!trust.needsReview && !trust.error) {
    return null;
  }
  return (
    <div
      className="jp-JnoLab-banner jp-JnoLab-codeNotice"
      role="region"
      aria-label="Untrusted code"
    >
      <span className="jp-JnoLab-bannerIcon" aria-hidden="true">
        ⚠
      </span>
      {trust.needsReview && (
        <span className="jp-JnoLab-bannerText">
          {codeNoticeText(trust.codeNodes)}
        </span>
      )}
      {trust.needsReview && (
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Read the Python code of this document, then choose whether to trust it"
          disabled={trust.reviewing}
          onClick={props.onReview}
        >
          Review code…
        </button>
      )}
      {trust.error && (
        <span className="jp-JnoLab-bannerText jp-mod-error">{trust.error}</span>
      )}
    </div>
  );
}

/** Props of {@link NonFiniteNotice}. */
export interface INonFiniteNoticeProps {
  runs: RunController;
}

/**
 * The notice of a run that stopped because training went non-finite (NaN or
 * Inf): the step, the constraints, what to try. Shown until the next run
 * starts or the user hides it.
 */
export function NonFiniteNotice(
  props: INonFiniteNoticeProps
): JSX.Element | null {
  const { runs } = props;
  const report = useSignal(runs.changed, () => runs.nonFinite);
  const [hidden, setHidden] = React.useState<string | null>(null);
  if (!report || hidden === report.message) {
    return null;
  }
  return (
    <div
      className="jp-JnoLab-banner jp-JnoLab-nonFiniteNotice"
      role="region"
      aria-label="Training diverged"
      data-step={report.step ?? ''}
    >
      <span className="jp-JnoLab-bannerIcon" aria-hidden="true">
        ⚠
      </span>
      <span className="jp-JnoLab-bannerText">{report.message}</span>
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Hide this message (the run status keeps it)"
        aria-label="Hide the message"
        onClick={() => setHidden(report.message)}
      >
        ✕
      </button>
    </div>
  );
}
