<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>Format</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
</context>
<context>
    <name>confab::console::AdminClient</name>
    <message>
        <source>cannot read the CA file %1: %2</source>
        <translation>cannot read the CA file %1: %2</translation>
    </message>
    <message>
        <source>the CA file %1 holds no PEM certificate</source>
        <translation>the CA file %1 holds no PEM certificate</translation>
    </message>
    <message>
        <source>TLS certificate not accepted: %1</source>
        <translation>TLS certificate not accepted: %1</translation>
    </message>
    <message>
        <source>The server refused the admin token (close code 4001)</source>
        <translation>The server refused the admin token (close code 4001)</translation>
    </message>
    <message>
        <source>The server closed the connection (code %1)</source>
        <translation>The server closed the connection (code %1)</translation>
    </message>
    <message>
        <source>The server closed the connection: %1</source>
        <translation>The server closed the connection: %1</translation>
    </message>
    <message>
        <source>not connected to a node</source>
        <translation>not connected to a node</translation>
    </message>
</context>
<context>
    <name>confab::console::AlertNotifier</name>
    <message>
        <source>Confab Console</source>
        <translation>Confab Console</translation>
    </message>
</context>
<context>
    <name>confab::console::AlertWatcher</name>
    <message>
        <source>Node %1 stopped answering</source>
        <translation>Node %1 stopped answering</translation>
    </message>
    <message numerus="yes">
        <source>%n new dead letter(s): a batch could not be written to object storage</source>
        <translation>
            <numerusform>%n new dead letter: a batch could not be written to object storage</numerusform>
            <numerusform>%n new dead letters: a batch could not be written to object storage</numerusform>
        </translation>
    </message>
    <message>
        <source>Lost the connection to %1: %2</source>
        <translation>Lost the connection to %1: %2</translation>
    </message>
    <message>
        <source>Node %1 is not ready: PostgreSQL, Redis or object storage does not answer it</source>
        <translation>Node %1 is not ready: PostgreSQL, Redis or object storage does not answer it</translation>
    </message>
</context>
<context>
    <name>confab::console::AppDialog</name>
    <message>
        <source>Edit app %1</source>
        <translation>Edit app %1</translation>
    </message>
    <message>
        <source>New app</source>
        <translation>New app</translation>
    </message>
    <message>
        <source>App name</source>
        <translation>App name</translation>
    </message>
    <message>
        <source>OIDC issuer</source>
        <translation>OIDC issuer</translation>
    </message>
    <message>
        <source>none (https://login.example.com/)</source>
        <translation>none (https://login.example.com/)</translation>
    </message>
    <message>
        <source>OIDC audience</source>
        <translation>OIDC audience</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>OIDC &amp;issuer:</source>
        <translation>OIDC &amp;issuer:</translation>
    </message>
    <message>
        <source>OIDC &amp;audience:</source>
        <translation>OIDC &amp;audience:</translation>
    </message>
    <message>
        <source>Limits (empty: the node&apos;s default; 0 disables)</source>
        <translation>Limits (empty: the node&apos;s default; 0 disables)</translation>
    </message>
    <message>
        <source>default %1</source>
        <translation>default %1</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>C&amp;reate</source>
        <translation>C&amp;reate</translation>
    </message>
    <message>
        <source>Enter a name.</source>
        <translation>Enter a name.</translation>
    </message>
    <message>
        <source>The OIDC issuer must be an http(s) URL.</source>
        <translation>The OIDC issuer must be an http(s) URL.</translation>
    </message>
    <message>
        <source>An OIDC issuer needs an audience.</source>
        <translation>An OIDC issuer needs an audience.</translation>
    </message>
</context>
<context>
    <name>confab::console::AppsModel</name>
    <message>
        <source>defaults</source>
        <translation>defaults</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App id: %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>App id</source>
        <translation>App id</translation>
    </message>
    <message>
        <source>OIDC issuer</source>
        <translation>OIDC issuer</translation>
    </message>
    <message>
        <source>OIDC audience</source>
        <translation>OIDC audience</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Limits</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connections</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Ingest</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Dead letters</translation>
    </message>
</context>
<context>
    <name>confab::console::AppsPage</name>
    <message>
        <source>Apps</source>
        <translation>Apps</translation>
    </message>
    <message>
        <source>&amp;New app…</source>
        <translation>&amp;New app…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>API &amp;keys…</source>
        <translation>API &amp;keys…</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>De&amp;lete…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>Listing apps failed: %1</source>
        <translation>Listing apps failed: %1</translation>
    </message>
    <message>
        <source>Creating the app failed: %1</source>
        <translation>Creating the app failed: %1</translation>
    </message>
    <message>
        <source>Created app %1 (%2).</source>
        <translation>Created app %1 (%2).</translation>
    </message>
    <message>
        <source>Saved app %1.</source>
        <translation>Saved app %1.</translation>
    </message>
    <message>
        <source>Saving app %1 failed: %2</source>
        <translation>Saving app %1 failed: %2</translation>
    </message>
    <message>
        <source>Delete app %1 (%2)?</source>
        <translation>Delete app %1 (%2)?</translation>
    </message>
    <message>
        <source>This deletes for good: %1 (with %2), %3 in the history (%4), and %5. Sessions using its keys close at once; nothing of the app can be restored.</source>
        <translation>This deletes for good: %1 (with %2), %3 in the history (%4), and %5. Sessions using its keys close at once; nothing of the app can be restored.</translation>
    </message>
    <message numerus="yes">
        <source>%n conversation(s)</source>
        <translation>
            <numerusform>%n conversation</numerusform>
            <numerusform>%n conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n membership(s)</source>
        <translation>
            <numerusform>%n membership</numerusform>
            <numerusform>%n memberships</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n message(s)</source>
        <translation>
            <numerusform>%n message</numerusform>
            <numerusform>%n messages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n segment(s)</source>
        <translation>
            <numerusform>%n segment</numerusform>
            <numerusform>%n segments</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n API key(s)</source>
        <translation>
            <numerusform>%n API key</numerusform>
            <numerusform>%n API keys</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of the app are dropped.</source>
        <translation>
            <numerusform>%n dead letter of the app is dropped.</numerusform>
            <numerusform>%n dead letters of the app are dropped.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading app %1 failed: %2</source>
        <translation>Reading app %1 failed: %2</translation>
    </message>
    <message>
        <source>Delete app</source>
        <translation>Delete app</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>Delete %1</translation>
    </message>
    <message>
        <source>Deleted app %1.</source>
        <translation>Deleted app %1.</translation>
    </message>
    <message>
        <source>Deleting app %1 failed: %2</source>
        <translation>Deleting app %1 failed: %2</translation>
    </message>
</context>
<context>
    <name>confab::console::ConnectDialog</name>
    <message>
        <source>CA certificate file</source>
        <translation>CA certificate file</translation>
    </message>
    <message>
        <source>System certificate store</source>
        <translation>System certificate store</translation>
    </message>
    <message>
        <source>For a wss:// URL whose certificate comes from a private CA: a PEM file with that CA&apos;s certificate. The server&apos;s certificate is always verified.</source>
        <translation>For a wss:// URL whose certificate comes from a private CA: a PEM file with that CA&apos;s certificate. The server&apos;s certificate is always verified.</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>Choose a CA certificate file</source>
        <translation>Choose a CA certificate file</translation>
    </message>
    <message>
        <source>CA &amp;file (wss://):</source>
        <translation>CA &amp;file (wss://):</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA certificate</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM certificates (*.pem *.crt);;All files (*)</translation>
    </message>
    <message>
        <source>A CA file is for wss:// URLs only.</source>
        <translation>A CA file is for wss:// URLs only.</translation>
    </message>
    <message>
        <source>Connect to a Confab node</source>
        <translation>Connect to a Confab node</translation>
    </message>
    <message>
        <source>Saved profile</source>
        <translation>Saved profile</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Remove</translation>
    </message>
    <message>
        <source>Remove the saved profile</source>
        <translation>Remove the saved profile</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Profile name</translation>
    </message>
    <message>
        <source>production eu-1</source>
        <translation>production eu-1</translation>
    </message>
    <message>
        <source>Admin WebSocket URL</source>
        <translation>Admin WebSocket URL</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Admin token</translation>
    </message>
    <message>
        <source>&amp;Save this profile (the token goes to the system keychain)</source>
        <translation>&amp;Save this profile (the token goes to the system keychain)</translation>
    </message>
    <message>
        <source>Connection dialog message</source>
        <translation>Connection dialog message</translation>
    </message>
    <message>
        <source>&amp;Profile:</source>
        <translation>&amp;Profile:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>Admin &amp;token:</source>
        <translation>Admin &amp;token:</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Connect</translation>
    </message>
    <message>
        <source>Enter a ws:// or wss:// URL with a host and no credentials, for example ws://127.0.0.1:8081/admin/ws.</source>
        <translation>Enter a ws:// or wss:// URL with a host and no credentials, for example ws://127.0.0.1:8081/admin/ws.</translation>
    </message>
    <message>
        <source>New profile</source>
        <translation>New profile</translation>
    </message>
    <message>
        <source>Removed profile %1 and its token.</source>
        <translation>Removed profile %1 and its token.</translation>
    </message>
</context>
<context>
    <name>confab::console::ConversationPage</name>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>conversation id</source>
        <translation>conversation id</translation>
    </message>
    <message>
        <source>Conversation id</source>
        <translation>Conversation id</translation>
    </message>
    <message>
        <source>&amp;Inspect</source>
        <translation>&amp;Inspect</translation>
    </message>
    <message>
        <source>Choose an app and a conversation.</source>
        <translation>Choose an app and a conversation.</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>&amp;Read messages</source>
        <translation>&amp;Read messages</translation>
    </message>
    <message>
        <source>Show the newest messages; the server logs this read with your operator name</source>
        <translation>Show the newest messages; the server logs this read with your operator name</translation>
    </message>
    <message>
        <source>&amp;Older</source>
        <translation>&amp;Older</translation>
    </message>
    <message>
        <source>Show the page before the oldest message shown</source>
        <translation>Show the page before the oldest message shown</translation>
    </message>
    <message>
        <source>App:</source>
        <translation>App:</translation>
    </message>
    <message>
        <source>Conversation:</source>
        <translation>Conversation:</translation>
    </message>
    <message>
        <source>Members and watermarks</source>
        <translation>Members and watermarks</translation>
    </message>
    <message>
        <source>Inspection failed: %1</source>
        <translation>Inspection failed: %1</translation>
    </message>
    <message>
        <source>direct</source>
        <translation>direct</translation>
    </message>
    <message>
        <source>group</source>
        <translation>group</translation>
    </message>
    <message numerus="yes">
        <source>%1 conversation “%2”, owner %3, created %4; last seq_no %5; %n member(s).</source>
        <translation>
            <numerusform>%1 conversation “%2”, owner %3, created %4; last seq_no %5; %n member.</numerusform>
            <numerusform>%1 conversation “%2”, owner %3, created %4; last seq_no %5; %n members.</numerusform>
        </translation>
    </message>
    <message>
        <source>untitled</source>
        <translation>untitled</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>nothing waits</source>
        <translation>nothing waits</translation>
    </message>
    <message>
        <source>the oldest waits for %1</source>
        <translation>the oldest waits for %1</translation>
    </message>
    <message>
        <source>Flushed through seq_no %1; %2 unflushed; %3 entries in the Redis tail; %4.</source>
        <translation>Flushed through seq_no %1; %2 unflushed; %3 entries in the Redis tail; %4.</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) shown; this read is logged on the server as %1.</source>
        <translation>
            <numerusform>%n message shown; this read is logged on the server as %1.</numerusform>
            <numerusform>%n messages shown; this read is logged on the server as %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading messages failed: %1</source>
        <translation>Reading messages failed: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLetterBatch</name>
    <message>
        <source>not connected</source>
        <translation>not connected</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLettersModel</name>
    <message>
        <source>Webhook events of this conversation that failed for the whole retry window: retry sends them again, discard drops them.</source>
        <translation>Webhook events of this conversation that failed for the whole retry window: retry sends them again, discard drops them.</translation>
    </message>
    <message>
        <source>Messages of this conversation not yet written to object storage: retry flushes them again; they stay readable meanwhile.</source>
        <translation>Messages of this conversation not yet written to object storage: retry flushes them again; they stay readable meanwhile.</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Dead letter %1</source>
        <translation>Dead letter %1</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>Seq range</source>
        <translation>Seq range</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>Last attempt</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App id: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLettersPage</name>
    <message>
        <source>Dead letters</source>
        <translation>Dead letters</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Retry</translation>
    </message>
    <message>
        <source>Write the selected batches to object storage again (Ctrl+R)</source>
        <translation>Write the selected batches to object storage again (Ctrl+R)</translation>
    </message>
    <message>
        <source>Retry the selected dead letters</source>
        <translation>Retry the selected dead letters</translation>
    </message>
    <message>
        <source>&amp;Discard…</source>
        <translation>&amp;Discard…</translation>
    </message>
    <message>
        <source>Give up on the selected batches (Del)</source>
        <translation>Give up on the selected batches (Del)</translation>
    </message>
    <message>
        <source>Discard the selected dead letters</source>
        <translation>Discard the selected dead letters</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>List the dead letters again (F5)</source>
        <translation>List the dead letters again (F5)</translation>
    </message>
    <message>
        <source>Refresh the dead letters</source>
        <translation>Refresh the dead letters</translation>
    </message>
    <message>
        <source>No dead letters: every batch reached object storage.</source>
        <translation>No dead letters: every batch reached object storage.</translation>
    </message>
    <message>
        <source>Discard dead letters</source>
        <translation>Discard dead letters</translation>
    </message>
    <message numerus="yes">
        <source>Discard %n dead letter(s)?</source>
        <translation>
            <numerusform>Discard %n dead letter?</numerusform>
            <numerusform>Discard %n dead letters?</numerusform>
        </translation>
    </message>
    <message>
        <source>Discarding gives up on writing these messages to object storage. They stay readable only while they are in the Redis tail, and are then missing from the history for good. Retry instead if the storage problem is fixed. This cannot be undone.</source>
        <translation>Discarding gives up on writing these messages to object storage. They stay readable only while they are in the Redis tail, and are then missing from the history for good. Retry instead if the storage problem is fixed. This cannot be undone.</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Discard</translation>
    </message>
</context>
<context>
    <name>confab::console::KeysDialog</name>
    <message>
        <source>API keys of %1</source>
        <translation>API keys of %1</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>API keys</translation>
    </message>
    <message>
        <source>&amp;Issue key…</source>
        <translation>&amp;Issue key…</translation>
    </message>
    <message>
        <source>R&amp;otate…</source>
        <translation>R&amp;otate…</translation>
    </message>
    <message>
        <source>Issue a new key; the selected one keeps working for a grace period</source>
        <translation>Issue a new key; the selected one keeps working for a grace period</translation>
    </message>
    <message>
        <source>Re&amp;voke…</source>
        <translation>Re&amp;voke…</translation>
    </message>
    <message>
        <source>The key stops working at once; its sessions close</source>
        <translation>The key stops working at once; its sessions close</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>Listing keys failed: %1</source>
        <translation>Listing keys failed: %1</translation>
    </message>
    <message>
        <source>Issue key</source>
        <translation>Issue key</translation>
    </message>
    <message>
        <source>Label (who uses the key):</source>
        <translation>Label (who uses the key):</translation>
    </message>
    <message>
        <source>Issuing a key failed: %1</source>
        <translation>Issuing a key failed: %1</translation>
    </message>
    <message>
        <source>Issued key %1.</source>
        <translation>Issued key %1.</translation>
    </message>
    <message>
        <source>Rotate key</source>
        <translation>Rotate key</translation>
    </message>
    <message>
        <source>The old key keeps working for (hours, 0: stops at once):</source>
        <translation>The old key keeps working for (hours, 0: stops at once):</translation>
    </message>
    <message>
        <source>Rotating %1 failed: %2</source>
        <translation>Rotating %1 failed: %2</translation>
    </message>
    <message>
        <source>Rotated %1: the new key is %2.</source>
        <translation>Rotated %1: the new key is %2.</translation>
    </message>
    <message>
        <source>Revoke key</source>
        <translation>Revoke key</translation>
    </message>
    <message>
        <source>Revoke %1? It stops working at once and every session using it closes. This cannot be undone.</source>
        <translation>Revoke %1? It stops working at once and every session using it closes. This cannot be undone.</translation>
    </message>
    <message>
        <source>Revoked %1.</source>
        <translation>Revoked %1.</translation>
    </message>
    <message>
        <source>Revoking %1 failed: %2</source>
        <translation>Revoking %1 failed: %2</translation>
    </message>
</context>
<context>
    <name>confab::console::KeysModel</name>
    <message>
        <source>not recorded</source>
        <translation>not recorded</translation>
    </message>
    <message>
        <source>never</source>
        <translation>never</translation>
    </message>
    <message>
        <source>Rotated: this key stops working at %1</source>
        <translation>Rotated: this key stops working at %1</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Key id</source>
        <translation>Key id</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Last used</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Expires</translation>
    </message>
</context>
<context>
    <name>confab::console::MainWindow</name>
    <message>
        <source>Confab Console</source>
        <translation>Confab Console</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Views</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>&amp;Overview</translation>
    </message>
    <message>
        <source>&amp;Streams</source>
        <translation>&amp;Streams</translation>
    </message>
    <message>
        <source>&amp;Dead letters</source>
        <translation>&amp;Dead letters</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Connection state</translation>
    </message>
    <message>
        <source>Action in progress</source>
        <translation>Action in progress</translation>
    </message>
    <message>
        <source>Result of the last action</source>
        <translation>Result of the last action</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>&amp;Server</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>&amp;Connect…</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Disconnect</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Actions</source>
        <translation>&amp;Actions</translation>
    </message>
    <message>
        <source>&amp;Flush now</source>
        <translation>&amp;Flush now</translation>
    </message>
    <message>
        <source>Write every open segment to object storage now (Ctrl+Shift+F)</source>
        <translation>Write every open segment to object storage now (Ctrl+Shift+F)</translation>
    </message>
    <message>
        <source>Run &amp;retention</source>
        <translation>Run &amp;retention</translation>
    </message>
    <message>
        <source>Delete segments older than the retention period now (Ctrl+Shift+R)</source>
        <translation>Delete segments older than the retention period now (Ctrl+Shift+R)</translation>
    </message>
    <message>
        <source>Refresh &amp;dead letters</source>
        <translation>Refresh &amp;dead letters</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Filter streams</source>
        <translation>&amp;Filter streams</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About Confab Console</source>
        <translation>&amp;About Confab Console</translation>
    </message>
    <message>
        <source>About Confab Console</source>
        <translation>About Confab Console</translation>
    </message>
    <message>
        <source>Confab Console %1</source>
        <translation>Confab Console %1</translation>
    </message>
    <message>
        <source>Commit %1. The operator console of the Confab messaging server, licensed under the Apache License 2.0.</source>
        <translation>Commit %1. The operator console of the Confab messaging server, licensed under the Apache License 2.0.</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>German</source>
        <translation>German</translation>
    </message>
    <message>
        <source>French</source>
        <translation>French</translation>
    </message>
    <message>
        <source>The language changes when the console is restarted.</source>
        <translation>The language changes when the console is restarted.</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Main toolbar</translation>
    </message>
    <message>
        <source>Reading the token of %1 from the keychain…</source>
        <translation>Reading the token of %1 from the keychain…</translation>
    </message>
    <message>
        <source>Not connected. Use Server › Connect (Ctrl+O).</source>
        <translation>Not connected. Use Server › Connect (Ctrl+O).</translation>
    </message>
    <message>
        <source>Disconnected from %1: %2</source>
        <translation>Disconnected from %1: %2</translation>
    </message>
    <message>
        <source>Connecting to %1 (%2)…</source>
        <translation>Connecting to %1 (%2)…</translation>
    </message>
    <message>
        <source>Connected to %1 (%2)</source>
        <translation>Connected to %1 (%2)</translation>
    </message>
    <message>
        <source>Connection to %1 lost (%2). Reconnecting in %3 s, attempt %4…</source>
        <translation>Connection to %1 lost (%2). Reconnecting in %3 s, attempt %4…</translation>
    </message>
    <message>
        <source>Listing dead letters failed: %1</source>
        <translation>Listing dead letters failed: %1</translation>
    </message>
    <message>
        <source>Flushing every open segment…</source>
        <translation>Flushing every open segment…</translation>
    </message>
    <message>
        <source>Flush failed: %1</source>
        <translation>Flush failed: %1</translation>
    </message>
    <message numerus="yes">
        <source>Flush finished: %n segment(s) written.</source>
        <translation>
            <numerusform>Flush finished: %n segment written.</numerusform>
            <numerusform>Flush finished: %n segments written.</numerusform>
        </translation>
    </message>
    <message>
        <source>Running retention…</source>
        <translation>Running retention…</translation>
    </message>
    <message>
        <source>Retention failed: %1</source>
        <translation>Retention failed: %1</translation>
    </message>
    <message numerus="yes">
        <source>Retention finished: %n segment(s) deleted.</source>
        <translation>
            <numerusform>Retention finished: %n segment deleted.</numerusform>
            <numerusform>Retention finished: %n segments deleted.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Retrying %n dead letter(s)…</source>
        <translation>
            <numerusform>Retrying %n dead letter…</numerusform>
            <numerusform>Retrying %n dead letters…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Discarding %n dead letter(s)…</source>
        <translation>
            <numerusform>Discarding %n dead letter…</numerusform>
            <numerusform>Discarding %n dead letters…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Retried %n dead letter(s).</source>
        <translation>
            <numerusform>Retried %n dead letter.</numerusform>
            <numerusform>Retried %n dead letters.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Discarded %n dead letter(s).</source>
        <translation>
            <numerusform>Discarded %n dead letter.</numerusform>
            <numerusform>Discarded %n dead letters.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed: %1</source>
        <translation>
            <numerusform>%n failed: %1</numerusform>
            <numerusform>%n failed: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Dead letters (%1)</source>
        <translation>&amp;Dead letters (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) could not be written to object storage</source>
        <translation>
            <numerusform>%n batch could not be written to object storage</numerusform>
            <numerusform>%n batches could not be written to object storage</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n stream(s) falling behind</source>
        <translation>
            <numerusform>%n stream falling behind</numerusform>
            <numerusform>%n streams falling behind</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Apps</source>
        <translation>&amp;Apps</translation>
    </message>
    <message>
        <source>Copy app &amp;id</source>
        <translation>Copy app &amp;id</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Alert</translation>
    </message>
    <message>
        <source>Copied app id %1.</source>
        <translation>Copied app id %1.</translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation>&amp;Users</translation>
    </message>
    <message>
        <source>Co&amp;nversations</source>
        <translation>Co&amp;nversations</translation>
    </message>
    <message>
        <source>Send &amp;notice…</source>
        <translation>Send &amp;notice…</translation>
    </message>
    <message>
        <source>Tell every session of an app, or of every app, something (Ctrl+Shift+N)</source>
        <translation>Tell every session of an app, or of every app, something (Ctrl+Shift+N)</translation>
    </message>
</context>
<context>
    <name>confab::console::MembersModel</name>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Delivered up to</source>
        <translation>Delivered up to</translation>
    </message>
    <message>
        <source>Read up to</source>
        <translation>Read up to</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Unread</translation>
    </message>
</context>
<context>
    <name>confab::console::MessagesModel</name>
    <message>
        <source>Seq</source>
        <translation>Seq</translation>
    </message>
    <message>
        <source>Sender</source>
        <translation>Sender</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>Content</translation>
    </message>
</context>
<context>
    <name>confab::console::NewKeyDialog</name>
    <message>
        <source>New API key %1</source>
        <translation>New API key %1</translation>
    </message>
    <message>
        <source>Copy this key now and keep it safe. It cannot be shown again: the server stores only a hash of it.</source>
        <translation>Copy this key now and keep it safe. It cannot be shown again: the server stores only a hash of it.</translation>
    </message>
    <message>
        <source>New API key</source>
        <translation>New API key</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copy</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copied</translation>
    </message>
</context>
<context>
    <name>confab::console::NodesModel</name>
    <message>
        <source>The node this console is connected to</source>
        <translation>The node this console is connected to</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Node</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connections</translation>
    </message>
</context>
<context>
    <name>confab::console::NoticeDialog</name>
    <message>
        <source>Send notice</source>
        <translation>Send notice</translation>
    </message>
    <message>
        <source>Send to</source>
        <translation>Send to</translation>
    </message>
    <message>
        <source>Every app</source>
        <translation>Every app</translation>
    </message>
    <message>
        <source>App %1</source>
        <translation>App %1</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>What clients may act on: a-z, 0-9 and _</source>
        <translation>What clients may act on: a-z, 0-9 and _</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>What every session is told, e.g. “Maintenance at 22:00 UTC”</source>
        <translation>What every session is told, e.g. “Maintenance at 22:00 UTC”</translation>
    </message>
    <message>
        <source>Send &amp;to:</source>
        <translation>Send &amp;to:</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>&amp;Message:</source>
        <translation>&amp;Message:</translation>
    </message>
    <message>
        <source>&amp;Send…</source>
        <translation>&amp;Send…</translation>
    </message>
    <message>
        <source>every session of every app</source>
        <translation>every session of every app</translation>
    </message>
    <message>
        <source>every session of app %1</source>
        <translation>every session of app %1</translation>
    </message>
    <message>
        <source>Send this notice to %1?</source>
        <translation>Send this notice to %1?</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message numerus="yes">
        <source>Notice sent to %1 (%n node(s) reached).</source>
        <translation>
            <numerusform>Notice sent to %1 (%n node reached).</numerusform>
            <numerusform>Notice sent to %1 (%n nodes reached).</numerusform>
        </translation>
    </message>
    <message>
        <source>Sending failed: %1</source>
        <translation>Sending failed: %1</translation>
    </message>
    <message>
        <source>%1 of %2 characters</source>
        <translation>%1 of %2 characters</translation>
    </message>
</context>
<context>
    <name>confab::console::OverviewPage</name>
    <message>
        <source>Connections</source>
        <translation>Connections</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Ingest</translation>
    </message>
    <message>
        <source>Stream depth</source>
        <translation>Stream depth</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Dead letters</translation>
    </message>
    <message>
        <source>Redis memory</source>
        <translation>Redis memory</translation>
    </message>
    <message>
        <source>Flush p50</source>
        <translation>Flush p50</translation>
    </message>
    <message>
        <source>Flush p95</source>
        <translation>Flush p95</translation>
    </message>
    <message>
        <source>Flush p99</source>
        <translation>Flush p99</translation>
    </message>
    <message>
        <source>Last flush</source>
        <translation>Last flush</translation>
    </message>
    <message>
        <source>Segments written</source>
        <translation>Segments written</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>messages</translation>
    </message>
    <message>
        <source>depth</source>
        <translation>depth</translation>
    </message>
    <message>
        <source>Flush latency</source>
        <translation>Flush latency</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>Ingest rate</source>
        <translation>Ingest rate</translation>
    </message>
    <message>
        <source>messages/s</source>
        <translation>messages/s</translation>
    </message>
    <message>
        <source>ingest</source>
        <translation>ingest</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Nodes</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>App shown in the charts</source>
        <translation>App shown in the charts</translation>
    </message>
    <message>
        <source>All apps</source>
        <translation>All apps</translation>
    </message>
    <message>
        <source>Charts for:</source>
        <translation>Charts for:</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App id: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::ProfileStore</name>
    <message>
        <source>No token saved for %1</source>
        <translation>No token saved for %1</translation>
    </message>
    <message>
        <source>Could not read the token of %1 from the keychain: %2</source>
        <translation>Could not read the token of %1 from the keychain: %2</translation>
    </message>
    <message>
        <source>No system keychain to save the token of %1 (%2): the profile is saved without it and this session stays connected; type the token again at the next connect.</source>
        <translation>No system keychain to save the token of %1 (%2): the profile is saved without it and this session stays connected; type the token again at the next connect.</translation>
    </message>
</context>
<context>
    <name>confab::console::SessionsModel</name>
    <message>
        <source>unknown</source>
        <translation>unknown</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Session</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Node</translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation>Connected since</translation>
    </message>
</context>
<context>
    <name>confab::console::StreamsModel</name>
    <message>
        <source>Falls behind: the oldest unflushed record is %1 old (limit %2)</source>
        <translation>Falls behind: the oldest unflushed record is %1 old (limit %2)</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Depth</translation>
    </message>
    <message>
        <source>Oldest unflushed</source>
        <translation>Oldest unflushed</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App id: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::StreamsPage</name>
    <message>
        <source>Filter by app or conversation (Ctrl+F)</source>
        <translation>Filter by app or conversation (Ctrl+F)</translation>
    </message>
    <message>
        <source>Filter streams</source>
        <translation>Filter streams</translation>
    </message>
    <message>
        <source>Only streams falling &amp;behind</source>
        <translation>Only streams falling &amp;behind</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Falls behind after</source>
        <translation>Falls behind after</translation>
    </message>
    <message>
        <source>Falls behind &amp;after:</source>
        <translation>Falls behind &amp;after:</translation>
    </message>
    <message>
        <source>Streams summary</source>
        <translation>Streams summary</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>Streams</translation>
    </message>
    <message numerus="yes">
        <source>%n stream(s)</source>
        <translation>
            <numerusform>%n stream</numerusform>
            <numerusform>%n streams</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n falling behind</source>
        <translation>
            <numerusform>%n falling behind</numerusform>
            <numerusform>%n falling behind</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>confab::console::UsersPage</name>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>The app id; the apps seen in the stats are listed</source>
        <translation>The app id; the apps seen in the stats are listed</translation>
    </message>
    <message>
        <source>user id</source>
        <translation>user id</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>User id</translation>
    </message>
    <message>
        <source>&amp;Look up</source>
        <translation>&amp;Look up</translation>
    </message>
    <message>
        <source>Show the user&apos;s sessions on every node</source>
        <translation>Show the user&apos;s sessions on every node</translation>
    </message>
    <message>
        <source>Choose an app and a user.</source>
        <translation>Choose an app and a user.</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>Close code</source>
        <translation>Close code</translation>
    </message>
    <message>
        <source>4009 disconnected by an operator (may reconnect)</source>
        <translation>4009 disconnected by an operator (may reconnect)</translation>
    </message>
    <message>
        <source>4001 unauthorized (must sign in again)</source>
        <translation>4001 unauthorized (must sign in again)</translation>
    </message>
    <message>
        <source>4003 forbidden (should not reconnect)</source>
        <translation>4003 forbidden (should not reconnect)</translation>
    </message>
    <message>
        <source>disconnected by an operator</source>
        <translation>disconnected by an operator</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>&amp;Disconnect…</source>
        <translation>&amp;Disconnect…</translation>
    </message>
    <message>
        <source>Close every session of this user on every node</source>
        <translation>Close every session of this user on every node</translation>
    </message>
    <message>
        <source>App:</source>
        <translation>App:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>User:</translation>
    </message>
    <message>
        <source>Lookup failed: %1</source>
        <translation>Lookup failed: %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 is online with %n session(s) on %2 since %3.</source>
        <translation>
            <numerusform>%1 is online with %n session on %2 since %3.</numerusform>
            <numerusform>%1 is online with %n sessions on %2 since %3.</numerusform>
        </translation>
    </message>
    <message>
        <source>unknown nodes</source>
        <translation>unknown nodes</translation>
    </message>
    <message>
        <source>an unknown time</source>
        <translation>an unknown time</translation>
    </message>
    <message>
        <source>%1 is offline; last seen %2.</source>
        <translation>%1 is offline; last seen %2.</translation>
    </message>
    <message>
        <source>%1 is offline and was not seen in the last 30 days.</source>
        <translation>%1 is offline and was not seen in the last 30 days.</translation>
    </message>
    <message>
        <source>Disconnect user</source>
        <translation>Disconnect user</translation>
    </message>
    <message numerus="yes">
        <source>Disconnect %1 of app %2 (%n session(s))?</source>
        <translation>
            <numerusform>Disconnect %1 of app %2 (%n session)?</numerusform>
            <numerusform>Disconnect %1 of app %2 (%n sessions)?</numerusform>
        </translation>
    </message>
    <message>
        <source>Every session of this user on every node is closed with code %1. The user can connect again unless their tokens are revoked.</source>
        <translation>Every session of this user on every node is closed with code %1. The user can connect again unless their tokens are revoked.</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Disconnect</translation>
    </message>
    <message numerus="yes">
        <source>Disconnected %1: %n session(s) closed.</source>
        <translation>
            <numerusform>Disconnected %1: %n session closed.</numerusform>
            <numerusform>Disconnected %1: %n sessions closed.</numerusform>
        </translation>
    </message>
    <message>
        <source>Disconnect failed: %1</source>
        <translation>Disconnect failed: %1</translation>
    </message>
</context>
</TS>
