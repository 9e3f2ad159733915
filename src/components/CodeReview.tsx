import * as React from 'react';

import { type ICodeReview, revealHidden } from '../model/codeTrust';
import type { ICodeNode } from '../protocol';

/** Props of {@link CodeReview}. */
export interface ICodeReviewProps {
  review: ICodeReview;
  /** Close the review (nothing is trusted) and show a node in the graph. */
  onShowNode: (id: string) => void;
}

/** The code of one node, verbatim; hidden characters are named where they are. */
function CodeBlock(props: { node: ICodeNode }): JSX.Element {
  const { node } = props;
  const segments = revealHidden(node.code);
  const hidden = segments.filter(s => s.hidden);
  return (
    <>
      <pre
        className="jp-JnoLab-codeBlock"
        tabIndex={0}
        aria-label={`Python code of node ${node.node_id}`}
        data-node-id={node.node_id}
      >
        <code>
          {segments.map((s, i) =>
            s.hidden ? (
              <mark
                key={i}
                className="jp-JnoLab-hiddenChar"
                title={`an invisible or direction-changing character (${s.hidden})`}
              >
                {s.hidden}
              </mark>
            ) : (
              <React.Fragment key={i}>{s.text}</React.Fragment>
            )
          )}
        </code>
      </pre>
      {hidden.length > 0 && (
        <p className="jp-JnoLab-codeWarning" role="note">
          This code holds {hidden.length} invisible or direction-changing
          character{hidden.length === 1 ? '' : 's'} (shown as{' '}
          {[...new Set(hidden.map(s => s.hidden))].join(', ')}): they can make
          code read differently from what it does.
        </p>
      )}
    </>
  );
}

/**
 * The body of the code review: what trusting means, then every node whose
 * text runs as Python, with its code verbatim in a read-only block.
 */
export function CodeReview(props: ICodeReviewProps): JSX.Element {
  const { review } = props;
  const n = review.codeNodes.length;
  return (
    <div className="jp-JnoLab-codeReview">
      {review.reason === 'run' && (
        <p className="jp-JnoLab-codeReviewLead">
          <strong>Nothing was run:</strong> this document contains Python code
          you have not trusted yet.
        </p>
      )}
      <p>
        The {n === 1 ? 'node below holds' : `${n} nodes below hold`} Python code
        that runs in the kernel, with your permissions, whenever this document
        runs. Trust it only if you know what it does. Trust is kept for exactly
        this code: any change to it asks again.
      </p>
      <ol className="jp-JnoLab-codeList" aria-label="Code nodes">
        {review.codeNodes.map(node => (
          <li key={node.node_id} className="jp-JnoLab-codeNode">
            <div className="jp-JnoLab-codeNodeHead">
              <span className="jp-JnoLab-codeNodeTitle">{node.title}</span>
              <code className="jp-JnoLab-codeNodeId">{node.node_id}</code>
              <span className="jp-JnoLab-codeNodeField">{node.field}</span>
              <button
                type="button"
                className="jp-JnoLab-button"
                title={`Close this review without trusting, and show node ${node.node_id} in the graph`}
                onClick={() => props.onShowNode(node.node_id)}
              >
                Show in graph
              </button>
            </div>
            <CodeBlock node={node} />
          </li>
        ))}
      </ol>
    </div>
  );
}
