<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
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
        <translation>Die CA-Datei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>the CA file %1 holds no PEM certificate</source>
        <translation>Die CA-Datei %1 enthält kein PEM-Zertifikat</translation>
    </message>
    <message>
        <source>TLS certificate not accepted: %1</source>
        <translation>TLS-Zertifikat nicht akzeptiert: %1</translation>
    </message>
    <message>
        <source>The server refused the admin token (close code 4001)</source>
        <translation>Der Server hat das Admin-Token abgelehnt (Close-Code 4001)</translation>
    </message>
    <message>
        <source>The server closed the connection (code %1)</source>
        <translation>Der Server hat die Verbindung geschlossen (Code %1)</translation>
    </message>
    <message>
        <source>The server closed the connection: %1</source>
        <translation>Der Server hat die Verbindung geschlossen: %1</translation>
    </message>
    <message>
        <source>not connected to a node</source>
        <translation>nicht mit einem Knoten verbunden</translation>
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
        <translation>Knoten %1 antwortet nicht mehr</translation>
    </message>
    <message numerus="yes">
        <source>%n new dead letter(s): a batch could not be written to object storage</source>
        <translation>
            <numerusform>%n neuer Dead Letter: ein Stapel konnte nicht in den Objektspeicher geschrieben werden</numerusform>
            <numerusform>%n neue Dead Letters: Stapel konnten nicht in den Objektspeicher geschrieben werden</numerusform>
        </translation>
    </message>
    <message>
        <source>Lost the connection to %1: %2</source>
        <translation>Verbindung zu %1 verloren: %2</translation>
    </message>
    <message>
        <source>Node %1 is not ready: PostgreSQL, Redis or object storage does not answer it</source>
        <translation>Knoten %1 ist nicht bereit: PostgreSQL, Redis oder der Objektspeicher antwortet ihm nicht</translation>
    </message>
</context>
<context>
    <name>confab::console::AppDialog</name>
    <message>
        <source>Edit app %1</source>
        <translation>App %1 bearbeiten</translation>
    </message>
    <message>
        <source>New app</source>
        <translation>Neue App</translation>
    </message>
    <message>
        <source>App name</source>
        <translation>App-Name</translation>
    </message>
    <message>
        <source>OIDC issuer</source>
        <translation>OIDC-Aussteller</translation>
    </message>
    <message>
        <source>none (https://login.example.com/)</source>
        <translation>keiner (https://login.example.com/)</translation>
    </message>
    <message>
        <source>OIDC audience</source>
        <translation>OIDC-Audience</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>OIDC &amp;issuer:</source>
        <translation>OIDC-&amp;Aussteller:</translation>
    </message>
    <message>
        <source>OIDC &amp;audience:</source>
        <translation>OIDC-Au&amp;dience:</translation>
    </message>
    <message>
        <source>Limits (empty: the node&apos;s default; 0 disables)</source>
        <translation>Limits (leer: Vorgabe des Knotens; 0 schaltet ab)</translation>
    </message>
    <message>
        <source>default %1</source>
        <translation>Vorgabe %1</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>C&amp;reate</source>
        <translation>&amp;Anlegen</translation>
    </message>
    <message>
        <source>Enter a name.</source>
        <translation>Geben Sie einen Namen ein.</translation>
    </message>
    <message>
        <source>The OIDC issuer must be an http(s) URL.</source>
        <translation>Der OIDC-Aussteller muss eine http(s)-URL sein.</translation>
    </message>
    <message>
        <source>An OIDC issuer needs an audience.</source>
        <translation>Ein OIDC-Aussteller braucht eine Audience.</translation>
    </message>
</context>
<context>
    <name>confab::console::AppsModel</name>
    <message>
        <source>defaults</source>
        <translation>Vorgaben</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App-ID: %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>App id</source>
        <translation>App-ID</translation>
    </message>
    <message>
        <source>OIDC issuer</source>
        <translation>OIDC-Aussteller</translation>
    </message>
    <message>
        <source>OIDC audience</source>
        <translation>OIDC-Audience</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Limits</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Eingang</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Dead Letters</translation>
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
        <translation>&amp;Neue App…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>API &amp;keys…</source>
        <translation>API-&amp;Schlüssel…</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Listing apps failed: %1</source>
        <translation>Auflisten der Apps fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Creating the app failed: %1</source>
        <translation>Anlegen der App fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Created app %1 (%2).</source>
        <translation>App %1 (%2) angelegt.</translation>
    </message>
    <message>
        <source>Saved app %1.</source>
        <translation>App %1 gespeichert.</translation>
    </message>
    <message>
        <source>Saving app %1 failed: %2</source>
        <translation>Speichern der App %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Delete app %1 (%2)?</source>
        <translation>App %1 (%2) löschen?</translation>
    </message>
    <message>
        <source>This deletes for good: %1 (with %2), %3 in the history (%4), and %5. Sessions using its keys close at once; nothing of the app can be restored.</source>
        <translation>Endgültig gelöscht werden: %1 (mit %2), %3 im Verlauf (%4) und %5. Sitzungen mit ihren Schlüsseln werden sofort geschlossen; nichts von der App lässt sich wiederherstellen.</translation>
    </message>
    <message numerus="yes">
        <source>%n conversation(s)</source>
        <translation>
            <numerusform>%n Unterhaltung</numerusform>
            <numerusform>%n Unterhaltungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n membership(s)</source>
        <translation>
            <numerusform>%n Mitgliedschaft</numerusform>
            <numerusform>%n Mitgliedschaften</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n message(s)</source>
        <translation>
            <numerusform>%n Nachricht</numerusform>
            <numerusform>%n Nachrichten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n segment(s)</source>
        <translation>
            <numerusform>%n Segment</numerusform>
            <numerusform>%n Segmente</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n API key(s)</source>
        <translation>
            <numerusform>%n API-Schlüssel</numerusform>
            <numerusform>%n API-Schlüssel</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of the app are dropped.</source>
        <translation>
            <numerusform>%n Dead Letter der App wird verworfen.</numerusform>
            <numerusform>%n Dead Letters der App werden verworfen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading app %1 failed: %2</source>
        <translation>Lesen der App %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Delete app</source>
        <translation>App löschen</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>%1 löschen</translation>
    </message>
    <message>
        <source>Deleted app %1.</source>
        <translation>App %1 gelöscht.</translation>
    </message>
    <message>
        <source>Deleting app %1 failed: %2</source>
        <translation>Löschen der App %1 fehlgeschlagen: %2</translation>
    </message>
</context>
<context>
    <name>confab::console::ConnectDialog</name>
    <message>
        <source>CA certificate file</source>
        <translation>CA-Zertifikatsdatei</translation>
    </message>
    <message>
        <source>System certificate store</source>
        <translation>Zertifikatsspeicher des Systems</translation>
    </message>
    <message>
        <source>For a wss:// URL whose certificate comes from a private CA: a PEM file with that CA&apos;s certificate. The server&apos;s certificate is always verified.</source>
        <translation>Für eine wss://-URL, deren Zertifikat von einer privaten CA stammt: eine PEM-Datei mit dem Zertifikat dieser CA. Das Zertifikat des Servers wird immer geprüft.</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose a CA certificate file</source>
        <translation>CA-Zertifikatsdatei auswählen</translation>
    </message>
    <message>
        <source>CA &amp;file (wss://):</source>
        <translation>CA-&amp;Datei (wss://):</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA-Zertifikat</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM-Zertifikate (*.pem *.crt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>A CA file is for wss:// URLs only.</source>
        <translation>Eine CA-Datei gilt nur für wss://-URLs.</translation>
    </message>
    <message>
        <source>Connect to a Confab node</source>
        <translation>Mit einem Confab-Knoten verbinden</translation>
    </message>
    <message>
        <source>Saved profile</source>
        <translation>Gespeichertes Profil</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove the saved profile</source>
        <translation>Gespeichertes Profil entfernen</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Profilname</translation>
    </message>
    <message>
        <source>production eu-1</source>
        <translation>Produktion eu-1</translation>
    </message>
    <message>
        <source>Admin WebSocket URL</source>
        <translation>Admin-WebSocket-URL</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Admin-Token</translation>
    </message>
    <message>
        <source>&amp;Save this profile (the token goes to the system keychain)</source>
        <translation>Profil &amp;speichern (das Token kommt in den Schlüsselbund des Systems)</translation>
    </message>
    <message>
        <source>Connection dialog message</source>
        <translation>Meldung des Verbindungsdialogs</translation>
    </message>
    <message>
        <source>&amp;Profile:</source>
        <translation>&amp;Profil:</translation>
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
        <translation>Admin-&amp;Token:</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Enter a ws:// or wss:// URL with a host and no credentials, for example ws://127.0.0.1:8081/admin/ws.</source>
        <translation>Geben Sie eine ws://- oder wss://-URL mit Host und ohne Zugangsdaten ein, zum Beispiel ws://127.0.0.1:8081/admin/ws.</translation>
    </message>
    <message>
        <source>New profile</source>
        <translation>Neues Profil</translation>
    </message>
    <message>
        <source>Removed profile %1 and its token.</source>
        <translation>Profil %1 und sein Token wurden entfernt.</translation>
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
        <translation>Konversations-ID</translation>
    </message>
    <message>
        <source>Conversation id</source>
        <translation>Konversations-ID</translation>
    </message>
    <message>
        <source>&amp;Inspect</source>
        <translation>&amp;Untersuchen</translation>
    </message>
    <message>
        <source>Choose an app and a conversation.</source>
        <translation>Wählen Sie eine App und eine Konversation.</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>&amp;Read messages</source>
        <translation>Nachrichten &amp;lesen</translation>
    </message>
    <message>
        <source>Show the newest messages; the server logs this read with your operator name</source>
        <translation>Die neuesten Nachrichten zeigen; der Server protokolliert das Lesen mit Ihrem Operatornamen</translation>
    </message>
    <message>
        <source>&amp;Older</source>
        <translation>Ä&amp;ltere</translation>
    </message>
    <message>
        <source>Show the page before the oldest message shown</source>
        <translation>Die Seite vor der ältesten gezeigten Nachricht zeigen</translation>
    </message>
    <message>
        <source>App:</source>
        <translation>App:</translation>
    </message>
    <message>
        <source>Conversation:</source>
        <translation>Konversation:</translation>
    </message>
    <message>
        <source>Members and watermarks</source>
        <translation>Mitglieder und Lesestände</translation>
    </message>
    <message>
        <source>Inspection failed: %1</source>
        <translation>Untersuchung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>direct</source>
        <translation>Direkt</translation>
    </message>
    <message>
        <source>group</source>
        <translation>Gruppen</translation>
    </message>
    <message numerus="yes">
        <source>%1 conversation “%2”, owner %3, created %4; last seq_no %5; %n member(s).</source>
        <translation>
            <numerusform>%1konversation „%2“, Eigentümer %3, erstellt %4; letzte seq_no %5; %n Mitglied.</numerusform>
            <numerusform>%1konversation „%2“, Eigentümer %3, erstellt %4; letzte seq_no %5; %n Mitglieder.</numerusform>
        </translation>
    </message>
    <message>
        <source>untitled</source>
        <translation>ohne Titel</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>nothing waits</source>
        <translation>nichts wartet</translation>
    </message>
    <message>
        <source>the oldest waits for %1</source>
        <translation>die älteste wartet seit %1</translation>
    </message>
    <message>
        <source>Flushed through seq_no %1; %2 unflushed; %3 entries in the Redis tail; %4.</source>
        <translation>Geschrieben bis seq_no %1; %2 ungeschrieben; %3 Einträge im Redis-Tail; %4.</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) shown; this read is logged on the server as %1.</source>
        <translation>
            <numerusform>%n Nachricht gezeigt; der Server protokolliert das Lesen als %1.</numerusform>
            <numerusform>%n Nachrichten gezeigt; der Server protokolliert das Lesen als %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading messages failed: %1</source>
        <translation>Lesen der Nachrichten fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLetterBatch</name>
    <message>
        <source>not connected</source>
        <translation>nicht verbunden</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLettersModel</name>
    <message>
        <source>Webhook events of this conversation that failed for the whole retry window: retry sends them again, discard drops them.</source>
        <translation>Webhook-Ereignisse dieser Unterhaltung, die während des ganzen Wiederholungsfensters fehlschlugen: Wiederholen sendet sie erneut, Verwerfen löscht sie.</translation>
    </message>
    <message>
        <source>Messages of this conversation not yet written to object storage: retry flushes them again; they stay readable meanwhile.</source>
        <translation>Nachrichten dieser Unterhaltung, die noch nicht im Objektspeicher liegen: Wiederholen schreibt sie erneut; sie bleiben so lange lesbar.</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Dead letter %1</source>
        <translation>Unzustellbarer Eintrag %1</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Seq range</source>
        <translation>Seq-Bereich</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>Letzter Versuch</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App-ID: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLettersPage</name>
    <message>
        <source>Dead letters</source>
        <translation>Dead Letters</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Write the selected batches to object storage again (Ctrl+R)</source>
        <translation>Die ausgewählten Stapel erneut in den Objektspeicher schreiben (Strg+R)</translation>
    </message>
    <message>
        <source>Retry the selected dead letters</source>
        <translation>Ausgewählte Dead Letters wiederholen</translation>
    </message>
    <message>
        <source>&amp;Discard…</source>
        <translation>&amp;Verwerfen…</translation>
    </message>
    <message>
        <source>Give up on the selected batches (Del)</source>
        <translation>Die ausgewählten Stapel aufgeben (Entf)</translation>
    </message>
    <message>
        <source>Discard the selected dead letters</source>
        <translation>Ausgewählte Dead Letters verwerfen</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>List the dead letters again (F5)</source>
        <translation>Dead Letters neu auflisten (F5)</translation>
    </message>
    <message>
        <source>Refresh the dead letters</source>
        <translation>Dead Letters aktualisieren</translation>
    </message>
    <message>
        <source>No dead letters: every batch reached object storage.</source>
        <translation>Keine Dead Letters: Jeder Stapel hat den Objektspeicher erreicht.</translation>
    </message>
    <message>
        <source>Discard dead letters</source>
        <translation>Dead Letters verwerfen</translation>
    </message>
    <message numerus="yes">
        <source>Discard %n dead letter(s)?</source>
        <translation>
            <numerusform>%n Dead Letter verwerfen?</numerusform>
            <numerusform>%n Dead Letters verwerfen?</numerusform>
        </translation>
    </message>
    <message>
        <source>Discarding gives up on writing these messages to object storage. They stay readable only while they are in the Redis tail, and are then missing from the history for good. Retry instead if the storage problem is fixed. This cannot be undone.</source>
        <translation>Verwerfen gibt das Schreiben dieser Nachrichten in den Objektspeicher auf. Sie bleiben nur lesbar, solange sie im Redis-Tail liegen, und fehlen danach dauerhaft im Verlauf. Wiederholen Sie stattdessen, wenn das Speicherproblem behoben ist. Dies kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
</context>
<context>
    <name>confab::console::KeysDialog</name>
    <message>
        <source>API keys of %1</source>
        <translation>API-Schlüssel von %1</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>&amp;Issue key…</source>
        <translation>Schlüssel &amp;ausstellen…</translation>
    </message>
    <message>
        <source>R&amp;otate…</source>
        <translation>&amp;Rotieren…</translation>
    </message>
    <message>
        <source>Issue a new key; the selected one keeps working for a grace period</source>
        <translation>Einen neuen Schlüssel ausstellen; der gewählte funktioniert noch eine Übergangszeit lang</translation>
    </message>
    <message>
        <source>Re&amp;voke…</source>
        <translation>&amp;Widerrufen…</translation>
    </message>
    <message>
        <source>The key stops working at once; its sessions close</source>
        <translation>Der Schlüssel funktioniert sofort nicht mehr; seine Sitzungen werden geschlossen</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Listing keys failed: %1</source>
        <translation>Auflisten der Schlüssel fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Issue key</source>
        <translation>Schlüssel ausstellen</translation>
    </message>
    <message>
        <source>Label (who uses the key):</source>
        <translation>Bezeichnung (wer den Schlüssel nutzt):</translation>
    </message>
    <message>
        <source>Issuing a key failed: %1</source>
        <translation>Ausstellen eines Schlüssels fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Issued key %1.</source>
        <translation>Schlüssel %1 ausgestellt.</translation>
    </message>
    <message>
        <source>Rotate key</source>
        <translation>Schlüssel rotieren</translation>
    </message>
    <message>
        <source>The old key keeps working for (hours, 0: stops at once):</source>
        <translation>Der alte Schlüssel funktioniert noch (Stunden, 0: sofort Schluss):</translation>
    </message>
    <message>
        <source>Rotating %1 failed: %2</source>
        <translation>Rotieren von %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Rotated %1: the new key is %2.</source>
        <translation>%1 rotiert: der neue Schlüssel ist %2.</translation>
    </message>
    <message>
        <source>Revoke key</source>
        <translation>Schlüssel widerrufen</translation>
    </message>
    <message>
        <source>Revoke %1? It stops working at once and every session using it closes. This cannot be undone.</source>
        <translation>%1 widerrufen? Er funktioniert sofort nicht mehr, und jede Sitzung damit wird geschlossen. Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Revoked %1.</source>
        <translation>%1 widerrufen.</translation>
    </message>
    <message>
        <source>Revoking %1 failed: %2</source>
        <translation>Widerrufen von %1 fehlgeschlagen: %2</translation>
    </message>
</context>
<context>
    <name>confab::console::KeysModel</name>
    <message>
        <source>not recorded</source>
        <translation>nicht erfasst</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>Rotated: this key stops working at %1</source>
        <translation>Rotiert: dieser Schlüssel funktioniert bis %1</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <source>Key id</source>
        <translation>Schlüssel-ID</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Zuletzt benutzt</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
</context>
<context>
    <name>confab::console::MainWindow</name>
    <message>
        <source>Confab Console</source>
        <translation>Confab-Konsole</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Ansichten</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>&amp;Übersicht</translation>
    </message>
    <message>
        <source>&amp;Streams</source>
        <translation>&amp;Streams</translation>
    </message>
    <message>
        <source>&amp;Dead letters</source>
        <translation>&amp;Dead Letters</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Verbindungsstatus</translation>
    </message>
    <message>
        <source>Action in progress</source>
        <translation>Aktion läuft</translation>
    </message>
    <message>
        <source>Result of the last action</source>
        <translation>Ergebnis der letzten Aktion</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>&amp;Server</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>&amp;Verbinden…</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Actions</source>
        <translation>&amp;Aktionen</translation>
    </message>
    <message>
        <source>&amp;Flush now</source>
        <translation>&amp;Jetzt flushen</translation>
    </message>
    <message>
        <source>Write every open segment to object storage now (Ctrl+Shift+F)</source>
        <translation>Jedes offene Segment jetzt in den Objektspeicher schreiben (Strg+Umschalt+F)</translation>
    </message>
    <message>
        <source>Run &amp;retention</source>
        <translation>&amp;Aufbewahrung ausführen</translation>
    </message>
    <message>
        <source>Delete segments older than the retention period now (Ctrl+Shift+R)</source>
        <translation>Segmente, die älter als die Aufbewahrungsfrist sind, jetzt löschen (Strg+Umschalt+R)</translation>
    </message>
    <message>
        <source>Refresh &amp;dead letters</source>
        <translation>&amp;Dead Letters aktualisieren</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>A&amp;nsicht</translation>
    </message>
    <message>
        <source>&amp;Filter streams</source>
        <translation>Streams &amp;filtern</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Confab Console</source>
        <translation>Ü&amp;ber Confab Console</translation>
    </message>
    <message>
        <source>About Confab Console</source>
        <translation>Über Confab Console</translation>
    </message>
    <message>
        <source>Confab Console %1</source>
        <translation>Confab Console %1</translation>
    </message>
    <message>
        <source>Commit %1. The operator console of the Confab messaging server, licensed under the Apache License 2.0.</source>
        <translation>Commit %1. Die Betreiberkonsole des Confab-Messaging-Servers, lizenziert unter der Apache License 2.0.</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>French</source>
        <translation>Französisch</translation>
    </message>
    <message>
        <source>The language changes when the console is restarted.</source>
        <translation>Die Sprache ändert sich beim nächsten Start der Konsole.</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <source>Reading the token of %1 from the keychain…</source>
        <translation>Token von %1 wird aus dem Schlüsselbund gelesen…</translation>
    </message>
    <message>
        <source>Not connected. Use Server › Connect (Ctrl+O).</source>
        <translation>Nicht verbunden. Server › Verbinden (Strg+O) verwenden.</translation>
    </message>
    <message>
        <source>Disconnected from %1: %2</source>
        <translation>Von %1 getrennt: %2</translation>
    </message>
    <message>
        <source>Connecting to %1 (%2)…</source>
        <translation>Verbinde mit %1 (%2)…</translation>
    </message>
    <message>
        <source>Connected to %1 (%2)</source>
        <translation>Verbunden mit %1 (%2)</translation>
    </message>
    <message>
        <source>Connection to %1 lost (%2). Reconnecting in %3 s, attempt %4…</source>
        <translation>Verbindung zu %1 verloren (%2). Neuer Versuch in %3 s, Versuch %4…</translation>
    </message>
    <message>
        <source>Listing dead letters failed: %1</source>
        <translation>Auflisten der Dead Letters fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Flushing every open segment…</source>
        <translation>Alle offenen Segmente werden geflusht…</translation>
    </message>
    <message>
        <source>Flush failed: %1</source>
        <translation>Flush fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>Flush finished: %n segment(s) written.</source>
        <translation>
            <numerusform>Flush beendet: %n Segment geschrieben.</numerusform>
            <numerusform>Flush beendet: %n Segmente geschrieben.</numerusform>
        </translation>
    </message>
    <message>
        <source>Running retention…</source>
        <translation>Aufbewahrung wird ausgeführt…</translation>
    </message>
    <message>
        <source>Retention failed: %1</source>
        <translation>Aufbewahrung fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>Retention finished: %n segment(s) deleted.</source>
        <translation>
            <numerusform>Aufbewahrung beendet: %n Segment gelöscht.</numerusform>
            <numerusform>Aufbewahrung beendet: %n Segmente gelöscht.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Retrying %n dead letter(s)…</source>
        <translation>
            <numerusform>%n Dead Letter wird wiederholt…</numerusform>
            <numerusform>%n Dead Letters werden wiederholt…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Discarding %n dead letter(s)…</source>
        <translation>
            <numerusform>%n Dead Letter wird verworfen…</numerusform>
            <numerusform>%n Dead Letters werden verworfen…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Retried %n dead letter(s).</source>
        <translation>
            <numerusform>%n Dead Letter wiederholt.</numerusform>
            <numerusform>%n Dead Letters wiederholt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Discarded %n dead letter(s).</source>
        <translation>
            <numerusform>%n Dead Letter verworfen.</numerusform>
            <numerusform>%n Dead Letters verworfen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed: %1</source>
        <translation>
            <numerusform>%n fehlgeschlagen: %1</numerusform>
            <numerusform>%n fehlgeschlagen: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Dead letters (%1)</source>
        <translation>&amp;Dead Letters (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) could not be written to object storage</source>
        <translation>
            <numerusform>%n Stapel konnte nicht in den Objektspeicher geschrieben werden</numerusform>
            <numerusform>%n Stapel konnten nicht in den Objektspeicher geschrieben werden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n stream(s) falling behind</source>
        <translation>
            <numerusform>%n Stream fällt zurück</numerusform>
            <numerusform>%n Streams fallen zurück</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Apps</source>
        <translation>&amp;Apps</translation>
    </message>
    <message>
        <source>Copy app &amp;id</source>
        <translation>App-&amp;ID kopieren</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Copied app id %1.</source>
        <translation>App-ID %1 kopiert.</translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation>&amp;Benutzer</translation>
    </message>
    <message>
        <source>Co&amp;nversations</source>
        <translation>Ko&amp;nversationen</translation>
    </message>
    <message>
        <source>Send &amp;notice…</source>
        <translation>&amp;Hinweis senden…</translation>
    </message>
    <message>
        <source>Tell every session of an app, or of every app, something (Ctrl+Shift+N)</source>
        <translation>Allen Sitzungen einer App oder aller Apps etwas mitteilen (Strg+Umschalt+N)</translation>
    </message>
</context>
<context>
    <name>confab::console::MembersModel</name>
    <message>
        <source>Member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <source>Delivered up to</source>
        <translation>Zugestellt bis</translation>
    </message>
    <message>
        <source>Read up to</source>
        <translation>Gelesen bis</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Ungelesen</translation>
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
        <translation>Absender</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>Inhalt</translation>
    </message>
</context>
<context>
    <name>confab::console::NewKeyDialog</name>
    <message>
        <source>New API key %1</source>
        <translation>Neuer API-Schlüssel %1</translation>
    </message>
    <message>
        <source>Copy this key now and keep it safe. It cannot be shown again: the server stores only a hash of it.</source>
        <translation>Kopieren Sie diesen Schlüssel jetzt und bewahren Sie ihn sicher auf. Er kann nicht noch einmal angezeigt werden: der Server speichert nur einen Hash davon.</translation>
    </message>
    <message>
        <source>New API key</source>
        <translation>Neuer API-Schlüssel</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
</context>
<context>
    <name>confab::console::NodesModel</name>
    <message>
        <source>The node this console is connected to</source>
        <translation>Der Knoten, mit dem diese Konsole verbunden ist</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
</context>
<context>
    <name>confab::console::NoticeDialog</name>
    <message>
        <source>Send notice</source>
        <translation>Hinweis senden</translation>
    </message>
    <message>
        <source>Send to</source>
        <translation>Senden an</translation>
    </message>
    <message>
        <source>Every app</source>
        <translation>Alle Apps</translation>
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
        <translation>Worauf Clients reagieren können: a-z, 0-9 und _</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>What every session is told, e.g. “Maintenance at 22:00 UTC”</source>
        <translation>Was jede Sitzung erfährt, z. B. „Wartung um 22:00 UTC“</translation>
    </message>
    <message>
        <source>Send &amp;to:</source>
        <translation>Senden &amp;an:</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code:</translation>
    </message>
    <message>
        <source>&amp;Message:</source>
        <translation>&amp;Nachricht:</translation>
    </message>
    <message>
        <source>&amp;Send…</source>
        <translation>&amp;Senden…</translation>
    </message>
    <message>
        <source>every session of every app</source>
        <translation>alle Sitzungen aller Apps</translation>
    </message>
    <message>
        <source>every session of app %1</source>
        <translation>alle Sitzungen der App %1</translation>
    </message>
    <message>
        <source>Send this notice to %1?</source>
        <translation>Diesen Hinweis an %1 senden?</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message numerus="yes">
        <source>Notice sent to %1 (%n node(s) reached).</source>
        <translation>
            <numerusform>Hinweis an %1 gesendet (%n Knoten erreicht).</numerusform>
            <numerusform>Hinweis an %1 gesendet (%n Knoten erreicht).</numerusform>
        </translation>
    </message>
    <message>
        <source>Sending failed: %1</source>
        <translation>Senden fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>%1 of %2 characters</source>
        <translation>%1 von %2 Zeichen</translation>
    </message>
</context>
<context>
    <name>confab::console::OverviewPage</name>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Eingang</translation>
    </message>
    <message>
        <source>Stream depth</source>
        <translation>Stream-Tiefe</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Dead Letters</translation>
    </message>
    <message>
        <source>Redis memory</source>
        <translation>Redis-Speicher</translation>
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
        <translation>Letzter Flush</translation>
    </message>
    <message>
        <source>Segments written</source>
        <translation>Geschriebene Segmente</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>depth</source>
        <translation>Tiefe</translation>
    </message>
    <message>
        <source>Flush latency</source>
        <translation>Flush-Latenz</translation>
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
        <translation>Eingangsrate</translation>
    </message>
    <message>
        <source>messages/s</source>
        <translation>Nachrichten/s</translation>
    </message>
    <message>
        <source>ingest</source>
        <translation>Eingang</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>App shown in the charts</source>
        <translation>In den Diagrammen gezeigte App</translation>
    </message>
    <message>
        <source>All apps</source>
        <translation>Alle Apps</translation>
    </message>
    <message>
        <source>Charts for:</source>
        <translation>Diagramme für:</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App-ID: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::ProfileStore</name>
    <message>
        <source>No token saved for %1</source>
        <translation>Für %1 ist kein Token gespeichert</translation>
    </message>
    <message>
        <source>Could not read the token of %1 from the keychain: %2</source>
        <translation>Token von %1 konnte nicht aus dem Schlüsselbund gelesen werden: %2</translation>
    </message>
    <message>
        <source>No system keychain to save the token of %1 (%2): the profile is saved without it and this session stays connected; type the token again at the next connect.</source>
        <translation>Kein System-Schlüsselbund, um das Token von %1 zu speichern (%2): das Profil wird ohne Token gespeichert und diese Sitzung bleibt verbunden; geben Sie das Token beim nächsten Verbinden erneut ein.</translation>
    </message>
</context>
<context>
    <name>confab::console::SessionsModel</name>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation>Verbunden seit</translation>
    </message>
</context>
<context>
    <name>confab::console::StreamsModel</name>
    <message>
        <source>Falls behind: the oldest unflushed record is %1 old (limit %2)</source>
        <translation>Fällt zurück: Der älteste nicht geflushte Eintrag ist %1 alt (Grenze %2)</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Tiefe</translation>
    </message>
    <message>
        <source>Oldest unflushed</source>
        <translation>Ältester nicht geflusht</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>App-ID: %1</translation>
    </message>
</context>
<context>
    <name>confab::console::StreamsPage</name>
    <message>
        <source>Filter by app or conversation (Ctrl+F)</source>
        <translation>Nach App oder Unterhaltung filtern (Strg+F)</translation>
    </message>
    <message>
        <source>Filter streams</source>
        <translation>Streams filtern</translation>
    </message>
    <message>
        <source>Only streams falling &amp;behind</source>
        <translation>Nur &amp;zurückfallende Streams</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Falls behind after</source>
        <translation>Fällt zurück nach</translation>
    </message>
    <message>
        <source>Falls behind &amp;after:</source>
        <translation>Fällt zurück &amp;nach:</translation>
    </message>
    <message>
        <source>Streams summary</source>
        <translation>Streams-Zusammenfassung</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>Streams</translation>
    </message>
    <message numerus="yes">
        <source>%n stream(s)</source>
        <translation>
            <numerusform>%n Stream</numerusform>
            <numerusform>%n Streams</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n falling behind</source>
        <translation>
            <numerusform>%n fällt zurück</numerusform>
            <numerusform>%n fallen zurück</numerusform>
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
        <translation>Die App-ID; die in den Statistiken gesehenen Apps stehen in der Liste</translation>
    </message>
    <message>
        <source>user id</source>
        <translation>Benutzer-ID</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>Benutzer-ID</translation>
    </message>
    <message>
        <source>&amp;Look up</source>
        <translation>&amp;Nachschlagen</translation>
    </message>
    <message>
        <source>Show the user&apos;s sessions on every node</source>
        <translation>Die Sitzungen des Benutzers auf allen Knoten zeigen</translation>
    </message>
    <message>
        <source>Choose an app and a user.</source>
        <translation>Wählen Sie eine App und einen Benutzer.</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Close code</source>
        <translation>Close-Code</translation>
    </message>
    <message>
        <source>4009 disconnected by an operator (may reconnect)</source>
        <translation>4009 von einem Operator getrennt (darf neu verbinden)</translation>
    </message>
    <message>
        <source>4001 unauthorized (must sign in again)</source>
        <translation>4001 nicht autorisiert (muss sich neu anmelden)</translation>
    </message>
    <message>
        <source>4003 forbidden (should not reconnect)</source>
        <translation>4003 verboten (soll nicht neu verbinden)</translation>
    </message>
    <message>
        <source>disconnected by an operator</source>
        <translation>von einem Operator getrennt</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>&amp;Disconnect…</source>
        <translation>&amp;Trennen…</translation>
    </message>
    <message>
        <source>Close every session of this user on every node</source>
        <translation>Alle Sitzungen dieses Benutzers auf allen Knoten schließen</translation>
    </message>
    <message>
        <source>App:</source>
        <translation>App:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Benutzer:</translation>
    </message>
    <message>
        <source>Lookup failed: %1</source>
        <translation>Nachschlagen fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 is online with %n session(s) on %2 since %3.</source>
        <translation>
            <numerusform>%1 ist online mit %n Sitzung auf %2 seit %3.</numerusform>
            <numerusform>%1 ist online mit %n Sitzungen auf %2 seit %3.</numerusform>
        </translation>
    </message>
    <message>
        <source>unknown nodes</source>
        <translation>unbekannten Knoten</translation>
    </message>
    <message>
        <source>an unknown time</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>%1 is offline; last seen %2.</source>
        <translation>%1 ist offline; zuletzt gesehen %2.</translation>
    </message>
    <message>
        <source>%1 is offline and was not seen in the last 30 days.</source>
        <translation>%1 ist offline und wurde in den letzten 30 Tagen nicht gesehen.</translation>
    </message>
    <message>
        <source>Disconnect user</source>
        <translation>Benutzer trennen</translation>
    </message>
    <message numerus="yes">
        <source>Disconnect %1 of app %2 (%n session(s))?</source>
        <translation>
            <numerusform>%1 der App %2 trennen (%n Sitzung)?</numerusform>
            <numerusform>%1 der App %2 trennen (%n Sitzungen)?</numerusform>
        </translation>
    </message>
    <message>
        <source>Every session of this user on every node is closed with code %1. The user can connect again unless their tokens are revoked.</source>
        <translation>Jede Sitzung dieses Benutzers auf jedem Knoten wird mit Code %1 geschlossen. Der Benutzer kann sich wieder verbinden, solange seine Tokens nicht widerrufen sind.</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message numerus="yes">
        <source>Disconnected %1: %n session(s) closed.</source>
        <translation>
            <numerusform>%1 getrennt: %n Sitzung geschlossen.</numerusform>
            <numerusform>%1 getrennt: %n Sitzungen geschlossen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Disconnect failed: %1</source>
        <translation>Trennen fehlgeschlagen: %1</translation>
    </message>
</context>
</TS>
