import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { CodeReview } from '../components/CodeReview';
import type { ICodeReview, ReviewChoice } from '../model/codeTrust';

/** Options of {@link showCodeReview}. */
export interface ICodeReviewDialogOptions {
  /** Show a node in the graph (the review closes first, trusting nothing). */
  onShowNode: (id: string) => void;
}

const TITLE = 'Review the Python code of this document';

/**
 * The code review as a modal JupyterLab dialog: Cancel (the default button,
 * also Escape and the close button), Trust, and Trust and run. Resolves with
 * the choice; trusts nothing itself.
 */
export async function showCodeReview(
  review: ICodeReview,
  options: ICodeReviewDialogOptions
): Promise<ReviewChoice> {
  let shown: string | null = null;
  const dialog: Dialog<unknown> = new Dialog({
    title: TITLE,
    body: ReactWidget.create(
      <CodeReview
        review={review}
        onShowNode={id => {
          shown = id;
          dialog.reject();
        }}
      />
    ),
    buttons: [
      Dialog.cancelButton({
        label: 'Cancel',
        caption: 'Trust nothing and run nothing'
      }),
      Dialog.okButton({
        label: 'Trust',
        caption: 'Trust this code, without running the document now',
        actions: ['trust']
      }),
      Dialog.warnButton({
        label: 'Trust and run',
        caption: 'Trust this code and run the document',
        actions: ['trust', 'run']
      })
    ],
    defaultButton: 0,
    hasClose: true
  });
  dialog.addClass('jp-JnoLab-codeReviewDialog');
  dialog.node.setAttribute('aria-label', TITLE);
  const result = await dialog.launch();
  if (shown !== null) {
    options.onShowNode(shown);
    return 'cancel';
  }
  const actions = result.button.accept ? result.button.actions : [];
  if (actions.includes('run')) {
    return 'trust-and-run';
  }
  return actions.includes('trust') ? 'trust' : 'cancel';
}
