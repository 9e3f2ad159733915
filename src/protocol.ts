/**
 * The workbench kernel protocol. Its constants and message types are
 * generated from `jno_lab/workbench/protocol_messages.py` into
 * `protocol.generated.ts`; this module adds what only the editor needs.
 */
import type {
  IErrorReply,
  IPreviewGeometryReply,
  IReply as IReplyFields
} from './protocol.generated';

export * from './protocol.generated';

/** Code run silently in the kernel before the comm is opened. */
export const REGISTER_CODE =
  'from jno_lab.workbench.kernel import register as _jno_lab_register\n' +
  '_jno_lab_register()\n' +
  'del _jno_lab_register';

/**
 * A reply as it arrives: the fields of every reply, and those of an error
 * reply (`IErrorReply`) when `ok` is false.
 */
export type IReply = IReplyFields &
  Partial<Omit<IErrorReply, keyof IReplyFields>>;

/** Reply to `preview_geometry`. */
export type IPreviewReply = IPreviewGeometryReply;

/** A reply together with the binary buffers of its message. */
export interface IReplyWithBuffers<T extends IReply> {
  reply: T;
  buffers: DataView[];
}
