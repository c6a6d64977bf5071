/**
 * English UI text: the reference catalogue. Its shape is the `Messages` type every other language must
 * match (a missing or extra key in another catalogue is a compile error; a test also checks at run time).
 *
 * vue-i18n syntax: `{name}` is a placeholder; `@`, `|`, `{`, `}` and `$` are special — write `{'@'}` for a
 * literal at sign.
 */
export const en = {
  app: {
    name: 'Softphone',
    skipToContent: 'Skip to content',
    retry: 'Retry',
    notAvailable: 'Not available',
    loading: 'Loading…',
  },
  nav: {
    label: 'Main navigation',
    phone: 'Phone',
    contacts: 'Contacts',
    history: 'History',
    diagnostics: 'Diagnostics',
    settings: 'Settings',
  },
  status: {
    label: 'Status',
    connection: {
      connecting: 'Connecting to the phone…',
      connected: 'Phone ready',
      unavailable: 'Phone unavailable',
    },
    registration: {
      none: 'No account',
      noneDetail: 'Accounts arrive with the accounts feature',
    },
    unavailableTitle: 'The phone service cannot be reached',
  },
  phone: {
    title: 'Phone',
    account: 'Account',
    noAccount: 'No account yet',
    numberLabel: 'Number or SIP address',
    numberPlaceholder: 'Enter a number or SIP address',
    deleteLast: 'Delete last character',
    keypad: 'Dial pad',
    call: 'Call',
    callsNotice: 'Calls arrive with the calls feature. The dial pad is ready for them.',
  },
  contacts: {
    title: 'Contacts',
    emptyTitle: 'No contacts yet',
    emptyText: 'The address book arrives with the contacts feature. Contacts you add will appear here.',
  },
  history: {
    title: 'History',
    emptyTitle: 'No calls yet',
    emptyText: 'Calls you make and receive will be listed here once calling is available.',
  },
  diagnostics: {
    title: 'Diagnostics',
    app: {
      title: 'Application',
      name: 'Name',
      version: 'Version',
      host: 'Running in',
      platform: 'Platform',
      node: 'Node.js',
      electron: 'Electron',
      chrome: 'Chromium',
      v8: 'V8',
      dataDir: 'Data folder',
      startedAt: 'Started',
      failed: 'Could not read the application information: {message}',
    },
    hosts: {
      electron: 'Desktop app',
      cli: 'Command line',
      testHost: 'Test host',
    },
    nat: {
      title: 'Network and NAT',
      text: 'NAT diagnostics — STUN and TURN checks and the media path explained — arrive with the NAT feature.',
    },
    log: {
      title: 'Log',
      level: 'Show',
      levels: {
        all: 'All levels',
        info: 'Info and above',
        warn: 'Warnings and errors',
        error: 'Errors only',
      },
      empty: 'No log entries yet.',
      count: '{shown} of {total} entries',
      clear: 'Clear view',
      failed: 'Could not read the log: {message}',
    },
  },
  settings: {
    title: 'Settings',
    loadFailed: 'Could not load the settings: {message}',
    saveFailed: 'Could not save the setting: {message}',
    appearance: {
      title: 'Appearance',
      theme: 'Theme',
      system: 'System',
      light: 'Light',
      dark: 'Dark',
      systemHint: 'System follows the light or dark mode of your computer.',
    },
    language: {
      title: 'Language',
      label: 'Display language',
      system: 'Same as the system',
      hint: 'Used for all text in the app.',
    },
    about: {
      title: 'About',
      description:
        'A desktop SIP softphone that registers to ordinary phone systems and gets calls through NAT.',
      version: 'Version {version}',
      details: 'Component versions and the data folder are listed in Diagnostics.',
      openDiagnostics: 'Open Diagnostics',
    },
  },
} as const;

type Catalogue<T> = { readonly [K in keyof T]: T[K] extends string ? string : Catalogue<T[K]> };

/** The shape every language's catalogue has: the English keys, any strings. */
export type Messages = Catalogue<typeof en>;
