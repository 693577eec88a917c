// What pages show of other devices' open tabs ("Tabs from other devices").

export interface RemoteTabView {
  title: string;
  url: string;
  /** An http(s) favicon address, or null. */
  icon: string | null;
  /** ms since the epoch. */
  lastUsed: number;
}

export interface RemoteTabsDevice {
  clientId: string;
  name: string;
  /** desktop, mobile, tablet… as the device says. */
  type: string;
  tabs: RemoteTabView[];
}

export interface RemoteTabsView {
  devices: RemoteTabsDevice[];
}
