// What pages show of Send Tab: the devices a tab can be sent to (the popup's "Send this tab to…").

export interface SendTargetView {
  /** The FxA device id (what `sendTab` takes). */
  id: string;
  name: string;
  /** desktop, mobile, tablet… as the device says. */
  type: string;
  /** ms since the epoch, when the account server reports it. */
  lastAccessTime: number | null;
}
