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
</context>
<context>
    <name>confab::console::ProfileStore</name>
    <message>
        <source>Could not save the token of %1 in the keychain: %2</source>
        <translation>Token von %1 konnte nicht im Schlüsselbund gespeichert werden: %2</translation>
    </message>
    <message>
        <source>No token saved for %1</source>
        <translation>Für %1 ist kein Token gespeichert</translation>
    </message>
    <message>
        <source>Could not read the token of %1 from the keychain: %2</source>
        <translation>Token von %1 konnte nicht aus dem Schlüsselbund gelesen werden: %2</translation>
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
</TS>
